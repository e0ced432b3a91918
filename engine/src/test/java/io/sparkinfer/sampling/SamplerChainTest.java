package io.sparkinfer.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every stage of the chain on hand-made logits, then the chain as a whole. */
class SamplerChainTest {

    static Candidates load(float... logits) {
        Candidates c = new Candidates();
        c.load(logits, 0, logits.length);
        return c;
    }

    static int[] ids(Candidates c) {
        int[] out = new int[c.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = c.id(i);
        }
        return out;
    }

    @Test
    void penaltiesFollowTheirDefinitions() {
        float[] row = {2f, -2f, 1f, 0.5f};
        BitSet seen = new BitSet();
        seen.set(0);
        seen.set(1);
        int[] counts = {0, 0, 3, 1};
        SamplerChain.applyPenalties(row, 0, seen, counts, 2f, 0.5f, 0.25f);
        // repetition: positive divided, negative multiplied; presence + frequency * count subtracted
        assertArrayEquals(new float[] {1f, -4f, 1f - 0.5f - 0.75f, 0.5f - 0.5f - 0.25f}, row, 1e-6f);
    }

    @Test
    void loadDropsMaskedTokensAndSortIsDescendingWithIdTies() {
        Candidates c = load(1f, Float.NEGATIVE_INFINITY, 3f, 1f, -2f);
        assertEquals(4, c.size());
        c.sort();
        assertArrayEquals(new int[] {2, 0, 3, 4}, ids(c));
        assertEquals(-2f, c.logit(3));
    }

    @Test
    void temperatureDividesLogits() {
        Candidates c = load(1f, 2f);
        SamplerChain.temperature(c, 0.5f);
        assertEquals(2f, c.logit(0));
        assertEquals(4f, c.logit(1));
    }

    @Test
    void topKKeepsTheKHighest() {
        Candidates c = load(0f, 5f, 3f, 4f, 1f);
        SamplerChain.topK(c, 2);
        assertArrayEquals(new int[] {1, 3}, ids(c));
        Candidates all = load(0f, 5f);
        SamplerChain.topK(all, 0);
        assertEquals(2, all.size());
    }

    @Test
    void topPKeepsTheSmallestPrefixReachingTheMass() {
        // probabilities 0.5, 0.25, 0.125, 0.125
        float l = (float) Math.log(2);
        Candidates c = load(3 * l, 2 * l, l, l);
        SamplerChain.topP(c, 0.7f);
        assertArrayEquals(new int[] {0, 1}, ids(c));
        Candidates d = load(3 * l, 2 * l, l, l);
        SamplerChain.topP(d, 0.5f);
        assertArrayEquals(new int[] {0}, ids(d));
        Candidates e = load(3 * l, 2 * l, l, l);
        SamplerChain.topP(e, 0.8f);
        assertArrayEquals(new int[] {0, 1, 2}, ids(e));
    }

    /** A 128K-token row with many tied logits (values on a coarse grid), as a real vocabulary. */
    static float[] bigRow(long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] row = new float[128_256];
        for (int i = 0; i < row.length; i++) {
            row[i] = Math.round(r.nextDouble(-8, 8) * 4) / 4f;
        }
        return row;
    }

    @Test
    void sortTopGivesTheFullSortsPrefixOnABigVocabulary() {
        float[] row = bigRow(7);
        Candidates full = load(row);
        full.sort();
        for (int k : new int[] {1, 40, 256, 5000}) {
            Candidates part = load(row);
            part.sortTop(k);
            for (int i = 0; i < k; i++) {
                assertEquals(full.id(i), part.id(i), "k " + k + " position " + i);
                assertEquals(full.logit(i), part.logit(i));
            }
        }
    }

    @Test
    void topPAndTopKOnABigVocabularyMatchAFullSortReference() {
        float[] row = bigRow(11);
        // Reference: sort everything, softmax in double over all tokens, cut at the mass.
        Candidates ref = load(row);
        ref.sort();
        double max = ref.logit(0);
        double sum = 0;
        for (int i = 0; i < ref.size(); i++) {
            sum += StrictMath.exp(ref.logit(i) - max);
        }
        // p = 0.3 needs a nucleus of thousands of tokens here: the slice grows past 256 several times.
        for (float p : new float[] {0.001f, 0.3f, 0.9f}) {
            int expected = 0;
            double cum = 0;
            while (cum < p) {
                cum += StrictMath.exp(ref.logit(expected) - max) / sum;
                expected++;
            }
            Candidates c = load(row);
            SamplerChain.topP(c, p);
            assertEquals(expected, c.size(), "nucleus size at p " + p);
            for (int i = 0; i < c.size(); i++) {
                assertEquals(ref.id(i), c.id(i));
            }
        }
        Candidates k = load(row);
        SamplerChain.topK(k, 50);
        assertEquals(50, k.size());
        for (int i = 0; i < 50; i++) {
            assertEquals(ref.id(i), k.id(i));
        }
    }

    @Test
    void minPDropsTokensBelowTheFractionOfTheTop() {
        float l = (float) Math.log(2);
        Candidates c = load(l, 3 * l, 0, 2 * l); // p relative to top: 1/4, 1, 1/8, 1/2
        SamplerChain.minP(c, 0.3f);
        assertArrayEquals(new int[] {1, 3}, ids(c)); // order kept when unsorted
    }

    @Test
    void drawWalksTheCumulativeDistribution() {
        float l = (float) Math.log(3);
        Candidates c = load(l, 0f); // p = 0.75, 0.25
        assertEquals(0, SamplerChain.draw(c, 0.0));
        assertEquals(0, SamplerChain.draw(c, 0.74));
        assertEquals(1, SamplerChain.draw(c, 0.76));
        assertEquals(1, SamplerChain.draw(c, 0.999999));
    }

    @Test
    void greedyIsArgmaxAfterPenaltiesWithLowestIdOnTies() {
        SamplingParams p = SamplingParams.greedy(10);
        Sampler s = new Sampler(p, 0, new int[0], 4);
        assertEquals(1, s.sample(new float[] {1f, 3f, 3f, 2f}, 0, 4));
        Sampler rep = new Sampler(p.withRepetitionPenalty(2f), 0, new int[] {1}, 4);
        assertEquals(2, rep.sample(new float[] {1f, 3f, 3f, 2f}, 0, 4));
    }

    @Test
    void sameSeedSameDrawsAndTheDistributionIsRespected() {
        SamplingParams p = SamplingParams.sample(1f, 1f, 42, 10);
        float[] logits = {0f, (float) Math.log(3), Float.NEGATIVE_INFINITY};
        Sampler a = new Sampler(p, 42, new int[0], 3);
        Sampler b = new Sampler(p, 42, new int[0], 3);
        int ones = 0;
        for (int i = 0; i < 4000; i++) {
            int x = a.sample(logits.clone(), 0, 3);
            assertEquals(x, b.sample(logits.clone(), 0, 3));
            assertTrue(x != 2, "a masked token was drawn");
            ones += x;
        }
        assertEquals(0.75, ones / 4000.0, 0.03);
    }

    @Test
    void topKOneAtAnyTemperatureIsGreedy() {
        SamplingParams p = SamplingParams.sample(5f, 1f, 7, 10).withTopK(1);
        Sampler s = new Sampler(p, 7, new int[0], 5);
        for (int i = 0; i < 50; i++) {
            assertEquals(3, s.sample(new float[] {0f, 1f, 2f, 3f, -1f}, 0, 5));
        }
    }

    @Test
    void chainAppliesStagesInOrder() {
        // top-k 3 then top-p 0.6 then min-p: only tokens 4 and 1 can survive.
        SamplingParams p = SamplingParams.sample(1f, 0.6f, 1, 10).withTopK(3).withMinP(0.1f);
        Sampler s = new Sampler(p, 1, new int[0], 5);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            seen.add(s.sample(new float[] {0f, 2f, 1f, -1f, 2.2f}, 0, 5));
        }
        assertEquals(Set.of(4, 1), seen);
    }

    @Test
    void derivedSeedsKeepSampleZeroAndDiffer() {
        assertEquals(99L, Seeds.derive(99L, 0));
        assertTrue(Seeds.derive(99L, 1) != Seeds.derive(99L, 2));
    }
}
