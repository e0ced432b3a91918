package io.sparkinfer.tasks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a token sequence longer than the context into chunks on token boundaries, for map-reduce
 * summarization: each chunk is summarized, then the summaries are summarized together.
 */
public final class DocumentChunker {
    private DocumentChunker() {
    }

    /** Chunks of at most {@code maxTokens}, consecutive chunks sharing {@code overlap} tokens. */
    public static List<int[]> chunks(int[] tokens, int maxTokens, int overlap) {
        if (maxTokens <= 0 || overlap < 0 || overlap >= maxTokens) {
            throw new IllegalArgumentException("chunking needs maxTokens > overlap >= 0, got " + maxTokens + ", " + overlap);
        }
        List<int[]> out = new ArrayList<>();
        if (tokens.length <= maxTokens) {
            out.add(tokens);
            return out;
        }
        int step = maxTokens - overlap;
        for (int start = 0; start < tokens.length; start += step) {
            int end = Math.min(tokens.length, start + maxTokens);
            out.add(Arrays.copyOfRange(tokens, start, end));
            if (end == tokens.length) {
                break;
            }
        }
        return out;
    }
}
