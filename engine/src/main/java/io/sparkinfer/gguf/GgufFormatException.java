package io.sparkinfer.gguf;

/** A file that is not a valid GGUF file, or not one we can use; the message names the file and the problem. */
public final class GgufFormatException extends RuntimeException {
    public GgufFormatException(String message) {
        super(message);
    }

    public GgufFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
