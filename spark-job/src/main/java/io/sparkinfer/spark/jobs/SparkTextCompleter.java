package io.sparkinfer.spark.jobs;

import io.sparkinfer.spark.InferenceOptions;
import io.sparkinfer.spark.SparkInfer;
import io.sparkinfer.tasks.TextCompleter;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A {@link TextCompleter} that runs each batch of prompts as one Spark generation job: one row per
 * prompt (id = its index), the job's sampling options with {@code seed = seedBase}, so each row's
 * seed is {@code RowSeeds.of(seedBase, index)}: a rerun gives the same completions. An error row
 * comes back as a truncated (discarded) completion; a missing row is an error.
 */
public final class SparkTextCompleter implements TextCompleter {
    private final SparkSession spark;
    private final InferenceOptions options;
    private int calls;
    private long rows;
    private long errors;

    public SparkTextCompleter(SparkSession spark, InferenceOptions options) {
        this.spark = spark;
        this.options = options.with("task", "generate").with("id_col", "id").with("text_col", "prompt").with("template", "{prompt}");
    }

    @Override
    public List<Completion> complete(List<String> prompts, long seedBase) {
        if (prompts.isEmpty()) {
            return List.of();
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            rows.add(RowFactory.create((long) i, prompts.get(i)));
        }
        StructType schema = new StructType().add("id", DataTypes.LongType, false).add("prompt", DataTypes.StringType, true);
        int parts = Math.max(1, Math.min(prompts.size(), spark.sparkContext().defaultParallelism()));
        Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(parts);
        List<Row> out = SparkInfer.generate(df, options.with("seed", seedBase))
                .select("id", "output", "finish_reason", "error").orderBy("id").collectAsList();
        if (out.size() != prompts.size()) {
            throw new IllegalStateException("generation returned " + out.size() + " rows for " + prompts.size() + " prompts");
        }
        calls++;
        List<Completion> done = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) {
            Row r = out.get(i);
            if (r.getLong(0) != i) {
                throw new IllegalStateException("generation lost prompt " + i);
            }
            this.rows++;
            boolean error = "error".equals(r.getString(2));
            if (error) {
                errors++;
                System.err.println("sparkinfer self-instruct: prompt " + i + " failed: " + r.getString(3));
            }
            done.add(new Completion(error || r.isNullAt(1) ? "" : r.getString(1), error || "length".equals(r.getString(2))));
        }
        return done;
    }

    /** Generation jobs run, rows generated, error rows. */
    public long[] counts() {
        return new long[] {calls, rows, errors};
    }
}
