package io.sparkinfer.model;

import io.sparkinfer.gguf.GgufFile;
import io.sparkinfer.gguf.GgufMetadata;

/**
 * Hyper-parameters of a decoder-only transformer, read from GGUF metadata
 * ({@code <arch>.embedding_length} and friends) or from a llama2.c header.
 *
 * @param headDim        per-head size of q and k (qwen3 sets it apart from dim / nHeads)
 * @param ropeDim        how many leading elements of each head RoPE rotates (usually headDim)
 * @param contextLength  the context the model was trained for
 */
public record ModelConfig(
        Architecture architecture,
        int dim,
        int hiddenDim,
        int nLayers,
        int nHeads,
        int nKvHeads,
        int headDim,
        int vocabSize,
        int contextLength,
        float rmsEps,
        float ropeTheta,
        int ropeDim) {

    public ModelConfig {
        if (nHeads <= 0 || nKvHeads <= 0 || nHeads % nKvHeads != 0) {
            throw new UnsupportedModelException("head_count " + nHeads + " is not a multiple of head_count_kv " + nKvHeads);
        }
        if (ropeDim % 2 != 0 || ropeDim > headDim) {
            throw new UnsupportedModelException("rope dimension " + ropeDim + " must be even and <= head dim " + headDim);
        }
    }

    public int kvDim() {
        return nKvHeads * headDim;
    }

    public int qDim() {
        return nHeads * headDim;
    }

    /** How many query heads share one key/value head (grouped-query attention). */
    public int kvMul() {
        return nHeads / nKvHeads;
    }

    public static ModelConfig fromGguf(GgufFile file, int vocabSize) {
        GgufMetadata m = file.metadata();
        String src = file.path().toString();
        Architecture arch = Architecture.fromGgufName(m.getString("general.architecture"), src);
        String p = arch.ggufName + ".";
        int dim = m.getInt(p + "embedding_length");
        int nHeads = m.getInt(p + "attention.head_count");
        int nKvHeads = m.getInt(p + "attention.head_count_kv", nHeads);
        int headDim = m.getInt(p + "attention.key_length", dim / nHeads);
        return new ModelConfig(
                arch,
                dim,
                m.getInt(p + "feed_forward_length"),
                m.getInt(p + "block_count"),
                nHeads,
                nKvHeads,
                headDim,
                vocabSize,
                m.getInt(p + "context_length"),
                m.getFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f),
                m.getFloat(p + "rope.freq_base", 10000f),
                m.getInt(p + "rope.dimension_count", headDim));
    }
}
