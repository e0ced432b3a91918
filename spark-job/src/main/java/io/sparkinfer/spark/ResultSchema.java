package io.sparkinfer.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The schemas between the stages and of the output. */
public final class ResultSchema {
    public static final String PROMPT_IDS = "prompt_ids";
    public static final String PROMPT_ERROR = "prompt_error";
    public static final String FINGERPRINT = "fingerprint";

    /**
     * Per-row result fields, in this order: output (text or chosen label), finish_reason
     * (stop|length|error), prompt_tokens, completion_tokens, logprob (sum over the generated or
     * scored tokens; null when not asked for), perplexity (score task), label_scores (classify:
     * label -> log-probability), error (null unless finish_reason is error), latency_ms.
     */
    public static final StructType RESULT = new StructType(new StructField[] {
        DataTypes.createStructField("output", DataTypes.StringType, true),
        DataTypes.createStructField("finish_reason", DataTypes.StringType, false),
        DataTypes.createStructField("prompt_tokens", DataTypes.IntegerType, false),
        DataTypes.createStructField("completion_tokens", DataTypes.IntegerType, false),
        DataTypes.createStructField("logprob", DataTypes.DoubleType, true),
        DataTypes.createStructField("perplexity", DataTypes.DoubleType, true),
        DataTypes.createStructField("label_scores",
                DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false), true),
        DataTypes.createStructField("error", DataTypes.StringType, true),
        DataTypes.createStructField("latency_ms", DataTypes.LongType, false),
    });

    private ResultSchema() {
    }

    /** Templating stage output: the passthrough fields, then prompt_ids, prompt_error. */
    public static StructType encoded(List<StructField> passthrough) {
        List<StructField> f = new ArrayList<>(passthrough);
        f.add(DataTypes.createStructField(PROMPT_IDS, DataTypes.createArrayType(DataTypes.IntegerType, false), true));
        f.add(DataTypes.createStructField(PROMPT_ERROR, DataTypes.StringType, true));
        return new StructType(f.toArray(StructField[]::new));
    }

    /** The job's output table: the id, the result fields, the fingerprint. */
    public static StructType flat(StructField id) {
        List<StructField> f = new ArrayList<>();
        f.add(id);
        f.addAll(List.of(RESULT.fields()));
        f.add(DataTypes.createStructField(FINGERPRINT, DataTypes.StringType, false));
        return new StructType(f.toArray(StructField[]::new));
    }

    /** A Transformer's output: the input columns, then one struct column of result fields. */
    public static StructType nested(List<StructField> passthrough, String outputCol) {
        List<StructField> f = new ArrayList<>(passthrough);
        f.add(DataTypes.createStructField(outputCol, RESULT, false));
        return new StructType(f.toArray(StructField[]::new));
    }
}
