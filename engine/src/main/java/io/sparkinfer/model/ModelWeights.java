package io.sparkinfer.model;

import io.sparkinfer.tensor.WeightMatrix;
import java.util.List;

/**
 * All weights of a model. {@code output} is the token embedding itself when the model ties them.
 *
 * @param ropeFreqFactors per-frequency divisors of the RoPE frequencies (Llama 3.1+ long-context
 *                        scaling, GGUF tensor {@code rope_freqs.weight}), or null
 */
public record ModelWeights(
        WeightMatrix tokenEmbedding, // [vocab, dim]
        List<LayerWeights> layers,
        float[] outputNorm,          // [dim]
        WeightMatrix output,         // [vocab, dim]
        float[] ropeFreqFactors) {   // [ropeDim/2] or null
}
