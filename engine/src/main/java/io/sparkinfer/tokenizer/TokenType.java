package io.sparkinfer.tokenizer;

/** {@code tokenizer.ggml.token_type} values (llama.cpp's {@code llama_token_type}). */
public enum TokenType {
    UNDEFINED, NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

    public static TokenType of(int code) {
        return code >= 0 && code < values().length ? values()[code] : UNDEFINED;
    }
}
