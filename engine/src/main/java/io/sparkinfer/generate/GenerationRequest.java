package io.sparkinfer.generate;

import io.sparkinfer.sampling.SamplingParams;
import java.io.Serializable;

/**
 * One prompt to complete.
 *
 * @param id     the caller's row id, carried to the result unchanged
 * @param prompt prompt token ids (BOS included when the model wants one)
 */
public record GenerationRequest(String id, int[] prompt, SamplingParams params) implements Serializable {
}
