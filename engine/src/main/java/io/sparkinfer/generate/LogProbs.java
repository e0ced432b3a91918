package io.sparkinfer.generate;

/** Log-softmax helpers over a row of logits, in double for stable sums of many tokens. */
public final class LogProbs {
    private LogProbs() {
    }

    /** log softmax(logits[off .. off+n))[index]. */
    public static double logSoftmaxAt(float[] logits, int off, int n, int index) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += StrictMath.exp(logits[off + i] - max);
        }
        return logits[off + index] - max - StrictMath.log(sum);
    }
}
