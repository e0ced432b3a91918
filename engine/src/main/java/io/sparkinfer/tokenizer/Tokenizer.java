package io.sparkinfer.tokenizer;

import io.sparkinfer.gguf.GgufFile;
import java.nio.file.Path;

/**
 * Text to token ids and back, exactly as llama.cpp does for the same vocabulary. Built from a
 * GGUF file's header or a llama2.c {@code tokenizer.bin}; immutable and safe to share between
 * threads (one instance per executor serves all tasks).
 */
public interface Tokenizer {

    /**
     * Token ids of a text.
     *
     * @param addSpecial   add BOS/EOS where the vocabulary asks for them ({@code add_bos_token}, {@code add_eos_token})
     * @param parseSpecial recognise control tokens written in the text (e.g. {@code <|im_start|>}); when
     *                     false they are plain text. User-defined tokens are always recognised, as in llama.cpp.
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /** {@code encode(text, true, false)}: a prompt as a model expects it, with any special-token text kept literal. */
    default int[] encode(String text) {
        return encode(text, true, false);
    }

    /**
     * The text of a sequence of ids; control tokens (BOS, EOS, end-of-turn) contribute nothing.
     * For SentencePiece vocabularies the space the encoder puts before the text is removed again:
     * one leading space of the first piece, at the start or right after a BOS (llama2.c's rule).
     */
    String decode(int[] ids);

    /** Like {@link #decode(int[])}, with control tokens written out when {@code renderSpecial}. */
    String decode(int[] ids, boolean renderSpecial);

    /** A streaming decoder positioned at the start of a text (see {@link #decode(int[])}). */
    TokenDecoder decoder();

    /**
     * A streaming decoder for ids that continue a text, e.g. generated after a prompt: no leading
     * space is removed unless {@code previousId} is BOS.
     */
    TokenDecoder decoderAfter(int previousId);

    /** The text a token stands for (control tokens included), e.g. " the" or "<|im_end|>"; lone bytes of a multi-byte character show as U+FFFD. */
    String piece(int id);

    /** The raw bytes of a token's piece (one byte for {@code <0xNN>} tokens). */
    byte[] pieceBytes(int id);

    int bos();

    int eos();

    /** End of generation: EOS and end-of-turn tokens such as {@code <|eot_id|>}, {@code <|im_end|>}, {@code <|end|>}. */
    boolean isEog(int id);

    int vocabSize();

    Vocabulary vocabulary();

    static Tokenizer of(Vocabulary vocabulary) {
        return new VocabTokenizer(vocabulary);
    }

    static Tokenizer fromGguf(GgufFile file) {
        return of(Vocabulary.fromGguf(file));
    }

    static Tokenizer fromLlama2c(Path tokenizerBin) {
        return of(Vocabulary.fromLlama2c(tokenizerBin));
    }
}
