package io.sparkinfer.sampling;

import java.util.BitSet;

/**
 * The sampling stages, in the order {@link Sampler} runs them:
 * penalties -> temperature -> top-k -> top-p -> min-p -> draw.
 * Each stage is a plain function so it can be tested on hand-made logits.
 */
public final class SamplerChain {
    private SamplerChain() {
    }

    /**
     * Repetition penalty (CTRL-style: positive logits divided, negative multiplied) on every token
     * in {@code seen} (prompt and output), then presence and frequency penalties (OpenAI-style,
     * subtracted) on tokens generated so far ({@code counts[t]} times).
     */
    public static void applyPenalties(float[] row, int off, BitSet seen, int[] counts, float repetition,
            float presence, float frequency) {
        if (repetition != 1f && seen != null) {
            for (int t = seen.nextSetBit(0); t >= 0; t = seen.nextSetBit(t + 1)) {
                float v = row[off + t];
                row[off + t] = v > 0 ? v / repetition : v * repetition;
            }
        }
        if ((presence != 0f || frequency != 0f) && counts != null) {
            for (int t = 0; t < counts.length; t++) {
                if (counts[t] > 0) {
                    row[off + t] -= presence + frequency * counts[t];
                }
            }
        }
    }

    /** The highest logit's id (the lowest id among equals), as the reference engine picks it. */
    public static int argmax(float[] row, int off, int vocab) {
        int best = 0;
        float bestV = row[off];
        for (int i = 1; i < vocab; i++) {
            if (row[off + i] > bestV) {
                bestV = row[off + i];
                best = i;
            }
        }
        return best;
    }

    public static void temperature(Candidates c, float t) {
        if (t == 1f) {
            return;
        }
        for (int i = 0; i < c.size; i++) {
            c.logits[i] /= t;
        }
    }

    /** Keeps the k highest (k <= 0: all). */
    public static void topK(Candidates c, int k) {
        if (k <= 0 || k >= c.size) {
            return;
        }
        c.sortTop(k);
        c.truncateSorted(k);
    }

    /**
     * Keeps the smallest highest-first prefix whose probability mass reaches p (at least one
     * token). Probabilities are over all candidates; only a growing top slice is sorted (256,
     * then 4x more until the mass is reached), since the nucleus is usually a few tokens of a
     * 128K vocabulary.
     */
    public static void topP(Candidates c, float p) {
        if (p >= 1f) {
            return;
        }
        c.softmax();
        for (int k = Math.min(c.size, 256); ; k = Math.min(c.size, 4 * k)) {
            c.sortTop(k);
            c.reprobe(k);
            double cum = 0;
            for (int i = 0; i < k; i++) {
                cum += c.probs[i];
                if (cum >= p) {
                    c.truncateSorted(i + 1);
                    return;
                }
            }
            if (k == c.size) {
                c.truncateSorted(k);
                return;
            }
        }
    }

    /** Keeps tokens whose probability is at least minP times the top token's. */
    public static void minP(Candidates c, float minP) {
        if (minP <= 0f) {
            return;
        }
        c.softmax();
        double max = 0;
        for (int i = 0; i < c.size; i++) {
            max = Math.max(max, c.probs[i]);
        }
        double threshold = minP * max;
        int n = 0;
        for (int i = 0; i < c.size; i++) {
            if (c.probs[i] >= threshold) {
                c.ids[n] = c.ids[i];
                c.logits[n] = c.logits[i];
                n++;
            }
        }
        c.size = n;
    }

    /**
     * Picks a candidate with probability proportional to exp(logit): the first one whose
     * cumulative probability passes {@code u} in [0, 1), walking in the candidates' order.
     */
    public static int draw(Candidates c, double u) {
        if (c.size == 0) {
            throw new IllegalStateException("no token left to sample from (every token was masked out)");
        }
        c.softmax();
        double cum = 0;
        for (int i = 0; i < c.size; i++) {
            cum += c.probs[i];
            if (u < cum) {
                return c.ids[i];
            }
        }
        return c.ids[c.size - 1]; // u within rounding of 1
    }
}
