package io.sparkinfer.spark.jobs;

import io.sparkinfer.eval.ClassificationMetrics;
import io.sparkinfer.eval.ConfusionMatrixPlot;
import io.sparkinfer.spark.InferenceOptions;
import io.sparkinfer.spark.JobSummary;
import io.sparkinfer.spark.SparkInfer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

/**
 * Classification over any label set, zero-shot or few-shot.
 *
 * <p>{@code method=likelihood} (default): the prompt is computed once and every label's
 * continuation scored ({@code scoreLabels}); the most likely label wins, and {@code label_probs}
 * is the softmax of the label log-probabilities over the label set. {@code method=generate}:
 * greedy generation constrained to the label set (the engine's token-trie choice constraint), so
 * the output is exactly one label; it is still mapped through {@link #matchLabel} (a label's case
 * or a leading space), with {@code other} only if that ever failed.
 *
 * <p>Options: {@code text_col}, {@code id_col}, {@code labels} (comma separated, default
 * positive,negative) or {@code labels_file} (one per line), {@code template} (default
 * {@code "{text}\nAnswer ({labels}):"}), {@code few_shot} (JSON lines or TSV file of examples),
 * {@code few_shot_k} (8), {@code gold_col}, {@code label_map} ({@code 0:negative,1:positive}: maps
 * gold and few-shot labels, e.g. for SST-2).
 *
 * <p>Output: id, label, label_probs, label_scores, [gold, correct], finish_reason, prompt_tokens,
 * completion_tokens, error. With a gold column: accuracy, macro-F1, the confusion matrix
 * ({@link #metrics}), written as metrics.json, confusion.csv and confusion.png.
 */
public final class Classify {
    public static final String DEFAULT_LABELS = "positive,negative";
    static final String FEW_SHOT_COL = "__few_shot_examples";

    private Classify() {
    }

    public static List<String> labels(InferenceOptions o) {
        String file = o.get("labels_file");
        List<String> labels = file != null ? JobIO.lines(Path.of(file), "labels")
                : Arrays.stream(o.get("labels", DEFAULT_LABELS).split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (labels.size() < 2) {
            throw new IllegalArgumentException("classify needs at least two labels, got " + labels);
        }
        if (labels.stream().distinct().count() != labels.size()) {
            throw new IllegalArgumentException("classify labels must be distinct, got " + labels);
        }
        for (String l : labels) {
            if (l.contains(",")) {
                throw new IllegalArgumentException("a label cannot contain a comma: '" + l + "'");
            }
        }
        return labels;
    }

    public static Map<String, String> labelMap(InferenceOptions o) {
        Map<String, String> m = new LinkedHashMap<>();
        String v = o.get("label_map", "");
        for (String pair : v.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int c = pair.indexOf(':');
            if (c <= 0) {
                throw new IllegalArgumentException("label_map wants from:to pairs separated by commas, got '" + v + "'");
            }
            m.put(pair.substring(0, c).strip(), pair.substring(c + 1).strip());
        }
        return m;
    }

    public static Dataset<Row> classify(Dataset<Row> input, InferenceOptions o) {
        String textCol = o.get("text_col", "text");
        String idCol = o.idCol();
        String goldCol = o.get("gold_col");
        List<String> labels = labels(o);
        Map<String, String> labelMap = labelMap(o);
        String method = o.get("method", "likelihood").toLowerCase(Locale.ROOT);
        if (!method.equals("likelihood") && !method.equals("generate")) {
            throw new IllegalArgumentException("method must be likelihood or generate, got '" + method + "'");
        }
        JobIO.requireColumn(input, textCol, "text_col");
        input = JobIO.withId(input, idCol);
        String template = o.get("template", "{" + textCol + "}\nAnswer ({labels}):").replace("\\n", "\n");
        String fewShot = o.get("few_shot");
        if (fewShot != null) {
            List<FewShot.Example> ex = FewShot.read(Path.of(fewShot), textCol, labelMap, labels, o.getInt("few_shot_k", 8));
            input = input.withColumn(FEW_SHOT_COL, lit(FewShot.prefix(ex, template, textCol, labels)));
            template = "{" + FEW_SHOT_COL + "}" + template;
        }
        Column gold = null;
        if (goldCol != null) {
            JobIO.requireColumn(input, goldCol, "gold_col");
            gold = mapped(col(goldCol).cast("string"), labelMap);
            List<String> bad = input.select(gold.as("g")).distinct().filter(col("g").isNotNull()).as(Encoders.STRING())
                    .collectAsList().stream().filter(g -> !labels.contains(g)).sorted().limit(5).toList();
            if (!bad.isEmpty()) {
                throw new IllegalArgumentException("gold labels " + bad + " in column '" + goldCol + "' are not among the labels "
                        + labels + "; set label_map (e.g. 0:negative,1:positive) or labels");
            }
            input = input.withColumn("__gold", gold);
        }
        InferenceOptions job = o.with("template", template).with("labels", String.join(",", labels)).with("id_col", idCol)
                .with("text_col", textCol);
        Dataset<Row> done;
        Column label, probs, scores;
        if (method.equals("likelihood")) {
            done = SparkInfer.withResultColumn(input, job.with("task", "classify"), "r");
            label = col("r.output");
            scores = col("r.label_scores");
            probs = expr("map_from_entries(transform(map_entries(r.label_scores), e -> struct(e.key, "
                    + "exp(e.value - array_max(map_values(r.label_scores))) / aggregate(map_values(r.label_scores), 0D, "
                    + "(a, v) -> a + exp(v - array_max(map_values(r.label_scores)))))))");
        } else {
            int labelTokens = labels.stream().mapToInt(String::length).max().orElse(8);
            // Constrained generation: the engine can only emit one of the labels.
            done = SparkInfer.withResultColumn(input, job.with("task", "generate").with("temperature", 0)
                    .with("choices", String.join("|", labels))
                    .with("max_tokens", o.getInt("max_tokens", Math.min(16, labelTokens + 2))), "r");
            UserDefinedFunction match = udf((UDF1<String, String>) out -> matchLabel(out, labels), DataTypes.StringType);
            label = when(col("r.finish_reason").notEqual("error"), match.apply(col("r.output")));
            scores = lit(null).cast("map<string,double>");
            probs = lit(null).cast("map<string,double>");
        }
        List<Column> cols = new ArrayList<>(List.of(col(idCol).as("id"), label.as("label"), probs.as("label_probs"),
                scores.as("label_scores")));
        if (goldCol != null) {
            cols.add(col("__gold").as("gold"));
            cols.add(when(col("__gold").isNotNull(), coalesce(label.equalTo(col("__gold")), lit(false))).as("correct"));
        }
        cols.addAll(List.of(col("r.finish_reason").as("finish_reason"), col("r.prompt_tokens").as("prompt_tokens"),
                col("r.completion_tokens").as("completion_tokens"), col("r.error").as("error")));
        return done.select(cols.toArray(Column[]::new));
    }

    /** The label a generated text starts with (case-insensitive, leading spaces and punctuation skipped), else "other". */
    static String matchLabel(String out, List<String> labels) {
        if (out == null) {
            return "other";
        }
        String s = out.strip().replaceFirst("^[\\p{Punct}\\s]+", "").toLowerCase(Locale.ROOT);
        String best = null;
        for (String l : labels) {
            if (s.startsWith(l.toLowerCase(Locale.ROOT)) && (best == null || l.length() > best.length())) {
                best = l;
            }
        }
        return best == null ? "other" : best;
    }

    private static Column mapped(Column c, Map<String, String> labelMap) {
        Column out = null;
        for (Map.Entry<String, String> e : labelMap.entrySet()) {
            out = out == null ? when(c.equalTo(e.getKey()), lit(e.getValue()))
                    : out.when(c.equalTo(e.getKey()), lit(e.getValue()));
        }
        return out == null ? c : out.otherwise(c);
    }

    /** Accuracy, macro-F1 and confusion over the rows with a gold label (an error row counts as wrong). */
    public static ClassificationMetrics metrics(Dataset<Row> classified, List<String> labels) {
        ClassificationMetrics m = new ClassificationMetrics(labels);
        for (Row r : classified.filter(col("gold").isNotNull()).groupBy("gold", "label").count().collectAsList()) {
            String pred = r.isNullAt(1) ? "error" : r.getString(1);
            for (long i = 0; i < r.getLong(2); i++) {
                m.add(r.getString(0), pred);
            }
        }
        return m;
    }

    /** metrics.json, confusion.csv (gold by predicted, last column other/error) and confusion.png into {@code dir}. */
    public static Map<String, Object> writeMetrics(ClassificationMetrics m, Path dir, String title) {
        Map<String, Object> json = JobIO.ordered();
        json.put("rows", m.total());
        json.put("accuracy", m.accuracy());
        json.put("macro_f1", m.macroF1());
        Map<String, Double> f1 = new LinkedHashMap<>();
        for (int i = 0; i < m.labels().size(); i++) {
            f1.put(m.labels().get(i), m.f1(i));
        }
        json.put("f1", f1);
        json.put("labels", m.labels());
        json.put("confusion_gold_by_predicted_plus_other", m.confusion());
        if (dir != null) {
            JobIO.writeJson(dir.resolve("metrics.json"), json);
            StringBuilder csv = new StringBuilder("gold\\predicted");
            m.labels().forEach(l -> csv.append(',').append(l));
            csv.append(",other\n");
            for (int g = 0; g < m.labels().size(); g++) {
                csv.append(m.labels().get(g));
                for (long c : m.confusion()[g]) {
                    csv.append(',').append(c);
                }
                csv.append('\n');
            }
            try {
                Files.writeString(dir.resolve("confusion.csv"), csv);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ConfusionMatrixPlot.write(m, title, dir.resolve("confusion.png"));
        }
        return json;
    }

    public static JobSummary run(SparkSession spark, InferenceOptions o) {
        long start = System.nanoTime();
        Dataset<Row> out = classify(JobIO.read(spark, o), o);
        String target = JobIO.write(out, o);
        Dataset<Row> written = JobIO.readBack(spark, o);
        if (o.get("gold_col") != null) {
            Map<String, Object> m = writeMetrics(metrics(written, labels(o)), JobIO.metricsDir(o),
                    "classify " + Path.of(o.get("input", "input")).getFileName());
            System.err.println("sparkinfer classify metrics: accuracy " + m.get("accuracy") + ", macro-F1 " + m.get("macro_f1"));
        }
        return JobIO.summary(written, target, (System.nanoTime() - start) / 1e9, "classify");
    }
}
