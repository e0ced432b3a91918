package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/**
 * ggml Q4_0: blocks of 32 elements, 18 bytes: {@code d} (fp16) then 16 bytes {@code qs}. Byte j
 * holds element j in its low nibble and element j + 16 in its high nibble; element = d * (q - 8).
 */
public final class Q4_0Codec {
    public static final int BLOCK = 32;
    public static final int BYTES = 18;
    /** Offset of the quants in a block, after the fp16 scale. */
    public static final int QS = 2;

    private Q4_0Codec() {
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int n) {
        Layouts.checkBlocks("Q4_0", n, BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            long o = off + (long) b * BYTES;
            float d = Float.float16ToFloat(src.get(Layouts.I16, o));
            int y = dstOff + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = src.get(Layouts.I8, o + 2 + j) & 0xff;
                dst[y + j] = ((q & 0x0f) - 8) * d;
                dst[y + j + 16] = ((q >>> 4) - 8) * d;
            }
        }
    }

    /**
     * ggml's quantize_row_q4_0_ref, bit for bit: the element of largest magnitude (first one on
     * ties) maps to -8 exactly, so d carries its sign; quants truncate x/d + 8.5 and cap at 15.
     */
    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        Layouts.checkBlocks("Q4_0", n, BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            int s = srcOff + b * BLOCK;
            long o = dstOff + (long) b * BYTES;
            float max = Layouts.signedAbsMax(src, s, BLOCK);
            float d = max / -8;
            float id = d != 0f ? 1.0f / d : 0f;
            dst.set(Layouts.I16, o, Float.floatToFloat16(d));
            for (int j = 0; j < 16; j++) {
                // C's (int8_t) cast of a float truncates toward zero, as Java's (int) does.
                int q0 = Math.min(15, (int) (src[s + j] * id + 8.5f));
                int q1 = Math.min(15, (int) (src[s + 16 + j] * id + 8.5f));
                dst.set(Layouts.I8, o + 2 + j, (byte) (q0 | (q1 << 4)));
            }
        }
    }
}
