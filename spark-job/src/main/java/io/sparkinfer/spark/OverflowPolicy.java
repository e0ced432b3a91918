package io.sparkinfer.spark;

import java.util.Locale;

/** What to do with a prompt longer than the token budget ({@code max_prompt_tokens}). */
public enum OverflowPolicy {
    /** keep the BOS and the last tokens (the end of the prompt, usually the instruction). */
    TRUNCATE_START,
    /** keep the BOS, the first half and the last half of the budget; drop the middle. */
    TRUNCATE_MIDDLE,
    /** write an error row for it (finish_reason "error"); the job goes on. */
    ERROR;

    public static OverflowPolicy parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "truncate_start", "truncate", "keep_end" -> TRUNCATE_START;
            case "truncate_middle", "keep_middle" -> TRUNCATE_MIDDLE;
            case "error" -> ERROR;
            default -> throw new IllegalArgumentException("overflow policy must be truncate_start, truncate_middle or error, got '" + s + "'");
        };
    }

    /**
     * Applies the policy to {@code ids} (which start with BOS when {@code hasBos}); null means
     * "error row".
     */
    public int[] apply(int[] ids, int budget, boolean hasBos) {
        if (ids.length <= budget) {
            return ids;
        }
        if (this == ERROR || budget < 2) {
            return null;
        }
        int[] out = new int[budget];
        int head = hasBos ? 1 : 0;
        if (hasBos) {
            out[0] = ids[0];
        }
        int keep = budget - head;
        int front = this == TRUNCATE_MIDDLE ? keep / 2 : 0;
        int back = keep - front;
        System.arraycopy(ids, head, out, head, front);
        System.arraycopy(ids, ids.length - back, out, head + front, back);
        return out;
    }
}
