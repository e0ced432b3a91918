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
        if (sorted) {
            return;
        }
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
        Arrays.sort(keys, 0, size);
        for (int i = 0; i < size; i++) {
            ids[i] = (int) keys[i];
            int monotone = ~(int) (keys[i] >>> 32);
            logits[i] = Float.intBitsToFloat(monotone ^ ((monotone >> 31) & 0x7FFFFFFF));
        }
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
    }
}
