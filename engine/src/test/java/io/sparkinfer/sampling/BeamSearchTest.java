package io.sparkinfer.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A hand-made model over 4 tokens (0 = end, 1 = A, 2 = B, 3 = C) where the greedy first token
 * leads to a worse sequence: P(A) = 0.55 but after A every continuation is flat; P(B) = 0.45 and
 * after B, C is near certain, then the end.
 */
class BeamSearchTest {
    static final int V = 4;

    /** Next-token probabilities given the generated prefix. */
    static double[] dist(int[] prefix) {
        if (prefix.length == 0) {
            return new double[] {0.0, 0.55, 0.45, 0.0};
        }
        int last = prefix[prefix.length - 1];
        if (prefix.length >= 3) {
            return new double[] {1.0, 0, 0, 0};
        }
        return switch (last) {
            case 1 -> new double[] {0.25, 0.25, 0.25, 0.25};
            case 2 -> new double[] {0.02, 0.01, 0.01, 0.96};
            case 3 -> new double[] {0.97, 0.01, 0.01, 0.01};
            default -> new double[] {0.25, 0.25, 0.25, 0.25};
        };
    }

    /** A LogitsSource over {@link #dist}, checking the parent/token bookkeeping it is given. */
    static final class Table implements LogitsSource {
        final Function<int[], double[]> model;
        List<int[]> beams = new ArrayList<>();
        int steps;

        Table(Function<int[], double[]> model) {
            this.model = model;
        }

        @Override
        public int vocabSize() {
            return V;
        }

        @Override
        public float[] start(int[] prompt) {
            beams = List.of(new int[0]);
            return logits(beams);
        }

        @Override
        public float[] step(int[] parents, int[] tokens) {
            steps++;
            List<int[]> next = new ArrayList<>();
            for (int i = 0; i < tokens.length; i++) {
                int[] p = beams.get(parents[i]);
                int[] t = Arrays.copyOf(p, p.length + 1);
                t[p.length] = tokens[i];
                next.add(t);
            }
            beams = next;
            return logits(beams);
        }

        private float[] logits(List<int[]> bs) {
            float[] out = new float[bs.size() * V];
            for (int b = 0; b < bs.size(); b++) {
                double[] d = model.apply(bs.get(b));
                for (int t = 0; t < V; t++) {
                    out[b * V + t] = (float) Math.log(Math.max(d[t], 1e-12));
                }
            }
            return out;
        }
    }

    @Test
    void widthOneIsGreedyAndMissesTheBestSequence() {
        BeamResult r = BeamSearch.run(new Table(BeamSearchTest::dist), new int[] {9}, 1, 0f, 5, t -> t == 0);
        assertEquals(1, r.tokens()[0], "greedy takes A first");
    }

    @Test
    void widerBeamFindsTheMostLikelySequence() {
        Table src = new Table(BeamSearchTest::dist);
        BeamResult r = BeamSearch.run(src, new int[] {9}, 2, 0f, 5, t -> t == 0);
        assertArrayEquals(new int[] {2, 3}, r.tokens());
        assertTrue(r.finished(), r.toString() + java.util.Arrays.toString(r.tokens()));
        assertEquals(Math.log(0.45) + Math.log(0.96) + Math.log(0.97), r.logprob(), 1e-5);
        assertTrue(src.steps <= 5);
    }

    @Test
    void lengthPenaltyAndBudget() {
        BeamResult cut = BeamSearch.run(new Table(BeamSearchTest::dist), new int[] {9}, 2, 1f, 1, t -> t == 0);
        assertEquals(1, cut.tokens().length);
        assertEquals(false, cut.finished());
        assertEquals(2, cut.tokens()[0] == 2 || cut.tokens()[0] == 1 ? 2 : -1);
        BeamResult none = BeamSearch.run(new Table(BeamSearchTest::dist), new int[] {9}, 2, 1f, 0, t -> t == 0);
        assertEquals(0, none.tokens().length);
    }

    @Test
    void exhaustiveCheckOnARandomTable() {
        // Width = all sequences of length 2 over 3 non-end tokens: beam search must return the argmax.
        java.util.Random rnd = new java.util.Random(5);
        double[][] t = new double[16][];
        Function<int[], double[]> m = prefix -> {
            int key = prefix.length == 0 ? 0 : prefix.length == 1 ? prefix[0] : 4 + prefix[0] * 4 + prefix[1];
            if (prefix.length >= 2) {
                return new double[] {1, 0, 0, 0};
            }
            if (t[key] == null) {
                double[] d = new double[V];
                double s = 0;
                for (int i = 1; i < V; i++) {
                    d[i] = rnd.nextDouble();
                    s += d[i];
                }
                for (int i = 1; i < V; i++) {
                    d[i] /= s;
                }
                t[key] = d;
            }
            return t[key];
        };
        double best = Double.NEGATIVE_INFINITY;
        int[] arg = null;
        for (int a = 1; a < V; a++) {
            for (int b = 1; b < V; b++) {
                double lp = Math.log(m.apply(new int[0])[a]) + Math.log(m.apply(new int[] {a})[b]);
                if (lp > best) {
                    best = lp;
                    arg = new int[] {a, b};
                }
            }
        }
        BeamResult r = BeamSearch.run(new Table(m), new int[] {9}, 9, 0f, 3, x -> x == 0);
        assertArrayEquals(arg, r.tokens());
    }
}
