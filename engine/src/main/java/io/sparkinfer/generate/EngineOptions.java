package io.sparkinfer.generate;

import java.util.function.Function;

/**
 * How a {@link BatchingEngine} is sized.
 *
 * @param maxSeqLen        positions per sequence (prompt + output), capped by the model's context
 * @param kvBudgetBytes    memory for the KV cache; it holds this / (bytes per sequence) sequences,
 *                         and requests queue when every slot is busy
 * @param maxBatchTokens   tokens per forward step: all decoding sequences' next tokens plus prompt
 *                         chunks up to this many
 * @param minSharedPrefix  shortest cached prefix worth copying instead of recomputing
 * @param choiceEncoder    token ids of a choice string (a tokenizer's encode without BOS), needed
 *                         for requests with {@code choices}; null when there is no tokenizer
 */
public record EngineOptions(int maxSeqLen, long kvBudgetBytes, int maxBatchTokens, int minSharedPrefix,
        Function<String, int[]> choiceEncoder) {

    public EngineOptions {
        if (maxSeqLen < 2) throw new IllegalArgumentException("maxSeqLen must be >= 2, got " + maxSeqLen);
        if (kvBudgetBytes <= 0) throw new IllegalArgumentException("KV budget must be > 0 bytes");
        if (maxBatchTokens < 1) throw new IllegalArgumentException("maxBatchTokens must be >= 1");
        if (minSharedPrefix < 1) throw new IllegalArgumentException("minSharedPrefix must be >= 1");
    }

    /** 512-token steps, prefixes of 4+ tokens shared, no choice encoder. */
    public static EngineOptions of(int maxSeqLen, long kvBudgetBytes) {
        return new EngineOptions(maxSeqLen, kvBudgetBytes, 512, 4, null);
    }

    public EngineOptions withMaxBatchTokens(int n) {
        return new EngineOptions(maxSeqLen, kvBudgetBytes, n, minSharedPrefix, choiceEncoder);
    }

    public EngineOptions withMinSharedPrefix(int n) {
        return new EngineOptions(maxSeqLen, kvBudgetBytes, maxBatchTokens, n, choiceEncoder);
    }

    public EngineOptions withChoiceEncoder(Function<String, int[]> e) {
        return new EngineOptions(maxSeqLen, kvBudgetBytes, maxBatchTokens, minSharedPrefix, e);
    }
}
