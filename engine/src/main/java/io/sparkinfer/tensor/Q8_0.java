package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** ggml Q8_0: blocks of 32 as {f16 d; int8 q[32]}, x = d * q. */
public final class Q8_0 {
    public static final int BLOCK = 32;
    public static final int BYTES = 34;

    private Q8_0() {
    }

    public static void dequantize(MemorySegment s, long at, float[] out, int off, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long base = at + (long) b * BYTES;
            float d = Bytes.f16(s, base);
            for (int j = 0; j < BLOCK; j++) {
                out[off + b * BLOCK + j] = d * Bytes.i8(s, base + 2 + j);
            }
        }
    }

    /** ggml's reference quantizer: d = max|x| / 127, q = round(x / d). */
    public static void quantize(float[] x, int off, int n, MemorySegment s, long at) {
        for (int b = 0; b < n / BLOCK; b++) {
            float amax = 0f;
            for (int j = 0; j < BLOCK; j++) {
                amax = Math.max(amax, Math.abs(x[off + b * BLOCK + j]));
            }
            float d = amax / 127f;
            float id = d != 0f ? 1f / d : 0f;
            long base = at + (long) b * BYTES;
            Bytes.putF16(s, base, d);
            for (int j = 0; j < BLOCK; j++) {
                s.set(ValueLayout.JAVA_BYTE, base + 2 + j, (byte) Math.round(x[off + b * BLOCK + j] * id));
            }
        }
    }
}
