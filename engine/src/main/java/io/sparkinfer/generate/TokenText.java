package io.sparkinfer.generate;

/**
 * What generation needs from a tokenizer: turning ids into text and knowing which ids end a
 * generation. Kept this small so the engine does not depend on how tokenizers are built.
 */
public interface TokenText {
    /** The text of a sequence of generated ids (no leading-space stripping beyond the tokenizer's own). */
    String decode(int[] ids);

    /** True for end-of-generation ids: EOS and end-of-turn tokens. */
    boolean isEndOfGeneration(int id);
}
