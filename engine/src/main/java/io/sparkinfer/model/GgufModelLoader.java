package io.sparkinfer.model;

import io.sparkinfer.gguf.GgufFile;
import io.sparkinfer.gguf.GgufFormatException;
import io.sparkinfer.gguf.GgufTensorInfo;
import io.sparkinfer.kernels.Kernels;
import io.sparkinfer.tensor.WeightMatrix;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link Model} from a GGUF file with llama.cpp's tensor names. The matrices stay in
 * the file mapping (zero copy); only the small 1-D tensors (norms, biases) become float arrays.
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
                    file.matrix(p + "attn_q.weight", c.qDim(), c.dim()),
                    file.matrix(p + "attn_k.weight", c.kvDim(), c.dim()),
                    file.matrix(p + "attn_v.weight", c.kvDim(), c.dim()),
                    file.matrix(p + "attn_output.weight", c.dim(), c.qDim()),
                    a.qkvBias ? vector(file, kernels, p + "attn_q.bias", c.qDim()) : null,
                    a.qkvBias ? vector(file, kernels, p + "attn_k.bias", c.kvDim()) : null,
                    a.qkvBias ? vector(file, kernels, p + "attn_v.bias", c.kvDim()) : null,
                    a.qkNorm ? vector(file, kernels, p + "attn_q_norm.weight", c.headDim()) : null,
                    a.qkNorm ? vector(file, kernels, p + "attn_k_norm.weight", c.headDim()) : null,
                    vector(file, kernels, p + "ffn_norm.weight", c.dim()),
                    file.matrix(p + "ffn_gate.weight", c.hiddenDim(), c.dim()),
                    file.matrix(p + "ffn_down.weight", c.dim(), c.hiddenDim()),
                    file.matrix(p + "ffn_up.weight", c.hiddenDim(), c.dim())));
        }
        WeightMatrix embedding = file.matrix("token_embd.weight", vocab, c.dim());
        // Tied embeddings: no output.weight, the classifier reuses the token embedding.
        WeightMatrix output = file.hasTensor("output.weight")
                ? file.matrix("output.weight", vocab, c.dim())
                : embedding;
        float[] ropeFactors = file.hasTensor("rope_freqs.weight")
                ? vector(file, kernels, "rope_freqs.weight", c.ropeDim() / 2)
                : null;
        ModelWeights w = new ModelWeights(embedding, layers, vector(file, kernels, "output_norm.weight", c.dim()),
                output, ropeFactors);
        return new Model(c, w, kernels, file.path().toString());
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
