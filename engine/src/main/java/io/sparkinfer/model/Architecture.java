package io.sparkinfer.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * The model families the forward pass implements. Mistral, SmolLM, TinyLlama and Llama 2/3 all
 * ship as {@code general.architecture = llama}; they differ only in metadata values.
 */
public enum Architecture {
    /** Llama 1/2/3, Mistral, SmolLM, TinyLlama: interleaved (NORMAL) RoPE, no biases. */
    LLAMA("llama", false, false, false),
    /** Qwen2 / Qwen2.5: NEOX RoPE, biases on the q/k/v projections. */
    QWEN2("qwen2", true, true, false),
    /** Qwen3: NEOX RoPE, per-head RMSNorm on q and k, no biases. */
    QWEN3("qwen3", true, false, true);

    /** The {@code general.architecture} string and the prefix of its metadata keys. */
    public final String ggufName;
    public final boolean ropeNeox;
    public final boolean qkvBias;
    public final boolean qkNorm;

    Architecture(String ggufName, boolean ropeNeox, boolean qkvBias, boolean qkNorm) {
        this.ggufName = ggufName;
        this.ropeNeox = ropeNeox;
        this.qkvBias = qkvBias;
        this.qkNorm = qkNorm;
    }

    public static Architecture fromGgufName(String name, String source) {
        for (Architecture a : values()) {
            if (a.ggufName.equals(name.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new UnsupportedModelException(source + ": unsupported architecture '" + name + "' (supported: "
                + Arrays.stream(values()).map(a -> a.ggufName).toList() + ")");
    }
}
