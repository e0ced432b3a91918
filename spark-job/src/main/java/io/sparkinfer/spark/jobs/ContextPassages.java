package io.sparkinfer.spark.jobs;

import io.sparkinfer.spark.InferenceOptions;
import io.sparkinfer.spark.JobSummary;
import io.sparkinfer.spark.SparkInfer;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

/**
 * Retrieval-augmented generation: a column of retrieved passages (array of strings, or one string)
 * formatted into text that the prompt template reads with {@code {<context_col>}}. An array becomes
 * numbered passages {@code [1] ...\n[2] ...}, at most {@code context_max_passages} (5), each cut to
 * {@code context_max_chars} (1000) characters; a null or empty list becomes "(no passages)". The
 * prompt's overflow policy still bounds the whole prompt.
 *
 * <p>Default template when the job names none: {@link #DEFAULT_TEMPLATE} with the text and context
 * columns.
 */
public final class ContextPassages {
    public static final String DEFAULT_TEMPLATE = "Answer the question using the passages.\n\nPassages:\n{context}\n\n"
            + "Question: {text}\nAnswer:";
    public static final String NONE = "(no passages)";

    private ContextPassages() {
    }

    /** {@code input} with {@code contextCol} replaced by its formatted text. */
    public static Dataset<Row> withContext(Dataset<Row> input, String contextCol, int maxPassages, int maxChars) {
        JobIO.requireColumn(input, contextCol, "context_col");
        DataType t = input.schema().apply(contextCol).dataType();
        String c = "`" + contextCol.replace("`", "``") + "`";
        Column formatted;
        if (t instanceof ArrayType) {
            formatted = expr("concat_ws('\\n', transform(slice(filter(" + c + ", p -> p IS NOT NULL AND trim(p) <> ''), 1, "
                    + maxPassages + "), (p, i) -> concat('[', i + 1, '] ', substring(trim(p), 1, " + maxChars + "))))");
        } else if (t.equals(DataTypes.StringType)) {
            formatted = expr("substring(trim(" + c + "), 1, " + (maxChars * maxPassages) + ")");
        } else {
            throw new IllegalArgumentException("context column '" + contextCol + "' must be a string or an array of strings, got "
                    + t.simpleString());
        }
        formatted = when(formatted.isNull().or(formatted.equalTo("")), lit(NONE)).otherwise(formatted);
        return input.withColumn(contextCol, formatted);
    }

    /** The generate options with the context's template (the default one when none is set). */
    public static InferenceOptions options(InferenceOptions o) {
        String ctx = o.get("context_col");
        if (o.get("template") != null) {
            if (!o.get("template").contains("{" + ctx + "}")) {
                throw new IllegalArgumentException("the template does not read the context column: add {" + ctx + "} to it");
            }
            return o;
        }
        List<String> text = o.textCols();
        return o.with("template", DEFAULT_TEMPLATE.replace("{context}", "{" + ctx + "}").replace("{text}", "{" + text.get(0) + "}"));
    }

    public static Dataset<Row> generate(Dataset<Row> input, InferenceOptions o) {
        InferenceOptions job = options(o);
        return SparkInfer.generate(withContext(input, o.get("context_col"), o.getInt("context_max_passages", 5),
                o.getInt("context_max_chars", 1000)), job);
    }

    /** The subcommand: generate with --context-col, written exactly once (resumable) like generate. */
    public static JobSummary run(SparkSession spark, InferenceOptions o) {
        InferenceOptions job = options(o);
        Dataset<Row> in = withContext(SparkInfer.readInput(spark, job), o.get("context_col"), o.getInt("context_max_passages", 5),
                o.getInt("context_max_chars", 1000));
        return SparkInfer.write(in, job);
    }
}
