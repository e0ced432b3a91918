package io.sparkinfer.model;

import io.sparkinfer.tensor.WeightMatrix;

/**
 * One transformer block's weights. Matrices are [rows = out features, cols = in features].
 * Optional parts are null when the architecture has none.
 */
public record LayerWeights(
        float[] attnNorm,   // [dim]
        WeightMatrix wq,    // [nHeads*headDim, dim]
        WeightMatrix wk,    // [nKvHeads*headDim, dim]
        WeightMatrix wv,    // [nKvHeads*headDim, dim]
        WeightMatrix wo,    // [dim, nHeads*headDim]
        float[] bq,         // [nHeads*headDim] qwen2 only
        float[] bk,         // [kvDim] qwen2 only
        float[] bv,         // [kvDim] qwen2 only
        float[] qNorm,      // [headDim] qwen3 only
        float[] kNorm,      // [headDim] qwen3 only
        float[] ffnNorm,    // [dim]
        WeightMatrix wGate, // [hiddenDim, dim]  (w1)
        WeightMatrix wDown, // [dim, hiddenDim]  (w2)
        WeightMatrix wUp) { // [hiddenDim, dim]  (w3)
}
