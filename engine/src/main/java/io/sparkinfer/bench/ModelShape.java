package io.sparkinfer.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * The hyper-parameters of a real model (from its published config), for random-weight models of
 * the same size and speed. Every named shape ties its output projection to the token embedding,
 * as the real models do.
 *
 * @param specials special tokens at the end of the vocabulary, the first being BOS and the
 *                 second EOS (llama 3: 128000 / 128001; qwen2.5: 151643 twice)
 */
public record ModelShape(String name, String architecture, int dim, int hiddenDim, int layers, int heads, int kvHeads,
        int vocab, int contextLength, float ropeTheta, float rmsEps, int specials, boolean addBos) {

    public static final ModelShape LLAMA_3_2_1B =
            new ModelShape("llama-3.2-1b", "llama", 2048, 8192, 16, 32, 8, 128256, 131072, 500000f, 1e-5f, 256, true);
    public static final ModelShape QWEN2_5_0_5B =
            new ModelShape("qwen2.5-0.5b", "qwen2", 896, 4864, 24, 14, 2, 151936, 32768, 1000000f, 1e-6f, 293, false);
    public static final ModelShape SMOLLM2_135M =
            new ModelShape("smollm2-135m", "llama", 576, 1536, 30, 9, 3, 49152, 8192, 100000f, 1e-5f, 17, false);
    /** For tests: every matrix width a multiple of 256, so all types apply to every tensor. */
    public static final ModelShape TINY =
            new ModelShape("tiny", "llama", 256, 512, 2, 4, 2, 1024, 512, 10000f, 1e-5f, 3, true);

    private static final ModelShape[] ALL = {LLAMA_3_2_1B, QWEN2_5_0_5B, SMOLLM2_135M, TINY};

    public int headDim() {
        return dim / heads;
    }

    public int bosId() {
        return vocab - specials;
    }

    public int eosId() {
        return architecture.equals("qwen2") ? bosId() : bosId() + 1;
    }

    /** Parameters in the file (tied embedding counted once). */
    public long parameters() {
        long kv = (long) kvHeads * headDim();
        long perLayer = 2L * dim * dim + 2L * kv * dim + 3L * dim * hiddenDim + 2L * dim;
        return (long) vocab * dim + layers * perLayer + dim;
    }

    public static ModelShape named(String name) {
        for (ModelShape s : ALL) {
            if (s.name.equals(name.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown model shape '" + name + "' (known: "
                + Arrays.stream(ALL).map(ModelShape::name).toList() + ")");
    }
}
