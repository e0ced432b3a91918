package io.sparkinfer.spark.jobs;

import io.sparkinfer.eval.Rouge;
import io.sparkinfer.spark.InferenceOptions;
import io.sparkinfer.spark.JobSummary;
import io.sparkinfer.spark.SparkInfer;
import io.sparkinfer.spark.TextCodec;
import io.sparkinfer.spark.TextCodecs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

/**
 * Map-reduce summarization of documents of any length. Level 0: a document that fits the prompt
 * budget is summarized whole; a longer one is split on token boundaries into chunks, each chunk
 * summarized as its own generation row (distributed). Level k+1: each document's chunk summaries,
 * concatenated in order, are split and summarized again, until one chunk is left (at
 * {@code max_levels} the overflow policy cuts the rest). With a reference column, ROUGE-1/2/L F1
 * per row and their averages.
 *
 * <p>Options (beside the generation ones): {@code text_col} (text), {@code id_col} (id; added as a
 * row number when missing), {@code reference_col}, {@code template} ({@code {text}} or the text
 * column as placeholder; default {@code "{text}\n\nSummary:"}), {@code reduce_template} (default:
 * the template), {@code chunk_tokens} (default: what fits beside the template and max_tokens),
 * {@code chunk_overlap} (0), {@code max_levels} (4).
 *
 * <p>Output: id (string), summary, chunks (level-0 chunk count), levels, finish_reason, prompt_tokens,
 * completion_tokens (all levels), error, and with a reference: reference, rouge1, rouge2, rougeL.
 */
public final class Summarize {
    public static final String DEFAULT_TEMPLATE = "{text}\n\nSummary:";

    private Summarize() {
    }

    /** The averages over rows with a summary and a reference. */
    public record RougeAverages(long rows, long scored, double rouge1, double rouge2, double rougeL) {
    }

    public static Dataset<Row> summarize(Dataset<Row> input, InferenceOptions o) {
        SparkSession spark = input.sparkSession();
        String textCol = o.get("text_col", "text");
        String idCol = o.idCol();
        String refCol = o.get("reference_col");
        JobIO.requireColumn(input, textCol, "text_col");
        if (refCol != null) {
            JobIO.requireColumn(input, refCol, "reference_col");
        }
        input = JobIO.withId(input, idCol);
        String template = placeholder(o.get("template", DEFAULT_TEMPLATE), textCol);
        String reduceTemplate = placeholder(o.get("reduce_template", template), textCol);
        TextCodecs.DriverModelInfo info = TextCodecs.inspect(o.handle());
        TextCodec codec = info.codec();
        InferenceOptions gen = o.with("task", "summarize").with("id_col", "chunk_id").with("text_col", "text")
                .with("overflow", o.get("overflow", "truncate_middle"));
        int budget = gen.maxPromptTokens(info.maxSeqLen());
        int overhead = Math.max(codec.encode(template.replace("{text}", ""), true).length,
                codec.encode(reduceTemplate.replace("{text}", ""), true).length);
        int chunkTokens = o.getInt("chunk_tokens", budget - overhead - 4);
        if (chunkTokens < 8) {
            throw new IllegalArgumentException("no room for a document chunk: prompt budget " + budget + " tokens, template "
                    + overhead + " tokens; lower max_tokens or raise max_seq_len");
        }
        int overlap = o.getInt("chunk_overlap", 0);
        int maxLevels = Math.max(1, o.getInt("max_levels", 4));
        Broadcast<TextCodec> b = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(codec);

        Dataset<Row> docs = input.select(col(idCol).cast("string").as("doc_id"), col(textCol).cast("string").as("doc_text"),
                refCol == null ? lit(null).cast("string").as("reference") : col(refCol).cast("string").as("reference"),
                lit(0).as("chunks"), lit(0L).as("prompt_tokens"), lit(0L).as("completion_tokens"));
        List<Dataset<Row>> finished = new ArrayList<>();
        List<Dataset<Row>> cached = new ArrayList<>();
        for (int level = 0; level < maxLevels; level++) {
            boolean last = level == maxLevels - 1;
            Dataset<Row> chunks = docs.flatMap(new ChunkFunction(b, chunkTokens, overlap, level, last), Encoders.row(ChunkFunction.CHUNKS));
            InferenceOptions lo = gen.with("template", level == 0 ? template : reduceTemplate);
            Dataset<Row> done = SparkInfer.withResultColumn(chunks, lo, "r");
            Dataset<Row> grouped = done.groupBy("doc_id").agg(
                    first("n").as("n"), first("reference").as("reference"), first("chunks").as("chunks"),
                    first("prompt_tokens_before").plus(sum("r.prompt_tokens")).as("prompt_tokens"),
                    first("completion_tokens_before").plus(sum("r.completion_tokens")).as("completion_tokens"),
                    sort_array(collect_list(struct(col("idx"), col("r.output").as("out"),
                            coalesce(col("chunk_error"), col("r.error")).as("err"), col("r.finish_reason").as("fr")))).as("parts"))
                    .withColumn("err", expr("get(filter(parts, p -> p.err IS NOT NULL), 0).err"))
                    .persist(StorageLevel.MEMORY_AND_DISK());
            cached.add(grouped);
            int levels = level + 1;
            finished.add(grouped.filter(col("n").equalTo(1).or(col("err").isNotNull())).select(
                    col("doc_id").as("id"),
                    when(col("err").isNull(), expr("parts[0].out")).as("summary"),
                    col("chunks"), lit(levels).as("levels"),
                    when(col("err").isNull(), expr("parts[0].fr")).otherwise(lit("error")).as("finish_reason"),
                    col("prompt_tokens"), col("completion_tokens"), col("err").as("error"), col("reference")));
            docs = grouped.filter(col("n").gt(1).and(col("err").isNull())).select(col("doc_id"),
                    expr("concat_ws('\\n', transform(parts, p -> p.out))").as("doc_text"), col("reference"), col("chunks"),
                    col("prompt_tokens"), col("completion_tokens"));
            if (docs.isEmpty()) {
                break;
            }
        }
        Dataset<Row> out = finished.get(0);
        for (int i = 1; i < finished.size(); i++) {
            out = out.unionByName(finished.get(i));
        }
        if (refCol == null) {
            return out.drop("reference");
        }
        return out.withColumn("rouge", ROUGE.apply(col("summary"), col("reference")))
                .withColumn("rouge1", col("rouge.rouge1")).withColumn("rouge2", col("rouge.rouge2"))
                .withColumn("rougeL", col("rouge.rougeL")).drop("rouge");
    }

    private static final StructType ROUGE_TYPE = new StructType().add("rouge1", DataTypes.DoubleType)
            .add("rouge2", DataTypes.DoubleType).add("rougeL", DataTypes.DoubleType);

    private static final UserDefinedFunction ROUGE = udf((UDF2<String, String, Row>) (summary, reference) -> {
        if (summary == null || reference == null || reference.isBlank()) {
            return null;
        }
        Rouge.Scores s = Rouge.score(summary, reference);
        return RowFactory.create(s.rouge1().f1(), s.rouge2().f1(), s.rougeL().f1());
    }, ROUGE_TYPE);

    /** ROUGE F1 averages over the rows that have them (error rows and rows without a reference are left out). */
    public static RougeAverages averages(Dataset<Row> summarized) {
        Row r = summarized.agg(count(lit(1)), count(col("rouge1")), avg("rouge1"), avg("rouge2"), avg("rougeL")).first();
        return new RougeAverages(r.getLong(0), r.getLong(1), r.isNullAt(2) ? Double.NaN : r.getDouble(2),
                r.isNullAt(3) ? Double.NaN : r.getDouble(3), r.isNullAt(4) ? Double.NaN : r.getDouble(4));
    }

    /** The subcommand: read, summarize, write the table and (with a reference column) the ROUGE metrics JSON. */
    public static JobSummary run(SparkSession spark, InferenceOptions o) {
        long start = System.nanoTime();
        Dataset<Row> out = summarize(JobIO.read(spark, o), o);
        String target = JobIO.write(out, o);
        Dataset<Row> written = JobIO.readBack(spark, o);
        if (o.get("reference_col") != null) {
            RougeAverages a = averages(written);
            Map<String, Object> m = JobIO.ordered();
            m.put("rows", a.rows());
            m.put("scored_rows", a.scored());
            m.put("rouge1", a.rouge1());
            m.put("rouge2", a.rouge2());
            m.put("rougeL", a.rougeL());
            System.err.println("sparkinfer summarize metrics: " + JobIO.toJson(m));
            Path dir = JobIO.metricsDir(o);
            if (dir != null) {
                JobIO.writeJson(dir.resolve("metrics.json"), m);
            }
        }
        return JobIO.summary(written, target, (System.nanoTime() - start) / 1e9, "summarize");
    }

    static String placeholder(String template, String textCol) {
        String t = template.replace("\\n", "\n").replace("{" + textCol + "}", "{text}");
        if (!t.contains("{text}")) {
            throw new IllegalArgumentException("the summarize template needs a {text} (or {" + textCol + "}) placeholder: " + template);
        }
        return t;
    }
}
