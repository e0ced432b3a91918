package io.sparkinfer.spark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkinfer.eval.ClassificationMetrics;
import io.sparkinfer.spark.InferenceOptions;
import io.sparkinfer.spark.JobSummary;
import io.sparkinfer.tasks.SelfInstructLoop;
import io.sparkinfer.tasks.TextCompleter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The user jobs end to end in local[2] on stories260K (nonsense outputs: the tests check plumbing,
 * schema, counts, determinism and error handling) with tiny inputs from ../shared/data.
 */
class UserJobsTest {
    static SparkSession spark;
    static Path dir;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        dir = JobsTestSupport.tempDir("sparkinfer-jobs");
        spark = JobsTestSupport.start(dir.resolve("warehouse"));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static InferenceOptions base() {
        return InferenceOptions.defaults().with("model", JobsTestSupport.gguf()).with("max_tokens", 8).with("window", 8)
                .with("print_summary", false);
    }

    // ---- summarize

    static Dataset<Row> documents() {
        Dataset<Row> cnn = spark.read().json(JobsTestSupport.data("tasks/summarization/cnn_dailymail_200.normalized.jsonl").toString())
                .limit(2).selectExpr("article", "highlights");
        List<Row> bad = List.of(RowFactory.create("", "empty"), RowFactory.create(null, "null"),
                RowFactory.create("Tom had a red ball.", "a ball"));
        StructType s = new StructType().add("article", DataTypes.StringType).add("highlights", DataTypes.StringType);
        return cnn.unionByName(spark.createDataFrame(bad, s));
    }

    @Test
    void summarizeMapReducesLongDocumentsAndScoresRouge() {
        InferenceOptions o = base().with("max_seq_len", 128).with("text_col", "article").with("reference_col", "highlights");
        Dataset<Row> in = JobIO.withId(documents(), "id");
        Dataset<Row> summarized = Summarize.summarize(in, o).cache();
        List<Row> rows = summarized.orderBy("id").collectAsList();
        assertEquals(5, rows.size(), "one row per document");
        Map<String, Row> byId = new HashMap<>();
        rows.forEach(r -> byId.put(r.getAs("id"), r));
        assertEquals(5, byId.size());
        int multi = 0;
        for (int i = 0; i < 2; i++) {
            Row r = byId.get(Long.toString(i));
            assertNull(r.getAs("error"), () -> String.valueOf(r));
            assertNotNull(r.getAs("summary"));
            if ((int) r.getAs("chunks") > 1) {
                multi++;
                assertTrue((int) r.getAs("levels") >= 2, () -> "a chunked document is reduced: " + r);
            }
            double r1 = r.getAs("rouge1");
            assertTrue(r1 >= 0 && r1 <= 1);
        }
        assertTrue(multi > 0, "the CNN articles are longer than a 128-token context");
        assertEquals("error", byId.get("2").getAs("finish_reason"));
        assertTrue(((String) byId.get("2").getAs("error")).contains("empty"));
        assertEquals("error", byId.get("3").getAs("finish_reason"));
        assertNull(byId.get("4").getAs("error"));
        assertEquals(1, (int) byId.get("4").getAs("levels"));

        Summarize.RougeAverages a = Summarize.averages(summarized);
        assertEquals(5, a.rows());
        assertEquals(3, a.scored());
    }

    @Test
    void summarizeSubcommandWritesTableAndMetrics() throws Exception {
        Path input = dir.resolve("xsum5.jsonl");
        Files.write(input, Files.readAllLines(JobsTestSupport.data("tasks/summarization/xsum_200.normalized.jsonl")).subList(0, 3));
        InferenceOptions o = base().with("max_seq_len", 160).with("input", input.toString()).with("text_col", "document")
                .with("reference_col", "summary").with("template", "Article: {document}\nTL;DR:")
                .with("output", dir.resolve("xsum_out").toString());
        JobSummary s = UserJobs.run("summarize", spark, o);
        assertEquals(3, s.rows());
        JsonNode m = JSON.readTree(dir.resolve("xsum_out_metrics/metrics.json").toFile());
        assertEquals(3, m.get("scored_rows").asInt());
        assertTrue(m.get("rougeL").asDouble() >= 0);
        assertThrows(IllegalArgumentException.class, () -> Summarize.summarize(spark.read().json(input.toString()),
                o.with("template", "no placeholder")));
    }

    // ---- classify

    static Dataset<Row> sst2(int n) {
        InferenceOptions o = InferenceOptions.defaults().with("input", JobsTestSupport.data("tasks/sentiment/sst2_glue_dev_872.tsv").toString());
        return JobIO.read(spark, o).limit(n);
    }

    @Test
    void classifySst2FewShotWithMetrics() throws Exception {
        Path shots = dir.resolve("shots.jsonl");
        Files.writeString(shots, "{\"sentence\": \"a wonderful , warm film\", \"label\": 1}\n"
                + "{\"sentence\": \"dull and lifeless\", \"label\": 0}\n");
        InferenceOptions o = base().with("text_col", "sentence").with("gold_col", "label").with("label_map", "0:negative,1:positive")
                .with("few_shot", shots.toString());
        Dataset<Row> out = Classify.classify(JobIO.withId(sst2(12), "id"), o);
        List<Row> rows = out.collectAsList();
        assertEquals(12, rows.size());
        for (Row r : rows) {
            assertNull(r.getAs("error"));
            assertTrue(List.of("positive", "negative").contains((String) r.getAs("label")));
            scala.collection.Map<String, Double> p = r.getAs("label_probs");
            double sum = (Double) p.apply("positive") + (Double) p.apply("negative");
            assertEquals(1.0, sum, 1e-9);
            assertTrue(List.of("positive", "negative").contains((String) r.getAs("gold")));
        }
        ClassificationMetrics m = Classify.metrics(out, List.of("positive", "negative"));
        assertEquals(12, m.total());
        Path md = dir.resolve("sst2_metrics");
        Classify.writeMetrics(m, md, "sst2");
        assertTrue(Files.size(md.resolve("confusion.png")) > 100);
        assertEquals(3, Files.readAllLines(md.resolve("confusion.csv")).size());
        assertTrue(JSON.readTree(md.resolve("metrics.json").toFile()).has("macro_f1"));

        // bad inputs: clear errors before any inference
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Classify.classify(sst2(5), o.with("few_shot", dir.resolve("missing.jsonl").toString())));
        assertTrue(e.getMessage().contains("missing.jsonl") && e.getMessage().contains("not found"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Classify.classify(sst2(5), o.with("labels_file", dir.resolve("labels.txt").toString())));
        assertTrue(e.getMessage().contains("labels file"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Classify.classify(sst2(5), o.with("label_map", null).with("few_shot", null)));
        assertTrue(e.getMessage().contains("label_map"), e.getMessage());
    }

    @Test
    void classifyAmazonSubcommandAndGenerateMethod() throws Exception {
        Path input = dir.resolve("amazon.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(JobsTestSupport.data("tasks/sentiment/amazon_polarity_200.normalized.jsonl")).subList(0, 12));
        lines.add("{\"title\": \"x\", \"text\": \"\", \"label\": \"negative\"}");
        Files.write(input, lines);
        Path labels = dir.resolve("labels.txt");
        Files.writeString(labels, "positive\nnegative\n");
        InferenceOptions o = base().with("input", input.toString()).with("gold_col", "label").with("labels_file", labels.toString())
                .with("template", "Review: {title}. {text}\nSentiment ({labels}):").with("output", dir.resolve("amazon_out").toString());
        JobSummary s = UserJobs.run("classify", spark, o);
        assertEquals(13, s.rows());
        assertEquals(1, s.errors(), "the empty review is an error row");
        assertTrue(Files.exists(dir.resolve("amazon_out_metrics/confusion.png")));
        assertEquals(13, JSON.readTree(dir.resolve("amazon_out_metrics/metrics.json").toFile()).get("rows").asInt());

        List<Row> gen = Classify.classify(spark.read().json(input.toString()), o.with("method", "generate").with("output", null))
                .collectAsList();
        assertEquals(13, gen.size());
        for (Row r : gen) {
            if (r.getAs("error") == null) {
                // constrained generation: never outside the label set
                assertTrue(List.of("positive", "negative").contains((String) r.getAs("label")), String.valueOf(r));
            }
        }
        assertEquals("positive", Classify.matchLabel(" Positive.", List.of("positive", "negative")));
    }

    // ---- self-instruct

    @Test
    void selfInstructRunsRoundsAsSparkJobs() throws Exception {
        InferenceOptions o = base().with("seed_tasks", JobsTestSupport.data("tasks/self_instruct/seed_tasks.jsonl").toString())
                .with("target", 3).with("prompts_per_round", 3).with("max_rounds", 2).with("max_tokens", 24)
                .with("temperature", 0).with("output", dir.resolve("si_out").toString());
        JobSummary s = UserJobs.run("self-instruct", spark, o);
        Dataset<Row> t = spark.read().parquet(dir.resolve("si_out").toString());
        assertEquals(List.of("task_id", "instruction", "input", "output", "is_classification"), List.of(t.columns()));
        assertEquals(s.rows(), t.count());
        long tasks = t.select("task_id").distinct().count();
        assertTrue(tasks <= 3);
        assertEquals(tasks, Files.readAllLines(dir.resolve("si_out.jsonl")).size());

        // the completer: one completion per prompt, in order, the same on a rerun
        SparkTextCompleter c = new SparkTextCompleter(spark, base().with("max_tokens", 8));
        List<String> prompts = List.of("Once upon a time", "Tom had a dog", "The sun");
        List<TextCompleter.Completion> a = c.complete(prompts, 7), b = c.complete(prompts, 7);
        assertEquals(3, a.size());
        assertEquals(a, b);

        Path bad = dir.resolve("bad_seeds.jsonl");
        Files.writeString(bad, "{\"instruction\": \"Say hi\"}\n{not json\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SelfInstructJob.generate(spark, o.with("seed_tasks", bad.toString())));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SelfInstructJob.generate(spark, o.with("seed_tasks", null)));
        assertTrue(e.getMessage().contains("seed_tasks"));
        SelfInstructLoop.Result none = new SelfInstructLoop.Result(List.of(), new SelfInstructLoop.Stats(0, 0, 0, 0, 0));
        assertEquals(0, SelfInstructJob.table(spark, none).count());
    }

    // ---- judge

    @Test
    void judgeBothOrdersAndLengthDifference() {
        List<Row> rows = List.of(
                RowFactory.create("q1", "What is red?", "A red ball is red.", "The sky."),
                RowFactory.create("q2", "Who is Tom?", "Tom is a boy who likes to play in the park.", "A boy."),
                RowFactory.create("q3", "Is the sun hot?", "Yes.", "Yes, very hot."),
                RowFactory.create("q4", "Name a dog.", "", "Max."));
        StructType s = new StructType().add("id", DataTypes.StringType).add("question", DataTypes.StringType)
                .add("answer_a", DataTypes.StringType).add("answer_b", DataTypes.StringType);
        Dataset<Row> out = Judge.judge(spark.createDataFrame(rows, s), base().with("max_tokens", 4).with("rubric", "Prefer correct answers."));
        Map<String, Row> byId = new HashMap<>();
        out.collectAsList().forEach(r -> byId.put(r.getAs("id"), r));
        assertEquals(4, byId.size());
        assertEquals(9, (int) byId.get("q2").getAs("length_difference_words"));
        assertEquals(-2, (int) byId.get("q3").getAs("length_difference_words"));
        for (String id : List.of("q1", "q2", "q3")) {
            Row r = byId.get(id);
            assertNull(r.getAs("error"));
            assertTrue(List.of("A", "B", "TIE").contains((String) r.getAs("verdict")));
            boolean consistent = r.getAs("consistent");
            assertEquals(consistent, r.getAs("verdict_first_order").equals(r.getAs("verdict_second_order")));
            if (!consistent) {
                assertEquals("TIE", r.getAs("verdict"));
            }
        }
        assertEquals("error", byId.get("q4").getAs("finish_reason"));
        assertTrue(((String) byId.get("q4").getAs("error")).contains("answer_a"));
        Map<String, Object> m = Judge.metrics(out);
        assertEquals(4L, m.get("pairs"));
        assertEquals(1L, m.get("errors"));
    }

    // ---- score and RAG

    static Dataset<Row> stories() {
        List<Row> rows = new ArrayList<>();
        String[] t = {"Once upon a time, there was a little girl.", "Tom liked to play with his ball.", "The sun was hot.",
            "Lily saw a big dog in the park.", "", "Ben and Mia ate a cake."};
        for (int i = 0; i < t.length; i++) {
            rows.add(RowFactory.create((long) i, t[i], new String[] {"Lily is a girl.", "  ", "Dogs bark."}));
        }
        StructType s = new StructType().add("id", DataTypes.LongType, false).add("text", DataTypes.StringType)
                .add("passages", DataTypes.createArrayType(DataTypes.StringType));
        return spark.createDataFrame(rows, s);
    }

    @Test
    void scoreGivesRowAndTablePerplexity() {
        Dataset<Row> scored = ScoreJob.score(stories().drop("passages"), base());
        ScoreJob.TablePerplexity t = ScoreJob.tablePerplexity(scored);
        assertEquals(6, t.rows());
        assertEquals(1, t.errorRows(), "the empty text");
        assertTrue(t.tokens() > 0);
        assertEquals(Math.exp(-t.logprob() / t.tokens()), t.perplexity(), 1e-9);
        assertTrue(t.perplexity() > 1 && Double.isFinite(t.perplexity()));
    }

    @Test
    void generateWithRetrievedPassages() {
        Dataset<Row> formatted = ContextPassages.withContext(stories(), "passages", 5, 1000);
        assertEquals("[1] Lily is a girl.\n[2] Dogs bark.", formatted.first().getAs("passages"));
        StructType s = new StructType().add("id", DataTypes.LongType).add("passages", DataTypes.createArrayType(DataTypes.StringType));
        Row empty = ContextPassages.withContext(spark.createDataFrame(List.of(RowFactory.create(1L, new String[0])), s), "passages", 5, 10)
                .first();
        assertEquals(ContextPassages.NONE, empty.getAs("passages"));

        InferenceOptions o = base().with("context_col", "passages");
        List<Row> out = ContextPassages.generate(stories(), o).orderBy("id").collectAsList();
        assertEquals(6, out.size());
        assertEquals(1, out.stream().filter(r -> r.getAs("error") != null).count(), "the empty question is an error row");
        assertThrows(IllegalArgumentException.class, () -> ContextPassages.generate(stories(), o.with("template", "{text}")));
        assertTrue(UserJobs.handles("generate", o));
        assertFalse(UserJobs.handles("generate", base()));
        assertEquals(6, stories().filter(col("id").geq(0)).count());
    }
}
