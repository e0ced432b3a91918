package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/**
 * ggml IQ4_XS: super-blocks of 256 elements, 136 bytes: {@code d} (fp16), {@code scales_h}
 * (16 bits: 2 high bits per sub-block), {@code scales_l} (4 bytes: a low nibble per sub-block),
 * then 8 sub-blocks of 16 bytes of 4-bit indices into {@link IQ4_NLCodec}'s levels, laid out as
 * an IQ4_NL block's. Element {@code 32 ib + l} of a super-block is {@code d * (ls - 32) *
 * level}, ls the sub-block's 6-bit scale. Checked against ggml's own encoder and decoder (test
 * vectors in the tests' resources).
 */
public final class IQ4_XSCodec {
    public static final int BLOCK = 256;
    public static final int BYTES = 136;
    private static final int QS = 8;

    private IQ4_XSCodec() {
    }

    /** Sub-block ib's signed scale, ls - 32 (-32..31), of the super-block at o. */
    public static int scale(MemorySegment src, long o, int ib) {
        int low = (src.get(Layouts.I8, o + 4 + ib / 2) & 0xff) >>> 4 * (ib % 2) & 0x0f;
        int high = (src.get(Layouts.I16, o + 2) & 0xffff) >>> 2 * ib & 3;
        return (low | high << 4) - 32;
    }

    public static float d(MemorySegment src, long o) {
        return Float.float16ToFloat(src.get(Layouts.I16, o));
    }

    /** Offset of sub-block ib's 16 index bytes (an IQ4_NL block's, without its d). */
    static long indices(long o, int ib) {
        return o + QS + 16L * ib;
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int n) {
        Layouts.checkBlocks("IQ4_XS", n, BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            long o = off + (long) b * BYTES;
            float d = d(src, o);
            for (int ib = 0; ib < 8; ib++) {
                float dl = d * scale(src, o, ib);
                for (int e = 0; e < 32; e++) {
                    dst[dstOff + b * BLOCK + 32 * ib + e] = dl * IQ4_NLCodec.level(src, indices(o, ib), e);
                }
            }
        }
    }

    /**
     * A simple reference quantizer (not ggml's search): per sub-block the IQ4_NL choice of scale
     * ({@link IQ4_NLCodec#quantize}'s), rounded to a 6-bit multiple of d (d chosen so the largest
     * magnitude fits 31), then each element to its nearest level.
     */
    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        Layouts.checkBlocks("IQ4_XS", n, BLOCK);
        float[] sub = new float[8];
        for (int b = 0; b < n / BLOCK; b++) {
            int s = srcOff + b * BLOCK;
            long o = dstOff + (long) b * BYTES;
            float maxAbs = 0f;
            for (int ib = 0; ib < 8; ib++) {
                float max = 0f;
                for (int e = 0; e < 32; e++) {
                    if (Math.abs(src[s + 32 * ib + e]) > Math.abs(max)) {
                        max = src[s + 32 * ib + e];
                    }
                }
                sub[ib] = max < 0 ? -max / 127 : max / 113; // a negative max lands on the table's -127
                maxAbs = Math.max(maxAbs, sub[ib]);
            }
            float d = Float.float16ToFloat(Float.floatToFloat16(maxAbs / 31 * (1f + 1f / 1024)));
            dst.set(Layouts.I16, o, Float.floatToFloat16(d));
            int high = 0;
            for (int ib = 0; ib < 8; ib++) {
                int ls = d == 0f ? 0 : Math.clamp(Math.round(sub[ib] / d), 0, 31);
                int biased = ls + 32;
                long lowAt = o + 4 + ib / 2;
                int prior = ib % 2 == 0 ? 0 : dst.get(Layouts.I8, lowAt) & 0x0f;
                dst.set(Layouts.I8, lowAt, (byte) (prior | (biased & 0x0f) << 4 * (ib % 2)));
                high |= (biased >>> 4) << 2 * ib;
                float dl = d * ls;
                for (int l = 0; l < 16; l++) {
                    int lo = IQ4_NLCodec.nearest(dl == 0f ? 0f : src[s + 32 * ib + l] / dl);
                    int hi = IQ4_NLCodec.nearest(dl == 0f ? 0f : src[s + 32 * ib + l + 16] / dl);
                    dst.set(Layouts.I8, indices(o, ib) + l, (byte) (lo | hi << 4));
                }
            }
            dst.set(Layouts.I16, o + 2, (short) high);
        }
    }
}
