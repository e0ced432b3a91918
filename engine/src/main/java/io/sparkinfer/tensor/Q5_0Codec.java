package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/**
 * ggml Q5_0: blocks of 32 elements, 22 bytes: {@code d} (fp16), {@code qh} (a little-endian
 * uint32 of fifth bits: bit j for element j), then 16 bytes {@code qs} as Q4_0's (byte j: element
 * j low, element j + 16 high); element = d * (q - 16), q = nibble | fifth bit << 4.
 */
public final class Q5_0Codec {
    public static final int BLOCK = 32;
    public static final int BYTES = 22;

    private Q5_0Codec() {
    }

    /** The 5-bit quant (0..31) of element e (0..31) of the block at o. */
    public static int quant(MemorySegment src, long o, int e) {
        int qh = src.get(Layouts.I32, o + 2);
        int q = src.get(Layouts.I8, o + 6 + e % 16) & 0xff;
        return (e < 16 ? q & 0x0f : q >>> 4) | (qh >>> e & 1) << 4;
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int n) {
        Layouts.checkBlocks("Q5_0", n, BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            long o = off + (long) b * BYTES;
            float d = Float.float16ToFloat(src.get(Layouts.I16, o));
            int qh = src.get(Layouts.I32, o + 2);
            int y = dstOff + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = src.get(Layouts.I8, o + 6 + j) & 0xff;
                dst[y + j] = ((q & 0x0f | (qh >>> j & 1) << 4) - 16) * d;
                dst[y + j + 16] = ((q >>> 4 | (qh >>> (j + 16) & 1) << 4) - 16) * d;
            }
        }
    }

    /**
     * As ggml's quantize_row_q5_0_ref: the element of largest magnitude maps to -16 exactly, so d
     * carries its sign; quants truncate x/d + 16.5 and cap at 31.
     */
    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        Layouts.checkBlocks("Q5_0", n, BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            int s = srcOff + b * BLOCK;
            long o = dstOff + (long) b * BYTES;
            float max = Layouts.signedAbsMax(src, s, BLOCK);
            float d = max / -16;
            float id = d != 0f ? 1.0f / d : 0f;
            dst.set(Layouts.I16, o, Float.floatToFloat16(d));
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                int q0 = Math.min(31, (int) (src[s + j] * id + 16.5f));
                int q1 = Math.min(31, (int) (src[s + 16 + j] * id + 16.5f));
                dst.set(Layouts.I8, o + 6 + j, (byte) ((q0 & 15) | (q1 & 15) << 4));
                qh |= (q0 >>> 4) << j | (q1 >>> 4) << (j + 16);
            }
            dst.set(Layouts.I32, o + 2, qh);
        }
    }
}
