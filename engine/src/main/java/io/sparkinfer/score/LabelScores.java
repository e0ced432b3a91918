package io.sparkinfer.score;

/**
 * Scores of a set of labels after one prompt.
 *
 * @param logprobs      {@code log P(label | prompt)}: the sum over the label's tokens
 * @param probabilities the same normalized over the label set (softmax of {@code logprobs}), summing to 1
 * @param best          the index of the most likely label
 */
public record LabelScores(double[] logprobs, double[] probabilities, int best) {

    public static LabelScores of(double[] logprobs) {
        double max = Double.NEGATIVE_INFINITY;
        int best = 0;
        for (int i = 0; i < logprobs.length; i++) {
            if (logprobs[i] > max) {
                max = logprobs[i];
                best = i;
            }
        }
        double sum = 0;
        double[] p = new double[logprobs.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = StrictMath.exp(logprobs[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return new LabelScores(logprobs.clone(), p, best);
    }
}
