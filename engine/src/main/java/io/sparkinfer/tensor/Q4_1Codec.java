package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/**
 * ggml Q4_1: blocks of 32 elements, 20 bytes: {@code d} (fp16), {@code m} (fp16), then 16 bytes
 * {@code qs} as Q4_0's (byte j: element j low, element j + 16 high); element = d * q + m.
 */
public final class Q4_1Codec {
    public static final int BLOCK = 32;
    public static final int BYTES = 20;

    private Q4_1Codec() {
    }

    /** The 4-bit quant (0..15) of element e (0..31) of the block at o. */
    public static int quant(MemorySegment src, long o, int e) {
        int q = src.get(Layouts.I8, o + 4 + e % 16) & 0xff;
        return e < 16 ? q & 0x0f : q >>> 4;
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int n) {
        Layouts.checkBlocks("Q4_1", n, BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            long o = off + (long) b * BYTES;
            float d = Float.float16ToFloat(src.get(Layouts.I16, o));
            float m = Float.float16ToFloat(src.get(Layouts.I16, o + 2));
            int y = dstOff + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = src.get(Layouts.I8, o + 4 + j) & 0xff;
                dst[y + j] = (q & 0x0f) * d + m;
                dst[y + j + 16] = (q >>> 4) * d + m;
            }
        }
    }

    /** As ggml's quantize_row_q4_1_ref: the grid spans [min, max] in 15 steps, rounded to nearest. */
    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        Layouts.checkBlocks("Q4_1", n, BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            int s = srcOff + b * BLOCK;
            long o = dstOff + (long) b * BYTES;
            float[] range = Layouts.minMax(src, s, BLOCK);
            float min = range[0], max = range[1];
            float d = (max - min) / 15;
            float id = d != 0f ? 1.0f / d : 0f;
            dst.set(Layouts.I16, o, Float.floatToFloat16(d));
            dst.set(Layouts.I16, o + 2, Float.floatToFloat16(min));
            for (int j = 0; j < 16; j++) {
                int q0 = Math.min(15, (int) ((src[s + j] - min) * id + 0.5f));
                int q1 = Math.min(15, (int) ((src[s + 16 + j] - min) * id + 0.5f));
                dst.set(Layouts.I8, o + 4 + j, (byte) (q0 | q1 << 4));
            }
        }
    }
}
