package io.sparkinfer.tokenizer;

/** The model-specific part of encoding: plain text (no special tokens in it) to ids. */
interface TextEncoder {
    /**
     * @param afterSpecial the fragment starts the text or follows a special token (SentencePiece
     *                     adds its space prefix there)
     */
    void encode(String text, boolean afterSpecial, IntList out);
}
