package io.sparkinfer.score;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Log-likelihood, perplexity and label scoring on top of a {@link TokenScorer}. The pieces of
 * one call are submitted together, so a batching engine runs them side by side (and shares
 * their common prefix).
 */
public final class Scoring {
    private Scoring() {
    }

    /** {@code log P(continuation | prompt)}: the sum over the continuation's tokens. */
    public static double logLikelihood(TokenScorer scorer, int[] prompt, int[] continuation) {
        return sum(scorer.tokenLogprobs(concat(prompt, continuation), prompt.length).join());
    }

    /** Per-token log-probabilities of the continuation. */
    public static float[] tokenLogprobs(TokenScorer scorer, int[] prompt, int[] continuation) {
        return scorer.tokenLogprobs(concat(prompt, continuation), prompt.length).join();
    }

    /**
     * Scores each label after the prompt (computed once and shared). Each label's log-probability
     * is the sum over its tokens; probabilities are normalized over the label set.
     */
    public static LabelScores labels(TokenScorer scorer, int[] prompt, List<int[]> labels) {
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException("label scoring needs a non-empty prompt");
        }
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("label scoring needs at least one label");
        }
        List<CompletableFuture<float[]>> parts = new ArrayList<>();
        for (int[] label : labels) {
            if (label.length == 0) {
                throw new IllegalArgumentException("a label has no tokens");
            }
            parts.add(scorer.tokenLogprobs(concat(prompt, label), prompt.length));
        }
        double[] lp = new double[labels.size()];
        for (int i = 0; i < lp.length; i++) {
            lp[i] = sum(parts.get(i).join());
        }
        return LabelScores.of(lp);
    }

    /**
     * Perplexity with a sliding window: windows of at most {@code window} tokens start every
     * {@code stride} tokens; each scores only the tokens the previous window did not, with the
     * rest of its window as context (stride = window - 1: back-to-back chunks, fastest; a smaller stride
     * gives each token more context). Every token but the first is scored exactly once.
     */
    public static Perplexity perplexity(TokenScorer scorer, int[] tokens, int window, int stride) {
        if (tokens.length < 2) {
            throw new IllegalArgumentException("perplexity needs at least 2 tokens, got " + tokens.length);
        }
        // A window of w tokens runs w - 1 positions through the model (the last is only a target).
        window = Math.min(window, scorer.maxSequenceLength() + 1);
        if (window < 2 || stride < 1 || stride > window - 1) {
            throw new IllegalArgumentException("perplexity needs 2 <= window and 1 <= stride < window, got window "
                    + window + ", stride " + stride);
        }
        List<CompletableFuture<float[]>> parts = new ArrayList<>();
        int scoredUpTo = 1; // tokens [0, scoredUpTo) are done (token 0 has no context)
        for (int begin = 0; scoredUpTo < tokens.length; begin += stride) {
            int end = Math.min(begin + window, tokens.length);
            int[] w = Arrays.copyOfRange(tokens, begin, end);
            parts.add(scorer.tokenLogprobs(w, scoredUpTo - begin));
            scoredUpTo = end;
        }
        double nll = 0;
        int n = 0;
        for (CompletableFuture<float[]> f : parts) {
            float[] lp = f.join();
            nll -= sum(lp);
            n += lp.length;
        }
        return new Perplexity(StrictMath.exp(nll / n), nll, n, parts.size());
    }

    private static double sum(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
