package io.sparkinfer.prompt;

/** A chat template that does not parse, fails while rendering, or calls {@code raise_exception}. */
public final class ChatTemplateException extends RuntimeException {
    public ChatTemplateException(String message) {
        super(message);
    }
}
