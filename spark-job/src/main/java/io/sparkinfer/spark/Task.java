package io.sparkinfer.spark;

import java.util.Locale;

/** What a job does with each row. */
public enum Task {
    /** complete the prompt (sampling params, max tokens, stop strings). */
    GENERATE,
    /** summarize the text (GENERATE with the summarize template). */
    SUMMARIZE,
    /** pick the label whose continuation is most likely; label_scores holds every label's log-probability. */
    CLASSIFY,
    /** log-likelihood and perplexity of the text itself (no generation). */
    SCORE;

    public static Task parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The prompt template used when the job names none; {@code {text}} is the text column. */
    public String defaultTemplate() {
        return switch (this) {
            case GENERATE, SCORE -> "{text}";
            case SUMMARIZE -> "{text}\n\nSummary:";
            case CLASSIFY -> "{text}\nAnswer ({labels}):";
        };
    }
}
