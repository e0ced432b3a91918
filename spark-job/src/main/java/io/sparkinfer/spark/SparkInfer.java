package io.sparkinfer.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import static org.apache.spark.sql.functions.col;

/**
 * The DataFrame API of the Spark job layer.
 *
 * <pre>{@code
 * InferenceOptions o = InferenceOptions.defaults()
 *         .with("model", "stories260K.gguf").with("id_col", "id").with("text_col", "prompt").with("max_tokens", 64);
 * Dataset<Row> out = SparkInfer.generate(df, o);              // lazy: id + result columns
 * JobSummary s = SparkInfer.write(df, o.with("output", "out/stories"));   // exactly once, resumable
 * }</pre>
 *
 * Data flow: input rows -> templating + tokenization ({@link EncodeFunction}, tokenizer broadcast)
 * -> inference ({@link InferFunction}, mapPartitions through the executor's {@link Replica}) -> rows
 * with {@link ResultSchema#flat}. No shuffle unless {@code partitions} asks for one, so both
 * stages run in one pass over each partition and nothing is collected.
 */
public final class SparkInfer {
    private SparkInfer() {
    }

    /** Kryo with our registrator, {@code registrationRequired=false}. Call before the session starts. */
    public static SparkConf configure(SparkConf conf) {
        return conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.kryo.registrator", SparkInferKryoRegistrator.class.getName())
                .set("spark.kryo.registrationRequired", "false");
    }

    /** The driver's one-time work: tokenizer (broadcast), context, labels, fingerprint. */
    public static PreparedJob prepare(SparkSession spark, InferenceOptions o) {
        TextCodecs.DriverModelInfo info = TextCodecs.inspect(o.handle());
        TextCodec codec = info.codec();
        int[][] labelIds = new int[0][];
        int labelRoom = 0;
        if (o.task() == Task.CLASSIFY) {
            List<String> labels = o.labels();
            if (labels.size() < 2) {
                throw new IllegalArgumentException("classify needs at least two labels (option 'labels', comma separated)");
            }
            labelIds = new int[labels.size()][];
            for (int i = 0; i < labelIds.length; i++) {
                labelIds[i] = codec.encode(labels.get(i), false);
                labelRoom = Math.max(labelRoom, labelIds[i].length);
            }
        }
        int budget = Math.max(1, o.maxPromptTokens(info.maxSeqLen()) - labelRoom);
        PromptEncoder encoder = new PromptEncoder(new PromptTemplate(o.template()), o.labels(), budget, o.overflow());
        Broadcast<TextCodec> b = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(codec);
        String fp = Fingerprint.of(info.modelHash(), codec.fingerprint(), o.outputAffecting());
        return new PreparedJob(o, b, info.maxSeqLen(), encoder, labelIds, fp);
    }

    /** The job's output rows for {@code input} (lazy): the id column, the result fields, the fingerprint. */
    public static Dataset<Row> generate(Dataset<Row> input, InferenceOptions o) {
        return infer(input, prepare(input.sparkSession(), o), null);
    }

    /** Templating + tokenization only: the id, prompt_ids, prompt_error (to inspect prompts). */
    public static Dataset<Row> encode(Dataset<Row> input, PreparedJob job) {
        StructType schema = input.schema();
        checkColumns(schema, job);
        int id = schema.fieldIndex(job.options().idCol());
        return input.mapPartitions(new EncodeFunction(job.codec(), job.encoder(), schema, new int[] {id}),
                Encoders.row(ResultSchema.encoded(List.of(schema.fields()[id]))));
    }

    static Dataset<Row> infer(Dataset<Row> input, PreparedJob job, JobCounters counters) {
        InferenceOptions o = job.options();
        int partitions = o.getInt("partitions", 0);
        if (partitions > 0) {
            input = input.repartition(partitions, col(o.idCol()));
        }
        Dataset<Row> encoded = encode(input, job);
        StructField id = input.schema().fields()[input.schema().fieldIndex(o.idCol())];
        return encoded.mapPartitions(
                new InferFunction(o.handle(), o, job.labelIds(), job.fingerprint(), counters, 0, 1, false),
                Encoders.row(ResultSchema.flat(id)));
    }

    /** For Transformers: every input column kept, plus one struct column of results. */
    public static Dataset<Row> withResultColumn(Dataset<Row> input, InferenceOptions o, String outputCol) {
        PreparedJob job = prepare(input.sparkSession(), o);
        StructType schema = input.schema();
        checkColumns(schema, job);
        int[] all = new int[schema.size()];
        Arrays.setAll(all, i -> i);
        List<StructField> fields = List.of(schema.fields());
        Dataset<Row> encoded = input.mapPartitions(new EncodeFunction(job.codec(), job.encoder(), schema, all),
                Encoders.row(ResultSchema.encoded(fields)));
        String idCol = o.get("id_col");
        int idIndex = idCol == null || idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
        return encoded.mapPartitions(
                new InferFunction(o.handle(), o, job.labelIds(), job.fingerprint(), null, idIndex, all.length, true),
                Encoders.row(ResultSchema.nested(fields, outputCol)));
    }

    private static void checkColumns(StructType schema, PreparedJob job) {
        List<String> need = new ArrayList<>(job.encoder().template().columns());
        String id = job.options().get("id_col", "id");
        need.add(id);
        List<String> names = List.of(schema.fieldNames());
        for (String c : need) {
            if (!names.contains(c)) {
                if (c.equals(id) && job.options().get("id_col") == null && !names.contains("id")) {
                    continue; // Transformers without an id column
                }
                throw new IllegalArgumentException("input has no column '" + c + "' (columns: " + names
                        + "); set id_col / text_col / template");
            }
        }
    }

    /** Reads the job's input: {@code input} with {@code input_format} parquet | json | csv | table (default: by extension). */
    public static Dataset<Row> readInput(SparkSession spark, InferenceOptions o) {
        String input = o.get("input");
        if (input == null) {
            throw new IllegalArgumentException("no input (option 'input': a Parquet/JSON-lines/CSV path or a table name)");
        }
        String fmt = o.get("input_format", guessFormat(input)).toLowerCase(Locale.ROOT);
        return switch (fmt) {
            case "table" -> spark.table(input);
            case "csv" -> spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"").csv(input);
            case "json", "jsonl" -> spark.read().json(input);
            default -> spark.read().format(fmt).load(input);
        };
    }

    static String guessFormat(String input) {
        String s = input.toLowerCase(Locale.ROOT);
        if (s.endsWith(".json") || s.endsWith(".jsonl")) {
            return "json";
        }
        if (s.endsWith(".csv")) {
            return "csv";
        }
        if (!s.contains("/") && !s.contains(".") || s.matches("[a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_]*")) {
            return "table";
        }
        return "parquet";
    }

    /** Reads the input and writes the output: {@link #write}. */
    public static JobSummary run(SparkSession spark, InferenceOptions o) {
        return write(readInput(spark, o), o);
    }

    /**
     * Runs the job over {@code input} and writes one row per input row to {@code output} (a path)
     * or {@code output_table} (saveAsTable), exactly once:
     * <ul>
     * <li>mode resume (default): when the output exists, its fingerprint must equal this job's
     * (else {@link IllegalStateException}); rows whose id is already there are skipped (anti-join
     * on the id) and only the missing ones are appended;</li>
     * <li>mode overwrite: replaces the output; mode error: fails when it exists.</li>
     * </ul>
     * A failed task's partial output is discarded by Spark's commit protocol and its retry writes
     * the same rows (per-row seeds).
     */
    public static JobSummary write(Dataset<Row> input, InferenceOptions o) {
        SparkSession spark = input.sparkSession();
        String path = o.get("output");
        String table = o.get("output_table");
        if ((path == null) == (table == null)) {
            throw new IllegalArgumentException("give exactly one of 'output' (a path) and 'output_table' (a table name)");
        }
        String target = path != null ? path : table;
        String mode = o.get("mode", "resume").toLowerCase(Locale.ROOT);
        PreparedJob job = prepare(spark, o);
        Dataset<Row> todo = input;
        long skipped = 0;
        SaveMode saveMode;
        boolean exists = path != null ? pathHasData(spark, path) : spark.catalog().tableExists(table);
        switch (mode) {
            case "resume" -> {
                saveMode = SaveMode.Append;
                if (exists) {
                    Dataset<Row> existing = path != null
                            ? spark.read().format(o.get("output_format", "parquet")).load(path) : spark.table(table);
                    checkFingerprint(existing, job.fingerprint(), target);
                    Dataset<Row> doneIds = existing.select(col(o.idCol()).as("__sparkinfer_done_id"));
                    todo = input.join(doneIds, input.col(o.idCol()).equalTo(col("__sparkinfer_done_id")), "left_anti");
                    skipped = input.count() - todo.count();
                }
            }
            case "overwrite" -> saveMode = SaveMode.Overwrite;
            case "error" -> saveMode = SaveMode.ErrorIfExists;
            default -> throw new IllegalArgumentException("mode must be resume, overwrite or error, got '" + mode + "'");
        }
        long total = todo.count();
        JobCounters counters = JobCounters.create(spark.sparkContext());
        long start = System.nanoTime();
        try (JobProgress progress = new JobProgress(counters, total, o.getInt("progress_interval_s", 10), System.err)) {
            spark.sparkContext().addSparkListener(progress);
            try {
                if (total > 0 || !exists) {
                    var writer = infer(todo, job, counters).write().format(o.get("output_format", "parquet")).mode(saveMode);
                    if (path != null) {
                        writer.save(path);
                    } else {
                        writer.saveAsTable(table);
                    }
                }
            } finally {
                spark.sparkContext().removeSparkListener(progress);
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        JobSummary summary = new JobSummary(counters.rows().value(), counters.errors().value(), skipped,
                counters.promptTokens().value(), counters.completionTokens().value(), secs, target, job.fingerprint());
        if (o.getBoolean("print_summary", true)) {
            System.err.println(summary);
        }
        return summary;
    }

    static void checkFingerprint(Dataset<Row> existing, String fingerprint, String target) {
        if (!List.of(existing.columns()).contains(ResultSchema.FINGERPRINT)) {
            throw new IllegalStateException("cannot resume into " + target + ": it has no '" + ResultSchema.FINGERPRINT
                    + "' column, so it was not written by a sparkinfer job; write to a new output or use mode=overwrite");
        }
        List<String> others = existing.select(ResultSchema.FINGERPRINT).distinct()
                .filter(col(ResultSchema.FINGERPRINT).notEqual(fingerprint)).limit(3)
                .as(Encoders.STRING()).collectAsList();
        if (!others.isEmpty()) {
            throw new IllegalStateException("refusing to resume into " + target + ": it was written with config fingerprint "
                    + others + " but this job's is " + fingerprint + " (the model file, tokenizer, template, task, "
                    + "labels or sampling options differ); write to a new output, or use mode=overwrite to replace it");
        }
    }

    static boolean pathHasData(SparkSession spark, String path) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(p)) {
                return false;
            }
            for (var st : fs.listStatus(p)) {
                String n = st.getPath().getName();
                if (!n.startsWith("_") && !n.startsWith(".")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check output " + path, e);
        }
    }

    /** Registers llm_generate, llm_classify and llm_summarize on the session ({@link SqlFunctions}). */
    public static void registerFunctions(SparkSession spark, InferenceOptions o) {
        SqlFunctions.register(spark, o);
    }
}
