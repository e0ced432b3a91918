package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/**
 * ggml Q5_1: blocks of 32 elements, 24 bytes: {@code d} (fp16), {@code m} (fp16), {@code qh} (a
 * little-endian uint32 of fifth bits, bit j for element j), then 16 bytes {@code qs} as Q4_0's;
 * element = d * q + m, q = nibble | fifth bit << 4. (llama.cpp writes it into Q5_K_M files for
 * matrices whose rows are not whole 256-element super-blocks, e.g. SmolLM2-135M's 576 columns.)
 */
public final class Q5_1Codec {
    public static final int BLOCK = 32;
    public static final int BYTES = 24;

    private Q5_1Codec() {
    }

    /** The 5-bit quant (0..31) of element e (0..31) of the block at o. */
    public static int quant(MemorySegment src, long o, int e) {
        int qh = src.get(Layouts.I32, o + 4);
        int q = src.get(Layouts.I8, o + 8 + e % 16) & 0xff;
        return (e < 16 ? q & 0x0f : q >>> 4) | (qh >>> e & 1) << 4;
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int n) {
        Layouts.checkBlocks("Q5_1", n, BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            long o = off + (long) b * BYTES;
            float d = Float.float16ToFloat(src.get(Layouts.I16, o));
            float m = Float.float16ToFloat(src.get(Layouts.I16, o + 2));
            int qh = src.get(Layouts.I32, o + 4);
            int y = dstOff + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = src.get(Layouts.I8, o + 8 + j) & 0xff;
                dst[y + j] = (q & 0x0f | (qh >>> j & 1) << 4) * d + m;
                dst[y + j + 16] = (q >>> 4 | (qh >>> (j + 16) & 1) << 4) * d + m;
            }
        }
    }

    /** As ggml's quantize_row_q5_1_ref: the grid spans [min, max] in 31 steps, rounded to nearest. */
    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        Layouts.checkBlocks("Q5_1", n, BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            int s = srcOff + b * BLOCK;
            long o = dstOff + (long) b * BYTES;
            float[] range = Layouts.minMax(src, s, BLOCK);
            float min = range[0], max = range[1];
            float d = (max - min) / 31;
            float id = d != 0f ? 1.0f / d : 0f;
            dst.set(Layouts.I16, o, Float.floatToFloat16(d));
            dst.set(Layouts.I16, o + 2, Float.floatToFloat16(min));
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                int q0 = Math.min(31, (int) ((src[s + j] - min) * id + 0.5f));
                int q1 = Math.min(31, (int) ((src[s + 16 + j] - min) * id + 0.5f));
                dst.set(Layouts.I8, o + 8 + j, (byte) ((q0 & 15) | (q1 & 15) << 4));
                qh |= (q0 >>> 4) << j | (q1 >>> 4) << (j + 16);
            }
            dst.set(Layouts.I32, o + 4, qh);
        }
    }
}
