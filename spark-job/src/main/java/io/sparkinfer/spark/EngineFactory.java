package io.sparkinfer.spark;

import io.sparkinfer.generate.BatchingEngine;
import io.sparkinfer.generate.EngineOptions;
import io.sparkinfer.generate.InferenceEngine;
import io.sparkinfer.model.Model;

/**
 * The one place that picks the engine implementation an executor replica runs: the engine's
 * continuous-batching {@link BatchingEngine} (its outputs equal the sequential reference engine's).
 */
public final class EngineFactory {
    private EngineFactory() {
    }

    /** KV cache budget when none is given: a quarter of the heap, at most 2 GiB. */
    public static long defaultKvBudgetBytes() {
        return Math.min(2L << 30, Runtime.getRuntime().maxMemory() / 4);
    }

    public static InferenceEngine create(Model model, TextCodec codec, int maxSeqLen) {
        return create(model, codec, maxSeqLen, 0);
    }

    /** {@code kvBudgetBytes <= 0}: {@link #defaultKvBudgetBytes()}. */
    public static InferenceEngine create(Model model, TextCodec codec, int maxSeqLen, long kvBudgetBytes) {
        long budget = kvBudgetBytes > 0 ? kvBudgetBytes : defaultKvBudgetBytes();
        EngineOptions options = EngineOptions.of(maxSeqLen, budget).withChoiceEncoder(s -> codec.encode(s, false));
        return new BatchingEngine(model, codec, options);
    }
}
