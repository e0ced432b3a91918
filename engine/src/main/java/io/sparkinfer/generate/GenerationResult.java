package io.sparkinfer.generate;

import java.io.Serializable;

/**
 * The outcome of one {@link GenerationRequest}: exactly one per request, an error included.
 *
 * @param tokens        generated token ids (stop strings cut off)
 * @param text          the decoded completion
 * @param logprob       sum of the chosen tokens' log-probabilities (NaN when not requested)
 * @param tokenLogprobs per-token log-probabilities, or null when not requested
 * @param error         null unless finishReason is ERROR
 * @param latencyMillis time from admission to completion
 */
public record GenerationResult(
        String id,
        int[] tokens,
        String text,
        FinishReason finishReason,
        int promptTokens,
        int completionTokens,
        double logprob,
        float[] tokenLogprobs,
        String error,
        long latencyMillis) implements Serializable {

    public static GenerationResult error(String id, int promptTokens, String message) {
        return new GenerationResult(id, new int[0], "", FinishReason.ERROR, promptTokens, 0, Double.NaN, null, message, 0);
    }
}
