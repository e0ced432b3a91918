package io.sparkinfer.tokenizer;

/** A vocabulary this engine cannot tokenize with, or a malformed tokenizer file. */
public final class TokenizerException extends RuntimeException {
    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
