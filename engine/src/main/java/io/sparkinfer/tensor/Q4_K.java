package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/**
 * ggml Q4_K: super-blocks of 256 as {f16 d; f16 dmin; uint8 scales[12]; uint8 qs[128]}: eight
 * sub-blocks of 32 with 6-bit scale and min packed in {@code scales}; x = d*sc*q - dmin*m.
 */
public final class Q4_K {
    public static final int BLOCK = 256;
    public static final int BYTES = 144;

    private Q4_K() {
    }

    /** Unpacks the 6-bit (scale, min) of sub-block j (0..7) into out[0], out[1]. */
    static void scaleMin(MemorySegment s, long scales, int j, int[] out) {
        if (j < 4) {
            out[0] = Bytes.u8(s, scales + j) & 63;
            out[1] = Bytes.u8(s, scales + j + 4) & 63;
        } else {
            out[0] = (Bytes.u8(s, scales + j + 4) & 0x0F) | ((Bytes.u8(s, scales + j - 4) >>> 6) << 4);
            out[1] = (Bytes.u8(s, scales + j + 4) >>> 4) | ((Bytes.u8(s, scales + j) >>> 6) << 4);
        }
    }

    public static void dequantize(MemorySegment s, long at, float[] out, int off, int n) {
        int[] sm = new int[2];
        for (int b = 0; b < n / BLOCK; b++) {
            long base = at + (long) b * BYTES;
            float d = Bytes.f16(s, base), dmin = Bytes.f16(s, base + 2);
            long scales = base + 4, qs = base + 16;
            int o = off + b * BLOCK;
            for (int j = 0; j < BLOCK; j += 64) {
                int is = j / 32;
                scaleMin(s, scales, is, sm);
                float d1 = d * sm[0], m1 = dmin * sm[1];
                scaleMin(s, scales, is + 1, sm);
                float d2 = d * sm[0], m2 = dmin * sm[1];
                for (int l = 0; l < 32; l++) {
                    int q = Bytes.u8(s, qs + l);
                    out[o + j + l] = d1 * (q & 0x0F) - m1;
                    out[o + j + 32 + l] = d2 * (q >>> 4) - m2;
                }
                qs += 32;
            }
        }
    }
}
