package io.sparkinfer.model;

import io.sparkinfer.gguf.GgufFormatException;
import io.sparkinfer.gguf.MappedFile;
import io.sparkinfer.kernels.Kernels;
import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A llama2.c checkpoint ({@code run.c}'s format): a header of 7 int32 (dim, hidden_dim, n_layers,
 * n_heads, n_kv_heads, vocab_size, seq_len; a negative vocab_size means a separate classifier),
 * then float32 weights, each kind stacked over all layers, in run.c's order. Mapped, not copied.
 */
public final class Llama2cCheckpoint implements AutoCloseable {
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int HEADER_BYTES = 7 * Integer.BYTES;

    private final Path path;
    private final Arena arena;
    private final MemorySegment file;
    private final ModelConfig config;
    private final boolean sharedClassifier;

    private Llama2cCheckpoint(Path path, Arena arena, MemorySegment file) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        if (file.byteSize() < HEADER_BYTES) {
            throw new GgufFormatException(path + ": truncated llama2.c checkpoint (" + file.byteSize() + " bytes)");
        }
        int[] h = new int[7];
        for (int i = 0; i < 7; i++) {
            h[i] = file.get(I32, i * 4L);
        }
        int dim = h[0], hidden = h[1], layers = h[2], heads = h[3], kvHeads = h[4], vocab = h[5], seqLen = h[6];
        if (dim <= 0 || hidden <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || vocab == 0 || seqLen <= 0
                || dim % heads != 0) {
            throw new GgufFormatException(path + ": not a llama2.c checkpoint (header " + java.util.Arrays.toString(h) + ")");
        }
        sharedClassifier = vocab > 0;
        int headDim = dim / heads;
        config = new ModelConfig(Architecture.LLAMA, dim, hidden, layers, heads, kvHeads, headDim, Math.abs(vocab),
                seqLen, 1e-5f, 10000f, headDim);
        long need = HEADER_BYTES + Float.BYTES * floatCount();
        if (file.byteSize() < need) {
            throw new GgufFormatException(path + ": truncated llama2.c checkpoint: the header describes " + need
                    + " bytes, the file has " + file.byteSize());
        }
    }

    public static Llama2cCheckpoint open(Path path) {
        return MappedFile.open(path, (arena, mapping) -> new Llama2cCheckpoint(path, arena, mapping));
    }

    public ModelConfig config() {
        return config;
    }

    public boolean sharedClassifier() {
        return sharedClassifier;
    }

    private long floatCount() {
        ModelConfig c = config;
        long L = c.nLayers(), d = c.dim(), q = c.qDim(), kv = c.kvDim(), f = c.hiddenDim(), v = c.vocabSize();
        long n = v * d + L * d + L * d * q + 2 * L * d * kv + L * q * d + L * d + 3 * L * d * f + d
                + (long) c.contextLength() * c.headDim(); // freq_cis_real + freq_cis_imag (unused)
        return sharedClassifier ? n : n + v * d;
    }

    /** The named weights as views on the mapping, in llama.cpp's naming (for the converter). */
    public record NamedTensor(String name, long[] dims, MemorySegment data) {
    }

    /** All weights in llama.cpp's names and ggml dims (ne0 first), in file order. */
    public List<NamedTensor> tensors() {
        ModelConfig c = config;
        int L = c.nLayers(), d = c.dim(), q = c.qDim(), kv = c.kvDim(), f = c.hiddenDim(), v = c.vocabSize();
        List<NamedTensor> out = new ArrayList<>();
        long[] at = {HEADER_BYTES};
        out.add(take(at, "token_embd.weight", d, v));
        stacked(out, at, L, "attn_norm.weight", d, 1);
        stacked(out, at, L, "attn_q.weight", d, q);
        stacked(out, at, L, "attn_k.weight", d, kv);
        stacked(out, at, L, "attn_v.weight", d, kv);
        stacked(out, at, L, "attn_output.weight", q, d);
        stacked(out, at, L, "ffn_norm.weight", d, 1);
        stacked(out, at, L, "ffn_gate.weight", d, f);
        stacked(out, at, L, "ffn_down.weight", f, d);
        stacked(out, at, L, "ffn_up.weight", d, f);
        out.add(take(at, "output_norm.weight", d, 1));
        at[0] += (long) Float.BYTES * c.contextLength() * c.headDim(); // skip freq_cis_real/imag
        if (!sharedClassifier) {
            out.add(take(at, "output.weight", d, v));
        }
        return out;
    }

    private void stacked(List<NamedTensor> out, long[] at, int layers, String suffix, int ne0, int ne1) {
        for (int l = 0; l < layers; l++) {
            out.add(take(at, "blk." + l + "." + suffix, ne0, ne1));
        }
    }

    private NamedTensor take(long[] at, String name, int ne0, int ne1) {
        long bytes = (long) ne0 * ne1 * Float.BYTES;
        MemorySegment seg = file.asSlice(at[0], bytes);
        at[0] += bytes;
        return new NamedTensor(name, ne1 == 1 ? new long[] {ne0} : new long[] {ne0, ne1}, seg);
    }

    /** The model, its matrices viewing this checkpoint's mapping (keep the checkpoint open). */
    public Model toModel(Kernels kernels) {
        java.util.Map<String, NamedTensor> byName = new java.util.LinkedHashMap<>();
        for (NamedTensor t : tensors()) {
            byName.put(t.name(), t);
        }
        ModelConfig c = config;
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "blk." + l + ".";
            layers.add(new LayerWeights(
                    floats(byName.get(p + "attn_norm.weight")),
                    matrix(byName.get(p + "attn_q.weight")),
                    matrix(byName.get(p + "attn_k.weight")),
                    matrix(byName.get(p + "attn_v.weight")),
                    matrix(byName.get(p + "attn_output.weight")),
                    null, null, null, null, null,
                    floats(byName.get(p + "ffn_norm.weight")),
                    matrix(byName.get(p + "ffn_gate.weight")),
                    matrix(byName.get(p + "ffn_down.weight")),
                    matrix(byName.get(p + "ffn_up.weight"))));
        }
        WeightMatrix embedding = matrix(byName.get("token_embd.weight"));
        WeightMatrix output = sharedClassifier ? embedding : matrix(byName.get("output.weight"));
        ModelWeights w = new ModelWeights(embedding, layers, floats(byName.get("output_norm.weight")), output, null);
        return new Model(c, w, kernels, path.toString());
    }

    private static WeightMatrix matrix(NamedTensor t) {
        return new WeightMatrix(t.name(), GGMLType.F32, (int) t.dims()[1], (int) t.dims()[0], t.data());
    }

    private static float[] floats(NamedTensor t) {
        return t.data().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        arena.close();
    }
}
