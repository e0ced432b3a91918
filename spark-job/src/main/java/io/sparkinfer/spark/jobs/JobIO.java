package io.sparkinfer.spark.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparkinfer.spark.InferenceOptions;
import io.sparkinfer.spark.JobSummary;
import io.sparkinfer.spark.SparkInfer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import static org.apache.spark.sql.functions.col;

/**
 * Input, output and metrics files of the user jobs. Reads what {@link SparkInfer#readInput} reads
 * plus tab-separated files ({@code .tsv}, header line, no quoting: GLUE's format); adds an id
 * column when the input has none; writes a job's table with mode {@code overwrite} or
 * {@code error} (these multi-stage jobs do not resume); writes metrics as pretty JSON.
 */
public final class JobIO {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JobIO() {
    }

    public static Dataset<Row> read(SparkSession spark, InferenceOptions o) {
        String input = o.get("input");
        if (input == null) {
            throw new IllegalArgumentException("no input (option 'input': a Parquet/JSON-lines/CSV/TSV path or a table name)");
        }
        String fmt = o.get("input_format", input.toLowerCase(Locale.ROOT).endsWith(".tsv") ? "tsv" : "");
        if (fmt.equalsIgnoreCase("tsv")) {
            if (!input.contains("://") && !Files.exists(Path.of(input))) {
                throw new IllegalArgumentException("input " + input + " not found");
            }
            return spark.read().option("header", "true").option("sep", "\t").option("quote", "\u0000").csv(input);
        }
        if (!input.contains("://") && (input.contains("/") || input.contains(".jsonl") || input.contains(".parquet"))
                && !Files.exists(Path.of(input))) {
            throw new IllegalArgumentException("input " + input + " not found");
        }
        return SparkInfer.readInput(spark, o);
    }

    /**
     * The input with its id column: kept when present, else a {@code long} row number added with
     * {@code zipWithIndex} (stable for the same input files).
     */
    public static Dataset<Row> withId(Dataset<Row> input, String idCol) {
        if (List.of(input.columns()).contains(idCol)) {
            return input;
        }
        StructType schema = input.schema().add(idCol, DataTypes.LongType, false);
        JavaRDD<Row> rows = input.javaRDD().zipWithIndex().map(t -> {
            Object[] v = new Object[t._1().size() + 1];
            for (int i = 0; i < t._1().size(); i++) {
                v[i] = t._1().get(i);
            }
            v[v.length - 1] = t._2();
            return RowFactory.create(v);
        });
        return input.sparkSession().createDataFrame(rows, schema);
    }

    /** Fails with a message naming the missing column and the columns there are. */
    public static void requireColumn(Dataset<Row> df, String column, String option) {
        List<String> names = List.of(df.columns());
        if (!names.contains(column)) {
            throw new IllegalArgumentException("input has no column '" + column + "' (columns: " + names + "); set " + option);
        }
    }

    /** Writes a job's table to {@code output} (a path) or {@code output_table}; mode overwrite | error (default). */
    public static String write(Dataset<Row> out, InferenceOptions o) {
        String path = o.get("output");
        String table = o.get("output_table");
        if ((path == null) == (table == null)) {
            throw new IllegalArgumentException("give exactly one of 'output' (a path) and 'output_table' (a table name)");
        }
        String mode = o.get("mode", "error").toLowerCase(Locale.ROOT);
        SaveMode saveMode = switch (mode) {
            case "overwrite" -> SaveMode.Overwrite;
            case "error" -> SaveMode.ErrorIfExists;
            default -> throw new IllegalArgumentException("this job writes with mode overwrite or error (it does not resume), got '"
                    + mode + "'");
        };
        var writer = out.write().format(o.get("output_format", "parquet")).mode(saveMode);
        if (path != null) {
            writer.save(path);
            return path;
        }
        writer.saveAsTable(table);
        return table;
    }

    /** The folder for metrics files: option {@code metrics}, else {@code <output>_metrics} beside a local output path, else none. */
    public static Path metricsDir(InferenceOptions o) {
        String m = o.get("metrics");
        if (m != null) {
            return Path.of(m);
        }
        String out = o.get("output");
        if (out != null && !out.contains("://")) {
            return Path.of(out + "_metrics");
        }
        return null;
    }

    public static void writeJson(Path file, Object value) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            JSON.writeValue(file.toFile(), value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A {@link JobSummary} for a written table: rows and error rows counted from it. */
    public static JobSummary summary(Dataset<Row> written, String target, double seconds, String fingerprint) {
        List<String> cols = List.of(written.columns());
        long rows = written.count();
        long errors = cols.contains("error") ? written.filter(col("error").isNotNull()).count() : 0;
        long prompt = cols.contains("prompt_tokens") ? sumLong(written, "prompt_tokens") : 0;
        long completion = cols.contains("completion_tokens") ? sumLong(written, "completion_tokens") : 0;
        return new JobSummary(rows, errors, 0, prompt, completion, seconds, target, fingerprint);
    }

    private static long sumLong(Dataset<Row> df, String c) {
        Row r = df.agg(org.apache.spark.sql.functions.sum(col(c)).cast("long")).first();
        return r.isNullAt(0) ? 0 : r.getLong(0);
    }

    /** Reads the written output back (path or table). */
    public static Dataset<Row> readBack(SparkSession spark, InferenceOptions o) {
        String path = o.get("output");
        return path != null ? spark.read().format(o.get("output_format", "parquet")).load(path) : spark.table(o.get("output_table"));
    }

    static List<String> lines(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(what + " file " + file + " not found");
        }
        try {
            List<String> out = new ArrayList<>();
            for (String l : Files.readAllLines(file)) {
                if (!l.isBlank()) {
                    out.add(l.strip());
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + what + " file " + file + ": " + e.getMessage(), e);
        }
    }

    static ObjectMapper json() {
        return JSON;
    }

    static Map<String, Object> ordered() {
        return new java.util.LinkedHashMap<>();
    }
}
