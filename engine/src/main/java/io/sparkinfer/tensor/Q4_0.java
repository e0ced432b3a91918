package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * ggml Q4_0: blocks of 32 as {f16 d; uint8 qs[16]}; element j is the low nibble of qs[j] and
 * element j+16 the high nibble, each minus 8, times d.
 */
public final class Q4_0 {
    public static final int BLOCK = 32;
    public static final int BYTES = 18;

    private Q4_0() {
    }

    public static void dequantize(MemorySegment s, long at, float[] out, int off, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long base = at + (long) b * BYTES;
            float d = Bytes.f16(s, base);
            int o = off + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = Bytes.u8(s, base + 2 + j);
                out[o + j] = ((q & 0x0F) - 8) * d;
                out[o + j + 16] = ((q >>> 4) - 8) * d;
            }
        }
    }

    /** ggml's reference quantizer: d = (the value of largest magnitude) / -8, q = clamp(x/d + 8.5). */
    public static void quantize(float[] x, int off, int n, MemorySegment s, long at) {
        for (int b = 0; b < n / BLOCK; b++) {
            int o = off + b * BLOCK;
            float amax = 0f, max = 0f;
            for (int j = 0; j < BLOCK; j++) {
                float v = x[o + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8f;
            float id = d != 0f ? 1f / d : 0f;
            long base = at + (long) b * BYTES;
            Bytes.putF16(s, base, d);
            for (int j = 0; j < 16; j++) {
                int x0 = Math.min(15, (int) (byte) (x[o + j] * id + 8.5f));
                int x1 = Math.min(15, (int) (byte) (x[o + j + 16] * id + 8.5f));
                s.set(ValueLayout.JAVA_BYTE, base + 2 + j, (byte) (x0 | (x1 << 4)));
            }
        }
    }
}
