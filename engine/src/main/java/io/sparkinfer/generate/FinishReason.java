package io.sparkinfer.generate;

/** Why a generation ended; the lowercase name is what output tables store. */
public enum FinishReason {
    /** EOS, a stop string, or a completed constrained choice. */
    STOP,
    /** max tokens or the context length reached. */
    LENGTH,
    /** the row could not be processed; the result carries the message. */
    ERROR;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
