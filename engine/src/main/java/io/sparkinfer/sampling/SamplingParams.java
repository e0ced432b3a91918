package io.sparkinfer.sampling;

import java.io.Serializable;
import java.util.List;

/**
 * How to pick each next token. The sampler applies the stages in this fixed order:
 * repetition / presence / frequency penalties -> temperature -> top-k -> top-p -> min-p -> draw.
 * {@code temperature == 0} is greedy (argmax after penalties).
 *
 * @param seed          per-request seed: the same (seed, prompt) gives the same text whatever else
 *                      is in the batch
 * @param maxTokens     the most tokens to generate (finish reason "length" when reached)
 * @param stop          stop strings: generation ends when the text contains one (it is cut off)
 * @param logprobs      whether to report the log-probability of each chosen token
 * @param choices       when non-empty, the output is constrained to exactly one of these strings
 * @param json          when true, the output is constrained to a JSON value that parses
 * @param n             samples per prompt
 * @param beamWidth     beam search width (1 = no beam search)
 * @param lengthPenalty beam search length normalization exponent
 */
public record SamplingParams(
        float temperature,
        int topK,
        float topP,
        float minP,
        float repetitionPenalty,
        float presencePenalty,
        float frequencyPenalty,
        long seed,
        int maxTokens,
        List<String> stop,
        boolean ignoreEos,
        boolean logprobs,
        List<String> choices,
        boolean json,
        int n,
        int beamWidth,
        float lengthPenalty) implements Serializable {

    public SamplingParams {
        stop = stop == null ? List.of() : List.copyOf(stop);
        choices = choices == null ? List.of() : List.copyOf(choices);
        if (temperature < 0) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topP <= 0 || topP > 1) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        if (minP < 0 || minP > 1) throw new IllegalArgumentException("min_p must be in [0, 1], got " + minP);
        if (maxTokens < 0) throw new IllegalArgumentException("max_tokens must be >= 0, got " + maxTokens);
        if (n < 1) throw new IllegalArgumentException("n must be >= 1, got " + n);
        if (beamWidth < 1) throw new IllegalArgumentException("beam width must be >= 1, got " + beamWidth);
        if (repetitionPenalty <= 0) throw new IllegalArgumentException("repetition_penalty must be > 0");
    }

    /** Greedy decoding of up to maxTokens tokens. */
    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(0f, 0, 1f, 0f, 1f, 0f, 0f, 0L, maxTokens, List.of(), false, false, List.of(), false,
                1, 1, 1f);
    }

    /** Temperature sampling with top-p, seeded. */
    public static SamplingParams sample(float temperature, float topP, long seed, int maxTokens) {
        return new SamplingParams(temperature, 0, topP, 0f, 1f, 0f, 0f, seed, maxTokens, List.of(), false, false,
                List.of(), false, 1, 1, 1f);
    }

    public SamplingParams withSeed(long s) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty,
                s, maxTokens, stop, ignoreEos, logprobs, choices, json, n, beamWidth, lengthPenalty);
    }

    public SamplingParams withMaxTokens(int m) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty,
                seed, m, stop, ignoreEos, logprobs, choices, json, n, beamWidth, lengthPenalty);
    }

    public SamplingParams withStop(List<String> s) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty,
                seed, maxTokens, s, ignoreEos, logprobs, choices, json, n, beamWidth, lengthPenalty);
    }

    public SamplingParams withChoices(List<String> c) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty,
                seed, maxTokens, stop, ignoreEos, logprobs, c, json, n, beamWidth, lengthPenalty);
    }

    public SamplingParams withLogprobs(boolean l) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty,
                seed, maxTokens, stop, ignoreEos, l, choices, json, n, beamWidth, lengthPenalty);
    }
    /** The same, with another temperature (0 = greedy). */
    public SamplingParams withTemperature(float v) {
        return new SamplingParams(v, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty,
                seed, maxTokens, stop, ignoreEos, logprobs, choices, json, n, beamWidth, lengthPenalty);
    }

    /** The same, keeping only the k most likely tokens (0 = all). */
    public SamplingParams withTopK(int v) {
        return new SamplingParams(temperature, v, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty,
                seed, maxTokens, stop, ignoreEos, logprobs, choices, json, n, beamWidth, lengthPenalty);
    }

    /** The same, with nucleus sampling at mass p. */
    public SamplingParams withTopP(float v) {
        return new SamplingParams(temperature, topK, v, minP, repetitionPenalty, presencePenalty, frequencyPenalty,
                seed, maxTokens, stop, ignoreEos, logprobs, choices, json, n, beamWidth, lengthPenalty);
    }

    /** The same, dropping tokens below minP times the top probability. */
    public SamplingParams withMinP(float v) {
        return new SamplingParams(temperature, topK, topP, v, repetitionPenalty, presencePenalty, frequencyPenalty,
                seed, maxTokens, stop, ignoreEos, logprobs, choices, json, n, beamWidth, lengthPenalty);
    }

    /** The same, with a repetition penalty (1 = none). */
    public SamplingParams withRepetitionPenalty(float v) {
        return new SamplingParams(temperature, topK, topP, minP, v, presencePenalty, frequencyPenalty,
                seed, maxTokens, stop, ignoreEos, logprobs, choices, json, n, beamWidth, lengthPenalty);
    }

    /** The same, with a presence penalty (0 = none). */
    public SamplingParams withPresencePenalty(float v) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, v, frequencyPenalty,
                seed, maxTokens, stop, ignoreEos, logprobs, choices, json, n, beamWidth, lengthPenalty);
    }

    /** The same, with a frequency penalty (0 = none). */
    public SamplingParams withFrequencyPenalty(float v) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, v,
                seed, maxTokens, stop, ignoreEos, logprobs, choices, json, n, beamWidth, lengthPenalty);
    }

    /** The same, ignoring end-of-generation tokens (benchmarks). */
    public SamplingParams withIgnoreEos(boolean v) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, seed, maxTokens, stop, v, logprobs, choices, json, n, beamWidth, lengthPenalty);
    }

    /** The same, with output constrained to a JSON object or array. */
    public SamplingParams withJson(boolean v) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, seed, maxTokens, stop, ignoreEos, logprobs, choices, v, n, beamWidth, lengthPenalty);
    }

    /** The same, with n samples per prompt. */
    public SamplingParams withN(int v) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, seed, maxTokens, stop, ignoreEos, logprobs, choices, json, v, beamWidth, lengthPenalty);
    }

    /** The same, with beam search of this width (1 = none). */
    public SamplingParams withBeamWidth(int v) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, seed, maxTokens, stop, ignoreEos, logprobs, choices, json, n, v, lengthPenalty);
    }

    /** The same, with this beam length-normalization exponent. */
    public SamplingParams withLengthPenalty(float v) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, seed, maxTokens, stop, ignoreEos, logprobs, choices, json, n, beamWidth, v);
    }
}
