package io.sparkinfer.sampling;

import java.util.Arrays;

/**
 * The tokens still in the running during one sampling step: ids and their (processed) logits,
 * kept sorted by logit, highest first (ties: lower id first) once {@link #sort} has run. The
 * truncating stages shrink {@link #size}; the arrays are reused across steps.
 */
public final class Candidates {
    int[] ids = new int[0];
    float[] logits = new float[0];
    /** Probabilities of the first {@link #size} candidates once {@link #softmax} has run. */
    double[] probs = new double[0];
    int size;
    boolean sorted;
    private long[] keys = new long[0];
    /** Max logit and sum of exponentials of the last {@link #softmax}, for {@link #reprobe}. */
    private float softmaxMax;
    private double softmaxSum;

    /** Loads a row of logits; tokens at negative infinity (masked out) are left out. */
    public void load(float[] row, int off, int vocab) {
        if (ids.length < vocab) {
            ids = new int[vocab];
            logits = new float[vocab];
            probs = new double[vocab];
        }
        int n = 0;
        for (int i = 0; i < vocab; i++) {
            float v = row[off + i];
            if (v != Float.NEGATIVE_INFINITY) {
                ids[n] = i;
                logits[n] = v;
                n++;
            }
        }
        size = n;
        sorted = false;
    }

    public int size() {
        return size;
    }

    public int id(int i) {
        return ids[i];
    }

    public float logit(int i) {
        return logits[i];
    }

    public double prob(int i) {
        return probs[i];
    }

    /** Sorts by logit descending, ties by id ascending: a total order, so draws are reproducible. */
    public void sort() {
        sortTop(size);
    }

    /**
     * Moves the k best candidates (the order of {@link #sort}) to the front, sorted; the others
     * follow in an unspecified order. The k best are one well-defined set (ties are broken by
     * id), so this is {@link #sort} truncated to k, at the cost of a selection (linear) and a sort
     * of k: on a 128K vocabulary, top-k and top-p no longer sort the whole row every step.
     */
    public void sortTop(int k) {
        if (sorted) {
            return;
        }
        k = Math.min(k, size);
        if (keys.length < size) {
            keys = new long[Math.max(size, keys.length * 2)];
        }
        for (int i = 0; i < size; i++) {
            // A float's bits made monotone as a signed int, inverted for descending order; the id
            // in the low half breaks ties towards the lower id.
            int bits = Float.floatToRawIntBits(logits[i]);
            int monotone = bits ^ ((bits >> 31) & 0x7FFFFFFF);
            keys[i] = ((long) ~monotone << 32) | (ids[i] & 0xFFFFFFFFL);
        }
        if (k < size) {
            selectSmallest(keys, size, k);
        }
        Arrays.sort(keys, 0, k);
        for (int i = 0; i < size; i++) {
            ids[i] = (int) keys[i];
            int monotone = ~(int) (keys[i] >>> 32);
            logits[i] = Float.intBitsToFloat(monotone ^ ((monotone >> 31) & 0x7FFFFFFF));
        }
        sorted = k == size;
    }

    /** Rearranges a[0, n) so that its k smallest values (distinct) are in a[0, k): quickselect. */
    private static void selectSmallest(long[] a, int n, int k) {
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            long pivot = medianOfThree(a[lo], a[(lo + hi) >>> 1], a[hi]);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    long t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            // Now a[lo, j] <= pivot <= a[i, hi]; keep the side holding position k - 1.
            if (k - 1 <= j) {
                hi = j;
            } else if (k - 1 >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }

    private static long medianOfThree(long a, long b, long c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    /** Marks the current first {@code n} candidates, already in sorted order, as all that is left. */
    void truncateSorted(int n) {
        size = n;
        sorted = true;
    }

    /** probs = softmax(logits) over the current candidates, in double. */
    public void softmax() {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            max = Math.max(max, logits[i]);
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            probs[i] = StrictMath.exp((double) logits[i] - max);
            sum += probs[i];
        }
        for (int i = 0; i < size; i++) {
            probs[i] /= sum;
        }
        softmaxMax = max;
        softmaxSum = sum;
    }

    /**
     * probs[0, n) of the candidates now at [0, n), normalized as by the last {@link #softmax}
     * (same max and sum, same formula: the values it gave those candidates). For stages that
     * reorder the candidates after a softmax over all of them.
     */
    void reprobe(int n) {
        for (int i = 0; i < n; i++) {
            probs[i] = StrictMath.exp((double) logits[i] - softmaxMax) / softmaxSum;
        }
    }
}
