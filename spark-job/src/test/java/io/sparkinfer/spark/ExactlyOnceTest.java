package io.sparkinfer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
 * Exactly once: a task that fails on its first attempt is retried and the output equals a clean
 * run's (no lost or doubled rows); a rerun resumes (appends only missing ids); a rerun with
 * another config is refused. local[2,3]: 2 threads, up to 3 attempts per task.
 */
class ExactlyOnceTest {
    static SparkSession spark;
    static Path dir;
    static final int N = 40;

    @BeforeAll
    static void start() {
        dir = SparkTestSession.tempDir("sparkinfer-once");
        spark = SparkTestSession.start("local[2,3]", "exactly-once", dir.resolve("warehouse"), "spark.task.maxFailures", "3");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static Dataset<Row> input(int from, int to) {
        List<Row> rows = new ArrayList<>();
        List<String> p = TestData.prompts(N);
        for (int i = from; i < to; i++) {
            rows.add(RowFactory.create("row-" + i, p.get(i)));
        }
        StructType schema = new StructType().add("id", DataTypes.StringType, false).add("text", DataTypes.StringType, true);
        return spark.createDataFrame(rows, schema).repartition(2);
    }

    static InferenceOptions options(String out) {
        return InferenceOptions.defaults().with("model", TestData.llama2cBin()).with("tokenizer", TestData.llama2cTokenizer())
                .with("max_tokens", 8).with("window", 4).with("output", dir.resolve(out).toString())
                .with("progress_interval_s", 0).with("print_summary", false);
    }

    /** The output's rows without the timing column, sorted by id. */
    static List<String> rows(String out) {
        Dataset<Row> d = spark.read().parquet(dir.resolve(out).toString()).drop("latency_ms");
        List<String> rows = new ArrayList<>(d.collectAsList().stream().map(Row::toString).toList());
        rows.sort(Comparator.naturalOrder());
        return rows;
    }

    static synchronized List<String> clean() {
        if (!Files.exists(dir.resolve("clean"))) {
            SparkInfer.write(input(0, N), options("clean"));
        }
        return rows("clean");
    }

    @Test
    void retriedTaskWritesTheSameRowsOnce() {
        JobSummary s = SparkInfer.write(input(0, N), options("faulty").with("test_fail_first_attempt_after", 3));
        List<String> faulty = rows("faulty");
        assertEquals(N, faulty.size());
        assertEquals(N, spark.read().parquet(dir.resolve("faulty").toString()).select("id").distinct().count());
        assertEquals(clean(), faulty);
        assertEquals(N, s.rows(), "the failed attempt's accumulator updates are not counted");
    }

    @Test
    void rerunResumesWithOnlyTheMissingIds() {
        SparkInfer.write(input(0, N / 2), options("resumed"));
        assertEquals(N / 2, rows("resumed").size());
        JobSummary s = SparkInfer.write(input(0, N), options("resumed"));
        assertEquals(N / 2, s.skipped());
        assertEquals(N / 2, s.rows());
        assertEquals(clean(), rows("resumed"));
        JobSummary again = SparkInfer.write(input(0, N), options("resumed"));
        assertEquals(0, again.rows());
        assertEquals(N, again.skipped());
        assertEquals(clean(), rows("resumed"));
    }

    @Test
    void resumeWithAnotherConfigIsRefused() {
        clean();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SparkInfer.write(input(0, N), options("clean").with("max_tokens", 9)));
        assertTrue(e.getMessage().contains("fingerprint"), e.getMessage());
        assertTrue(e.getMessage().contains("refusing to resume"), e.getMessage());
        // overwrite is the explicit way out
        SparkInfer.write(input(0, 4), options("clean2").with("max_tokens", 9).with("mode", "overwrite"));
    }

    @Test
    void jsonLinesInputToCatalogTableResumes() throws Exception {
        Path jsonl = dir.resolve("in.jsonl");
        StringBuilder sb = new StringBuilder();
        List<String> p = TestData.prompts(6);
        for (int i = 0; i < 6; i++) {
            sb.append("{\"id\": ").append(i).append(", \"text\": \"").append(p.get(i)).append("\"}\n");
        }
        Files.writeString(jsonl, sb.toString());
        InferenceOptions o = options("unused").with("output", null).with("output_table", "stories_out")
                .with("input", jsonl.toString());
        assertEquals(6, SparkInfer.run(spark, o).rows());
        assertEquals(6, spark.table("stories_out").count());
        JobSummary again = SparkInfer.run(spark, o);
        assertEquals(0, again.rows());
        assertEquals(6, spark.table("stories_out").count());
    }
}
