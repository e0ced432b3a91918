package io.sparkinfer.spark.jobs;

import io.sparkinfer.spark.InferenceOptions;
import io.sparkinfer.spark.JobSummary;
import io.sparkinfer.spark.SparkInfer;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

/**
 * Perplexity per row (the Spark layer's {@code score} task: logprob, completion_tokens = scored
 * tokens, perplexity) and for the whole table: {@code exp(-sum(logprob) / sum(tokens))} over the
 * rows that were scored, i.e. token-weighted as a corpus perplexity is, beside the mean of the
 * row perplexities. The subcommand writes through {@link SparkInfer#write} (exactly once,
 * resumable) and the table figures to metrics.json.
 */
public final class ScoreJob {
    private ScoreJob() {
    }

    /** The table-level figures. */
    public record TablePerplexity(long rows, long scoredRows, long errorRows, long tokens, double logprob, double perplexity,
                                  double meanRowPerplexity) {
    }

    public static Dataset<Row> score(Dataset<Row> input, InferenceOptions o) {
        return SparkInfer.generate(input, o.with("task", "score"));
    }

    public static TablePerplexity tablePerplexity(Dataset<Row> scored) {
        Dataset<Row> ok = scored.filter(col("finish_reason").notEqual("error").and(col("logprob").isNotNull()));
        long rows = scored.count();
        Row r = ok.agg(count(lit(1)), sum(col("completion_tokens").cast("long")), sum("logprob"), avg("perplexity")).first();
        long n = r.getLong(0);
        long tokens = r.isNullAt(1) ? 0 : r.getLong(1);
        double lp = r.isNullAt(2) ? 0 : r.getDouble(2);
        return new TablePerplexity(rows, n, rows - n, tokens, lp, tokens == 0 ? Double.NaN : Math.exp(-lp / tokens),
                r.isNullAt(3) ? Double.NaN : r.getDouble(3));
    }

    public static JobSummary run(SparkSession spark, InferenceOptions o) {
        InferenceOptions job = o.with("task", "score");
        JobSummary s = SparkInfer.run(spark, job);
        TablePerplexity t = tablePerplexity(JobIO.readBack(spark, job));
        Map<String, Object> m = JobIO.ordered();
        m.put("rows", t.rows());
        m.put("scored_rows", t.scoredRows());
        m.put("error_rows", t.errorRows());
        m.put("tokens", t.tokens());
        m.put("logprob", t.logprob());
        m.put("perplexity", t.perplexity());
        m.put("mean_row_perplexity", t.meanRowPerplexity());
        System.err.println("sparkinfer score metrics: " + JobIO.toJson(m));
        Path dir = JobIO.metricsDir(job);
        if (dir != null) {
            JobIO.writeJson(dir.resolve("metrics.json"), m);
        }
        return s;
    }
}
