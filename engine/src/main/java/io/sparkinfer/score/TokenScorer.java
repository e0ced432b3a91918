package io.sparkinfer.score;

import java.util.concurrent.CompletableFuture;

/**
 * What scoring needs from an engine: the log-probability the model gives each token of a
 * sequence given the tokens before it.
 */
public interface TokenScorer {

    int vocabSize();

    /** The longest sequence one call can score (the engine's context). */
    int maxSequenceLength();

    /**
     * {@code out[i] = log P(tokens[from + i] | tokens[0 .. from + i))} for every i, from
     * {@code from >= 1} to the end. Fails (exceptionally) on a sequence longer than
     * {@link #maxSequenceLength} or ids outside the vocabulary.
     */
    CompletableFuture<float[]> tokenLogprobs(int[] tokens, int from);
}
