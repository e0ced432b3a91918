package io.sparkinfer.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** ROUGE-1, ROUGE-2 and ROUGE-L (sentence-level LCS) F-measures, as rouge_score computes them. */
public final class Rouge {
    private Rouge() {
    }

    /** Precision, recall and F1 of one ROUGE variant. */
    public record Score(double precision, double recall, double f1) {
        static Score of(int overlap, int candidateCount, int referenceCount) {
            double p = candidateCount == 0 ? 0 : (double) overlap / candidateCount;
            double r = referenceCount == 0 ? 0 : (double) overlap / referenceCount;
            return new Score(p, r, p + r == 0 ? 0 : 2 * p * r / (p + r));
        }
    }

    /** All three scores of a candidate against a reference. */
    public record Scores(Score rouge1, Score rouge2, Score rougeL) {
    }

    public static Scores score(String candidate, String reference) {
        List<String> c = RougeTokenizer.tokens(candidate), r = RougeTokenizer.tokens(reference);
        return new Scores(ngram(c, r, 1), ngram(c, r, 2), Score.of(lcs(c, r), c.size(), r.size()));
    }

    public static double rougeLF(List<String> candidate, List<String> reference) {
        return Score.of(lcs(candidate, reference), candidate.size(), reference.size()).f1();
    }

    static Score ngram(List<String> c, List<String> r, int n) {
        Map<List<String>, Integer> rc = counts(r, n), cc = counts(c, n);
        int overlap = 0;
        for (Map.Entry<List<String>, Integer> e : cc.entrySet()) {
            overlap += Math.min(e.getValue(), rc.getOrDefault(e.getKey(), 0));
        }
        return Score.of(overlap, Math.max(0, c.size() - n + 1), Math.max(0, r.size() - n + 1));
    }

    private static Map<List<String>, Integer> counts(List<String> t, int n) {
        Map<List<String>, Integer> m = new HashMap<>();
        for (int i = 0; i + n <= t.size(); i++) {
            m.merge(t.subList(i, i + n), 1, Integer::sum);
        }
        return m;
    }

    /** Length of the longest common subsequence, O(|a| |b|) time, O(|b|) memory. */
    public static <T> int lcs(List<T> a, List<T> b) {
        int[] prev = new int[b.size() + 1], cur = new int[b.size() + 1];
        for (T x : a) {
            for (int j = 1; j <= b.size(); j++) {
                cur[j] = x.equals(b.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.size()];
    }

    /** LCS over interned token ids (the hot loop of the self-instruct similarity filter). */
    public static int lcs(int[] a, int[] b) {
        int[] prev = new int[b.length + 1], cur = new int[b.length + 1];
        for (int x : a) {
            for (int j = 1; j <= b.length; j++) {
                cur[j] = x == b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length];
    }
}
