package io.sparkinfer.model;

/**
 * Precomputed RoPE rotations: {@code cos/sin[pos * half + i]} with angle
 * {@code pos * theta^(-2i / ropeDim) / factor[i]} for {@code i < half = ropeDim / 2}.
 *
 * <p>The frequency and angle are formed in float, as llama2.c does, so that our logits track the
 * reference bit for bit as far as possible; only cos/sin themselves go through double.
 */
final class RopeTable {
    final float[] cos;
    final float[] sin;
    final int half;
    final int maxPos;

    RopeTable(int ropeDim, float theta, float[] freqFactors, int maxPos) {
        this.half = ropeDim / 2;
        this.maxPos = maxPos;
        this.cos = new float[maxPos * half];
        this.sin = new float[maxPos * half];
        float[] freq = new float[half];
        for (int i = 0; i < half; i++) {
            freq[i] = 1.0f / (float) Math.pow(theta, (2 * i) / (float) ropeDim);
            if (freqFactors != null) {
                freq[i] /= freqFactors[i];
            }
        }
        for (int p = 0; p < maxPos; p++) {
            for (int i = 0; i < half; i++) {
                float angle = p * freq[i];
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
    }
}
