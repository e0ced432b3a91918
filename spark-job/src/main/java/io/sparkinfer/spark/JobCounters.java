package io.sparkinfer.spark;

import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/** The job's accumulators: rows done, error rows, prompt tokens, completion tokens. */
public record JobCounters(LongAccumulator rows, LongAccumulator errors, LongAccumulator promptTokens,
        LongAccumulator completionTokens) implements Serializable {

    public static JobCounters create(SparkContext sc) {
        return new JobCounters(sc.longAccumulator("sparkinfer.rows"), sc.longAccumulator("sparkinfer.errors"),
                sc.longAccumulator("sparkinfer.prompt_tokens"), sc.longAccumulator("sparkinfer.completion_tokens"));
    }

    long[] ids() {
        return new long[] {rows.id(), errors.id(), promptTokens.id(), completionTokens.id()};
    }
}
