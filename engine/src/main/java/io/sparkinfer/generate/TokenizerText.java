package io.sparkinfer.generate;

import io.sparkinfer.tokenizer.TokenDecoder;
import io.sparkinfer.tokenizer.Tokenizer;

/** {@link TokenText} over a {@link Tokenizer}: completions decode as continuations of a prompt. */
public final class TokenizerText implements TokenText {
    private final Tokenizer tokenizer;

    public TokenizerText(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    @Override
    public String decode(int[] ids) {
        return decodeContinuation(tokenizer, ids);
    }

    /** Generated ids as text that continues a prompt: the first piece's leading space is part of it. */
    public static String decodeContinuation(Tokenizer tokenizer, int[] ids) {
        TokenDecoder d = tokenizer.decoderAfter(-1);
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            sb.append(d.feed(id));
        }
        return sb.append(d.flush()).toString();
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return tokenizer.isEog(id);
    }
}
