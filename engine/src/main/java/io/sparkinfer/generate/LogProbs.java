package io.sparkinfer.generate;

/** Log-softmax helpers over a row of logits, in double (and StrictMath, reproducible) for stable sums. */
public final class LogProbs {
    private LogProbs() {
    }

    /** log sum exp(logits[off .. off+n)), max-subtracted. */
    public static double logSumExp(float[] logits, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += StrictMath.exp(logits[off + i] - max);
        }
        return max + StrictMath.log(sum);
    }

    /** log softmax(logits[off .. off+n))[index]. */
    public static double logSoftmaxAt(float[] logits, int off, int n, int index) {
        return logits[off + index] - logSumExp(logits, off, n);
    }
}
