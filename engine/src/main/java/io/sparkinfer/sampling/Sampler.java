package io.sparkinfer.sampling;

import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * One sequence's sampler: its parameters, its own random stream, and the token history the
 * penalties need. The stream is seeded from the sequence's seed alone and advances exactly once
 * per sampled token, so the same (seed, prompt) yields the same tokens whatever else is batched.
 */
public final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;
    private final BitSet seen;   // prompt + output tokens, for the repetition penalty (null: unused)
    private final int[] counts;  // output token counts, for presence/frequency (null: unused)
    private final Candidates candidates = new Candidates();

    public Sampler(SamplingParams params, long seed, int[] prompt, int vocab) {
        this.params = params;
        this.random = new SplittableRandom(seed);
        if (params.repetitionPenalty() != 1f) {
            seen = new BitSet(vocab);
            for (int t : prompt) {
                seen.set(t);
            }
        } else {
            seen = null;
        }
        counts = params.presencePenalty() != 0f || params.frequencyPenalty() != 0f ? new int[vocab] : null;
    }

    public SamplingParams params() {
        return params;
    }

    /**
     * Picks the next token from a row of logits, which it modifies in place (penalties;
     * masked-out tokens must already be at negative infinity).
     */
    public int sample(float[] row, int off, int vocab) {
        SamplerChain.applyPenalties(row, off, seen, counts, params.repetitionPenalty(), params.presencePenalty(),
                params.frequencyPenalty());
        if (params.temperature() == 0f) {
            return SamplerChain.argmax(row, off, vocab);
        }
        Candidates c = candidates;
        c.load(row, off, vocab);
        SamplerChain.temperature(c, params.temperature());
        SamplerChain.topK(c, params.topK());
        SamplerChain.topP(c, params.topP());
        SamplerChain.minP(c, params.minP());
        return SamplerChain.draw(c, random.nextDouble());
    }

    /** Records a token chosen for this sequence (it counts for the penalties from now on). */
    public void accept(int token) {
        if (seen != null) {
            seen.set(token);
        }
        if (counts != null) {
            counts[token]++;
        }
    }
}
