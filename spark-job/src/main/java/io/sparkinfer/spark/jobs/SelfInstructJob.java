package io.sparkinfer.spark.jobs;

import io.sparkinfer.spark.InferenceOptions;
import io.sparkinfer.spark.JobSummary;
import io.sparkinfer.tasks.SeedTask;
import io.sparkinfer.tasks.SeedTasks;
import io.sparkinfer.tasks.SelfInstructLoop;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Self-Instruct: {@link SelfInstructLoop} on the driver, each round's prompts completed by a Spark
 * generation job ({@link SparkTextCompleter}, sampling with per-row seeds), until {@code target}
 * instructions are kept or {@code max_rounds} rounds are done.
 *
 * <p>Options: {@code seed_tasks} (the seed JSON lines; a missing or malformed file is an error
 * naming file and line), {@code target} (100), {@code prompts_per_round} (8), {@code max_rounds}
 * (20), {@code temperature} (0.7), {@code top_p} (0.5), {@code max_tokens} (256), {@code seed},
 * {@code jsonl} (export path; default {@code <output>.jsonl} for a local output path).
 *
 * <p>Output table: task_id, instruction, input, output, is_classification: one row per generated
 * instance (a task without a parsed instance gets one row with empty input and output). JSONL:
 * one line per task, {@code {"instruction", "is_classification", "instances": [{"input","output"}]}}.
 */
public final class SelfInstructJob {
    public static final StructType SCHEMA = new StructType()
            .add("task_id", DataTypes.IntegerType, false)
            .add("instruction", DataTypes.StringType, false)
            .add("input", DataTypes.StringType, false)
            .add("output", DataTypes.StringType, false)
            .add("is_classification", DataTypes.BooleanType, false);

    private static final com.fasterxml.jackson.databind.ObjectMapper JSONL = new com.fasterxml.jackson.databind.ObjectMapper();

    private SelfInstructJob() {
    }

    /** Reads the seeds (clear errors), runs the loop with Spark generation jobs. */
    public static SelfInstructLoop.Result generate(SparkSession spark, InferenceOptions o) {
        String seedFile = o.get("seed_tasks");
        if (seedFile == null) {
            throw new IllegalArgumentException("self-instruct needs option 'seed_tasks' (a JSON-lines file of seed tasks)");
        }
        List<SeedTask> seeds = SeedTasks.read(Path.of(seedFile));
        InferenceOptions gen = o.with("temperature", o.get("temperature", "0.7")).with("top_p", o.get("top_p", "0.5"))
                .with("max_tokens", o.getInt("max_tokens", 256));
        SelfInstructLoop loop = new SelfInstructLoop(new SparkTextCompleter(spark, gen), o.seed(),
                o.getInt("prompts_per_round", 8), o.getInt("max_rounds", 20));
        return loop.run(seeds, o.getInt("target", 100));
    }

    /** The table: one row per instance. */
    public static Dataset<Row> table(SparkSession spark, SelfInstructLoop.Result result) {
        List<Row> rows = new ArrayList<>();
        for (int t = 0; t < result.tasks().size(); t++) {
            SelfInstructLoop.GeneratedTask g = result.tasks().get(t);
            if (g.instances().isEmpty()) {
                rows.add(RowFactory.create(t, g.instruction(), "", "", g.classification()));
            }
            for (SeedTask.Instance i : g.instances()) {
                rows.add(RowFactory.create(t, g.instruction(), i.input(), i.output(), g.classification()));
            }
        }
        return spark.createDataFrame(rows, SCHEMA).coalesce(1);
    }

    public static void writeJsonl(SelfInstructLoop.Result result, Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            try (BufferedWriter w = Files.newBufferedWriter(file)) {
                for (SelfInstructLoop.GeneratedTask g : result.tasks()) {
                    Map<String, Object> m = JobIO.ordered();
                    m.put("instruction", g.instruction());
                    m.put("is_classification", g.classification());
                    List<Map<String, String>> inst = new ArrayList<>();
                    for (SeedTask.Instance i : g.instances()) {
                        inst.add(Map.of("input", i.input(), "output", i.output()));
                    }
                    m.put("instances", inst);
                    w.write(JSONL.writeValueAsString(m));
                    w.newLine();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static JobSummary run(SparkSession spark, InferenceOptions o) {
        long start = System.nanoTime();
        SelfInstructLoop.Result r = generate(spark, o);
        String target = JobIO.write(table(spark, r), o);
        String jsonl = o.get("jsonl");
        if (jsonl == null && o.get("output") != null && !o.get("output").contains("://")) {
            jsonl = o.get("output") + ".jsonl";
        }
        if (jsonl != null) {
            writeJsonl(r, Path.of(jsonl));
        }
        System.err.println("sparkinfer self-instruct: " + r.stats() + (jsonl == null ? "" : "; tasks in " + jsonl));
        return JobIO.summary(JobIO.readBack(spark, o), target, (System.nanoTime() - start) / 1e9, "self-instruct");
    }
}
