package io.sparkinfer.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A plain Q4_K quantizer (min/max per sub-block, no search) for random benchmark weights; the
 * layout is ggml's ({@code io.sparkinfer.tensor.Q4_K} decodes it). Move to {@code TensorCodec}
 * when the tensor package grows its own.
 */
final class Q4KQuantizer {
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final int BLOCK = 256, BYTES = 144;

    private Q4KQuantizer() {
    }

    static void quantize(float[] x, int off, int n, MemorySegment s, long at) {
        float[] scale = new float[8], min = new float[8];
        int[] sc = new int[8], m = new int[8];
        for (int b = 0; b < n / BLOCK; b++) {
            int o = off + b * BLOCK;
            long base = at + (long) b * BYTES;
            float maxScale = 0, maxMin = 0;
            for (int j = 0; j < 8; j++) {
                float lo = 0, hi = Float.NEGATIVE_INFINITY;
                for (int l = 0; l < 32; l++) {
                    float v = x[o + 32 * j + l];
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
                scale[j] = Math.max(0, hi - lo) / 15f;
                min[j] = -lo; // x = scale * q - min, q in 0..15
                maxScale = Math.max(maxScale, scale[j]);
                maxMin = Math.max(maxMin, min[j]);
            }
            short dBits = Float.floatToFloat16(maxScale / 63f), mBits = Float.floatToFloat16(maxMin / 63f);
            float d = Float.float16ToFloat(dBits), dmin = Float.float16ToFloat(mBits);
            for (int j = 0; j < 8; j++) {
                sc[j] = d == 0 ? 0 : Math.min(63, Math.round(scale[j] / d));
                m[j] = dmin == 0 ? 0 : Math.min(63, Math.round(min[j] / dmin));
            }
            s.set(LE_SHORT, base, dBits);
            s.set(LE_SHORT, base + 2, mBits);
            byte[] packed = new byte[12];
            for (int j = 0; j < 4; j++) {
                packed[j] = (byte) ((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
                packed[j + 4] = (byte) ((m[j] & 63) | ((m[j + 4] >> 4) << 6));
                packed[j + 8] = (byte) ((sc[j + 4] & 15) | ((m[j + 4] & 15) << 4));
            }
            MemorySegment.copy(packed, 0, s, ValueLayout.JAVA_BYTE, base + 4, 12);
            for (int pair = 0; pair < 4; pair++) {
                int j0 = 2 * pair, j1 = j0 + 1;
                float s0 = d * sc[j0], m0 = dmin * m[j0], s1 = d * sc[j1], m1 = dmin * m[j1];
                for (int l = 0; l < 32; l++) {
                    int q0 = level(x[o + 32 * j0 + l], s0, m0), q1 = level(x[o + 32 * j1 + l], s1, m1);
                    s.set(ValueLayout.JAVA_BYTE, base + 16 + 32L * pair + l, (byte) (q0 | (q1 << 4)));
                }
            }
        }
    }

    private static int level(float v, float scale, float min) {
        if (scale == 0) {
            return 0;
        }
        return Math.max(0, Math.min(15, Math.round((v + min) / scale)));
    }
}
