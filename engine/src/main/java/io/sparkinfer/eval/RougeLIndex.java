package io.sparkinfer.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pool of texts that answers "does any member have ROUGE-L F above a threshold with this
 * candidate?" without computing the LCS against every member: the LCS is at most the clipped
 * unigram overlap, so an inverted index counts overlaps first and only members whose bound can
 * pass get the exact LCS. With tens of thousands of short instructions most members share no
 * or few words with a candidate, so the exact work stays small.
 */
public final class RougeLIndex {
    private final Map<String, Integer> vocab = new HashMap<>();
    private final List<int[]> members = new ArrayList<>();
    private final Map<Integer, List<Integer>> postings = new HashMap<>(); // token id -> member ids (one entry per occurrence)
    /** Exact LCS computations performed, for tests and tuning. */
    private long exactChecks;

    public int size() {
        return members.size();
    }

    public long exactChecks() {
        return exactChecks;
    }

    public void add(String text) {
        int[] ids = intern(RougeTokenizer.tokens(text));
        int id = members.size();
        members.add(ids);
        for (int t : ids) {
            postings.computeIfAbsent(t, k -> new ArrayList<>()).add(id);
        }
    }

    /** The highest ROUGE-L F of {@code text} against the pool if it exceeds {@code threshold}, else -1. */
    public double maxAbove(String text, double threshold) {
        int[] cand = intern(RougeTokenizer.tokens(text));
        if (cand.length == 0 || members.isEmpty()) {
            return -1;
        }
        Map<Integer, Integer> candCounts = new HashMap<>();
        for (int t : cand) {
            candCounts.merge(t, 1, Integer::sum);
        }
        // overlap[m] = sum over tokens of min(count in candidate, count in member)
        Map<Integer, Integer> overlap = new HashMap<>();
        for (Map.Entry<Integer, Integer> e : candCounts.entrySet()) {
            List<Integer> list = postings.get(e.getKey());
            if (list == null) {
                continue;
            }
            Map<Integer, Integer> perMember = new HashMap<>();
            for (int m : list) {
                perMember.merge(m, 1, Integer::sum);
            }
            for (Map.Entry<Integer, Integer> pm : perMember.entrySet()) {
                overlap.merge(pm.getKey(), Math.min(pm.getValue(), e.getValue()), Integer::sum);
            }
        }
        double best = -1;
        for (Map.Entry<Integer, Integer> e : overlap.entrySet()) {
            int[] m = members.get(e.getKey());
            if (f1(e.getValue(), cand.length, m.length) <= threshold) {
                continue; // even a perfect subsequence of the shared words could not pass
            }
            exactChecks++;
            double f = f1(Rouge.lcs(cand, m), cand.length, m.length);
            if (f > threshold && f > best) {
                best = f;
            }
        }
        return best;
    }

    private static double f1(int lcs, int c, int r) {
        if (lcs == 0) {
            return 0;
        }
        double p = (double) lcs / c, rr = (double) lcs / r;
        return 2 * p * rr / (p + rr);
    }

    private int[] intern(List<String> tokens) {
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = vocab.computeIfAbsent(tokens.get(i), k -> vocab.size());
        }
        return ids;
    }
}
