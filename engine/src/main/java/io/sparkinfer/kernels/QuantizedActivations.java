package io.sparkinfer.kernels;

/**
 * Activations of one token quantized to int8 in blocks of 32 with one float scale each
 * (the Q8_0 recipe, scale kept in float), so quantized weights meet them in integer dot products.
 * The scalar and the vector kernels share this step, which makes their results bit-identical.
 */
final class QuantizedActivations {
    static final int BLOCK = 32;

    byte[] q = new byte[0];
    float[] scale = new float[0];

    /** Quantizes nTokens rows of {@code cols} floats; q is [nTokens * cols], scale [nTokens * cols/32]. */
    void quantize(float[] x, int nTokens, int cols) {
        int blocks = cols / BLOCK;
        if (q.length < nTokens * cols) {
            q = new byte[nTokens * cols];
        }
        if (scale.length < nTokens * blocks) {
            scale = new float[nTokens * blocks];
        }
        for (int t = 0; t < nTokens; t++) {
            for (int b = 0; b < blocks; b++) {
                int o = t * cols + b * BLOCK;
                float amax = 0f;
                for (int j = 0; j < BLOCK; j++) {
                    amax = Math.max(amax, Math.abs(x[o + j]));
                }
                float d = amax / 127f;
                float id = d != 0f ? 1f / d : 0f;
                scale[t * blocks + b] = d;
                for (int j = 0; j < BLOCK; j++) {
                    q[o + j] = (byte) Math.round(x[o + j] * id);
                }
            }
        }
    }

    private static final ThreadLocal<QuantizedActivations> SCRATCH = ThreadLocal.withInitial(QuantizedActivations::new);

    /** A per-thread instance, reused across calls (no allocation on the decode path). */
    static QuantizedActivations scratch() {
        return SCRATCH.get();
    }
}
