package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/**
 * ggml Q8_0: blocks of 32 elements, 34 bytes: {@code d} (fp16) then 32 int8 quants {@code qs};
 * element j = d * qs[j].
 */
public final class Q8_0Codec {
    public static final int BLOCK = 32;
    public static final int BYTES = 34;
    /** Offset of the quants in a block, after the fp16 scale. */
    public static final int QS = 2;

    private Q8_0Codec() {
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int n) {
        Layouts.checkBlocks("Q8_0", n, BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            long o = off + (long) b * BYTES;
            float d = Float.float16ToFloat(src.get(Layouts.I16, o));
            for (int j = 0; j < BLOCK; j++) {
                dst[dstOff + b * BLOCK + j] = src.get(Layouts.I8, o + 2 + j) * d;
            }
        }
    }

    /**
     * ggml's quantize_row_q8_0_ref, bit for bit: d = amax / 127 rounded to fp16 for storage, but
     * the quants use the unrounded float 1/d, and roundf sends halves away from zero.
     */
    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        Layouts.checkBlocks("Q8_0", n, BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            int s = srcOff + b * BLOCK;
            long o = dstOff + (long) b * BYTES;
            float amax = 0f;
            for (int j = 0; j < BLOCK; j++) {
                amax = Math.max(amax, Math.abs(src[s + j]));
            }
            float d = amax / 127;
            float id = d != 0f ? 1.0f / d : 0f;
            dst.set(Layouts.I16, o, Float.floatToFloat16(d));
            for (int j = 0; j < BLOCK; j++) {
                dst.set(Layouts.I8, o + 2 + j, (byte) Layouts.roundAway(src[s + j] * id));
            }
        }
    }
}
