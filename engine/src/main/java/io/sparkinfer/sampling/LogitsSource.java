package io.sparkinfer.sampling;

/**
 * Next-token logits for a set of growing sequences, as beam search needs them. A model-backed
 * source keeps each beam's keys and values; a test can hand-make the distributions.
 */
public interface LogitsSource {

    int vocabSize();

    /** Computes the prompt; returns the logits that follow it ({@code [vocab]}). */
    float[] start(int[] prompt);

    /**
     * Replaces the current beams by new ones: beam i is old beam {@code parents[i]} followed by
     * {@code tokens[i]}. Returns the logits that follow each new beam, {@code [n, vocab]}.
     */
    float[] step(int[] parents, int[] tokens);
}
