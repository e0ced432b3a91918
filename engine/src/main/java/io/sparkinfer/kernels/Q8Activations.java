package io.sparkinfer.kernels;

/**
 * Activations of one matmul call quantized to Q8_0-like blocks: per token, blocks of 32 values
 * with one float scale {@code d = amax / 127} and int8 values {@code q = rint(x / d)} stored
 * widened to shorts (the vector kernel multiplies in 16-bit lanes, so widening once here saves a
 * conversion per weight block per token).
 *
 * <p>Both kernel implementations use this same code, so their quantized activations are
 * identical and their quantized matmuls differ only in float summation order. Unlike ggml the
 * scale stays f32 (ggml rounds it to f16): cheaper and a little more precise.
 *
 * <p>Instances are per-thread scratch, grown on demand and reused across calls.
 */
final class Q8Activations {
    static final int BLOCK = 32;

    short[] q = new short[0];
    float[] d = new float[0];
    int blocksPerToken;

    void quantize(float[] x, int nTokens, int cols) {
        int nb = cols / BLOCK;
        blocksPerToken = nb;
        if (q.length < nTokens * cols) {
            q = new short[nTokens * cols];
        }
        if (d.length < nTokens * nb) {
            d = new float[nTokens * nb];
        }
        for (int b = 0; b < nTokens * nb; b++) {
            int x0 = b * BLOCK;
            float amax = 0f;
            for (int j = 0; j < BLOCK; j++) {
                amax = Math.max(amax, Math.abs(x[x0 + j]));
            }
            float scale = amax / 127;
            float inv = scale != 0f ? 1.0f / scale : 0f;
            d[b] = scale;
            for (int j = 0; j < BLOCK; j++) {
                // rint (half to even) like ggml's AVX quantizer; clamp guards x * inv = 127.00001
                q[x0 + j] = (short) Math.max(-127, Math.min(127, (int) Math.rint(x[x0 + j] * inv)));
            }
        }
    }
}
