package io.sparkinfer.sampling;

/**
 * Restricts which tokens may come next (a choice list, a JSON grammar). Stateful: one instance
 * per sequence, advanced with {@link #accept} after each chosen token.
 */
public interface TokenConstraint {

    /** Sets the logits of tokens not allowed next to negative infinity; at least one stays allowed. */
    void mask(float[] row, int off, int vocab);

    /** Advances past a chosen token (one that {@link #mask} allowed). */
    void accept(int token);

    /** True when the output is complete: generation ends here with finish reason "stop". */
    boolean isComplete();

    /**
     * The text of the output: what the constraint guarantees (the chosen string, a JSON value
     * that parses), in place of the token decoding. {@code length} tells that generation was cut
     * by the token budget, so the text must be completed.
     */
    String text(String decoded, boolean length);
}
