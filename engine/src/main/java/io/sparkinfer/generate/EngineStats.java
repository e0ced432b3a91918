package io.sparkinfer.generate;

/**
 * Counters of a {@link BatchingEngine} since it started.
 *
 * @param steps          forward steps run
 * @param forwardTokens  tokens run through the model (prompt chunks, decode and score tokens)
 * @param reusedTokens   prompt positions copied from a shared prefix instead of computed
 * @param generated      tokens sampled
 * @param maxBatch       the most tokens one step carried
 */
public record EngineStats(long steps, long forwardTokens, long reusedTokens, long generated, int maxBatch) {
}
