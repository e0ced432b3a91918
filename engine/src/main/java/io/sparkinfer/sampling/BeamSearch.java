package io.sparkinfer.sampling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Beam search: keeps the {@code width} most likely partial sequences; each step expands every
 * beam by its best tokens, finished hypotheses (an end token) are set aside with the score
 * {@code logprob / length^lengthPenalty}, and the search stops when {@code width} hypotheses have
 * finished or the token budget is spent. Deterministic: ties break by beam order, then token id.
 */
public final class BeamSearch {
    private BeamSearch() {
    }

    private record Hyp(int[] tokens, double logprob) {
    }

    private record Expansion(int parent, int token, double logprob) {
    }

    public static BeamResult run(LogitsSource source, int[] prompt, int width, float lengthPenalty, int maxTokens,
            IntPredicate isEnd) {
        if (width < 1) {
            throw new IllegalArgumentException("beam width must be >= 1, got " + width);
        }
        int vocab = source.vocabSize();
        List<Hyp> finished = new ArrayList<>();
        List<Hyp> beams = List.of(new Hyp(new int[0], 0));
        if (maxTokens == 0) {
            return new BeamResult(new int[0], 0, 0, false);
        }
        float[] logits = source.start(prompt);
        for (int step = 0; step < maxTokens; step++) {
            // Expand every beam by its 2*width best tokens (enough to refill the beam after ends).
            List<Expansion> cands = new ArrayList<>();
            for (int b = 0; b < beams.size(); b++) {
                double[] lp = logSoftmax(logits, b * vocab, vocab);
                for (int t : topIds(lp, 2 * width)) {
                    cands.add(new Expansion(b, t, beams.get(b).logprob + lp[t]));
                }
            }
            cands.sort(Comparator.comparingDouble((Expansion e) -> -e.logprob)
                    .thenComparingInt(Expansion::parent).thenComparingInt(Expansion::token));
            List<Hyp> next = new ArrayList<>();
            List<Integer> parents = new ArrayList<>();
            List<Integer> tokens = new ArrayList<>();
            for (int rank = 0; rank < cands.size(); rank++) {
                Expansion e = cands.get(rank);
                int[] prefix = beams.get(e.parent).tokens;
                if (isEnd.test(e.token)) {
                    // An end counts only when it ranks among the best `width` (as Hugging Face does):
                    // an unlikely end of a poor beam must not fill the finished set.
                    if (rank < width && finished.size() < width) {
                        finished.add(new Hyp(prefix, e.logprob));
                    }
                } else if (next.size() < width) {
                    int[] t = Arrays.copyOf(prefix, prefix.length + 1);
                    t[prefix.length] = e.token;
                    next.add(new Hyp(t, e.logprob));
                    parents.add(e.parent);
                    tokens.add(e.token);
                }
                if (next.size() == width && rank >= width) {
                    break;
                }
            }
            beams = next;
            if (finished.size() >= width || beams.isEmpty() || step == maxTokens - 1) {
                break;
            }
            logits = source.step(parents.stream().mapToInt(Integer::intValue).toArray(),
                    tokens.stream().mapToInt(Integer::intValue).toArray());
        }
        // Best by length-normalized score; unfinished beams compete only when the budget, not
        // a full set of finished hypotheses, ended the search (as in Hugging Face's finalize).
        BeamResult best = null;
        for (Hyp h : finished) {
            best = better(best, h, lengthPenalty, true);
        }
        if (finished.size() < width) {
            for (Hyp h : beams) {
                best = better(best, h, lengthPenalty, false);
            }
        }
        return best;
    }

    private static BeamResult better(BeamResult best, Hyp h, float lengthPenalty, boolean finished) {
        double score = h.logprob / Math.pow(Math.max(1, h.tokens.length), lengthPenalty);
        if (best == null || score > best.score()) {
            return new BeamResult(h.tokens, h.logprob, score, finished);
        }
        return best;
    }

    static double[] logSoftmax(float[] logits, int off, int n) {
        double lse = io.sparkinfer.generate.LogProbs.logSumExp(logits, off, n);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = logits[off + i] - lse;
        }
        return out;
    }

    /** The k highest entries' indices, highest first, ties by lower index. */
    static int[] topIds(double[] v, int k) {
        k = Math.min(k, v.length);
        int[] best = new int[k];
        int n = 0;
        for (int i = 0; i < v.length; i++) {
            if (n < k) {
                best[n++] = i;
            } else if (v[i] > v[best[k - 1]]) {
                best[k - 1] = i;
            } else {
                continue;
            }
            // insertion step to keep best[] sorted descending (stable for ties: earlier index first)
            for (int j = n - 1; j > 0 && v[best[j]] > v[best[j - 1]]; j--) {
                int tmp = best[j];
                best[j] = best[j - 1];
                best[j - 1] = tmp;
            }
        }
        return best;
    }
}
