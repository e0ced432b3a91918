package io.sparkinfer.model;

import io.sparkinfer.gguf.GgufFile;
import io.sparkinfer.gguf.GgufFormatException;
import io.sparkinfer.gguf.GgufTensorInfo;
import io.sparkinfer.kernels.Kernels;
import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.IQ4_NLCodec;
import io.sparkinfer.tensor.WeightMatrix;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link Model} from a GGUF file with llama.cpp's tensor names. Each matmul weight is
 * handed to {@link Kernels#prepare}, which may copy it (the vector kernels: onto huge pages, Q4_0
 * re-laid for integer dots) or keep it in the file mapping (zero copy); the embedding table stays
 * mapped unless it doubles as the output matrix. The small 1-D tensors (norms, biases) become
 * float arrays.
 * The {@link GgufFile} must stay open as long as the model is used.
 */
public final class GgufModelLoader {
    private GgufModelLoader() {
    }

    public static Model load(GgufFile file, Kernels kernels) {
        // Architecture first: an unsupported model is named as such, not as a missing tensor.
        Architecture.fromGgufName(file.metadata().getString("general.architecture"), file.path().toString());
        GgufTensorInfo embd = file.tensorInfo("token_embd.weight");
        int vocab = (int) embd.dims()[1];
        ModelConfig c = ModelConfig.fromGguf(file, vocab);
        Architecture a = c.architecture();

        List<LayerWeights> layers = new ArrayList<>(c.nLayers());
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "blk." + l + ".";
            layers.add(new LayerWeights(
                    vector(file, kernels, p + "attn_norm.weight", c.dim()),
                    matrix(file, kernels, p + "attn_q.weight", c.qDim(), c.dim()),
                    matrix(file, kernels, p + "attn_k.weight", c.kvDim(), c.dim()),
                    matrix(file, kernels, p + "attn_v.weight", c.kvDim(), c.dim()),
                    matrix(file, kernels, p + "attn_output.weight", c.dim(), c.qDim()),
                    a.qkvBias ? vector(file, kernels, p + "attn_q.bias", c.qDim()) : null,
                    a.qkvBias ? vector(file, kernels, p + "attn_k.bias", c.kvDim()) : null,
                    a.qkvBias ? vector(file, kernels, p + "attn_v.bias", c.kvDim()) : null,
                    a.qkNorm ? vector(file, kernels, p + "attn_q_norm.weight", c.headDim()) : null,
                    a.qkNorm ? vector(file, kernels, p + "attn_k_norm.weight", c.headDim()) : null,
                    vector(file, kernels, p + "ffn_norm.weight", c.dim()),
                    matrix(file, kernels, p + "ffn_gate.weight", c.hiddenDim(), c.dim()),
                    matrix(file, kernels, p + "ffn_down.weight", c.dim(), c.hiddenDim()),
                    matrix(file, kernels, p + "ffn_up.weight", c.hiddenDim(), c.dim())));
        }
        // Tied embeddings: no output.weight, the classifier reuses the token embedding (prepared:
        // the lookup reads the ggml rows, which a prepared matrix keeps).
        boolean tied = !file.hasTensor("output.weight");
        WeightMatrix embedding = tied
                ? matrix(file, kernels, "token_embd.weight", vocab, c.dim())
                : file.matrix("token_embd.weight", vocab, c.dim());
        WeightMatrix output = tied ? embedding : matrix(file, kernels, "output.weight", vocab, c.dim());
        float[] ropeFactors = file.hasTensor("rope_freqs.weight")
                ? vector(file, kernels, "rope_freqs.weight", c.ropeDim() / 2)
                : null;
        ModelWeights w = new ModelWeights(embedding, layers, vector(file, kernels, "output_norm.weight", c.dim()),
                output, ropeFactors);
        return new Model(c, w, kernels, file.path().toString());
    }

    /**
     * A matmul weight in the form the kernels multiply fastest ({@link Kernels#prepare}). IQ4_NL
     * and IQ4_XS are re-encoded as Q8_0 first ({@link IQ4_NLCodec#asQ8_0}: exact for IQ4_NL):
     * every tier then runs them with the Q8_0 kernels.
     */
    private static WeightMatrix matrix(GgufFile file, Kernels kernels, String name, int rows, int cols) {
        WeightMatrix w = file.matrix(name, rows, cols);
        boolean iq4 = w.type() == GGMLType.IQ4_NL || w.type() == GGMLType.IQ4_XS;
        return kernels.prepare(iq4 ? IQ4_NLCodec.asQ8_0(w) : w);
    }

    /** A 1-D tensor of {@code n} elements as floats, whatever its stored type. */
    private static float[] vector(GgufFile file, Kernels kernels, String name, int n) {
        GgufTensorInfo t = file.tensorInfo(name);
        if (t.elementCount() != n) {
            throw new GgufFormatException(file.path() + ": tensor shape mismatch for '" + name + "': file has "
                    + t.elementCount() + " elements, the model config expects " + n);
        }
        float[] out = new float[n];
        kernels.dequantizeRow(file.matrix(name, 1, n), 0, out, 0);
        return out;
    }
}
