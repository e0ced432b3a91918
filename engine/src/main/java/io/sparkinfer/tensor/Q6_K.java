package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/**
 * ggml Q6_K: super-blocks of 256 as {uint8 ql[128]; uint8 qh[64]; int8 scales[16]; f16 d}:
 * 6-bit quants (low 4 bits in ql, high 2 in qh) minus 32, sixteen sub-blocks of 16 with int8 scales.
 */
public final class Q6_K {
    public static final int BLOCK = 256;
    public static final int BYTES = 210;

    private Q6_K() {
    }

    public static void dequantize(MemorySegment s, long at, float[] out, int off, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long base = at + (long) b * BYTES;
            float d = Bytes.f16(s, base + 208);
            long ql = base, qh = base + 128, sc = base + 192;
            int o = off + b * BLOCK;
            for (int half = 0; half < 2; half++) {
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int h = Bytes.u8(s, qh + l);
                    int q1 = ((Bytes.u8(s, ql + l) & 0x0F) | ((h & 3) << 4)) - 32;
                    int q2 = ((Bytes.u8(s, ql + l + 32) & 0x0F) | (((h >>> 2) & 3) << 4)) - 32;
                    int q3 = ((Bytes.u8(s, ql + l) >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                    int q4 = ((Bytes.u8(s, ql + l + 32) >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                    out[o + l] = d * Bytes.i8(s, sc + is) * q1;
                    out[o + l + 32] = d * Bytes.i8(s, sc + is + 2) * q2;
                    out[o + l + 64] = d * Bytes.i8(s, sc + is + 4) * q3;
                    out[o + l + 96] = d * Bytes.i8(s, sc + is + 6) * q4;
                }
                o += 128;
                ql += 64;
                qh += 32;
                sc += 8;
            }
        }
    }
}
