package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/**
 * ggml Q5_K: super-blocks of 256 elements, 176 bytes: {@code d} (fp16), {@code dmin} (fp16), 12
 * bytes of 6-bit scales and mins packed as Q4_K's, {@code qh} (32 bytes of fifth bits), then
 * {@code qs} (128 bytes of low nibbles). Sub-block j (32 elements) is {@code d*sc[j]*q -
 * dmin*m[j]}, q = 0..31. Chunk c of 64 elements: element {@code 64c + l} is the low nibble of
 * {@code qs[32c + l]} with fifth bit {@code qh[l]} bit 2c, element {@code 64c + 32 + l} its high
 * nibble with bit 2c + 1.
 */
public final class Q5_KCodec {
    public static final int BLOCK = 256;
    public static final int BYTES = 176;
    private static final int QH = 16;
    private static final int QS = 48;

    private Q5_KCodec() {
    }

    /** The 5-bit quant (0..31) of element e (0..255) of the super-block at o. */
    public static int quant(MemorySegment src, long o, int e) {
        int c = e / 64, l = e % 32;
        boolean high = e % 64 >= 32;
        int q = src.get(Layouts.I8, o + QS + 32L * c + l) & 0xff;
        int h = src.get(Layouts.I8, o + QH + l) & 0xff;
        return (high ? q >>> 4 : q & 0x0f) | (h >>> (2 * c + (high ? 1 : 0)) & 1) << 4;
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int n) {
        Layouts.checkBlocks("Q5_K", n, BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            long o = off + (long) b * BYTES;
            float d = Float.float16ToFloat(src.get(Layouts.I16, o));
            float dmin = Float.float16ToFloat(src.get(Layouts.I16, o + 2));
            int y = dstOff + b * BLOCK;
            for (int c = 0; c < 4; c++) {
                float d1 = d * Q4_KCodec.scale(src, o + 4, 2 * c), m1 = dmin * Q4_KCodec.min(src, o + 4, 2 * c);
                float d2 = d * Q4_KCodec.scale(src, o + 4, 2 * c + 1), m2 = dmin * Q4_KCodec.min(src, o + 4, 2 * c + 1);
                for (int l = 0; l < 32; l++) {
                    int q = src.get(Layouts.I8, o + QS + 32L * c + l) & 0xff;
                    int h = src.get(Layouts.I8, o + QH + l) & 0xff;
                    dst[y + 64 * c + l] = d1 * ((q & 0x0f) | (h >>> (2 * c) & 1) << 4) - m1;
                    dst[y + 64 * c + 32 + l] = d2 * ((q >>> 4) | (h >>> (2 * c + 1) & 1) << 4) - m2;
                }
            }
        }
    }

    /** The simple reference quantizer of {@link Q4_KCodec#quantize}, with 32 levels per sub-block. */
    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        Layouts.checkBlocks("Q5_K", n, BLOCK);
        int[] sc = new int[8], m = new int[8];
        for (int b = 0; b < n / BLOCK; b++) {
            int s = srcOff + b * BLOCK;
            long o = dstOff + (long) b * BYTES;
            Q4_KCodec.fitScales(src, s, 31, sc, m, dst, o);
            float d = Float.float16ToFloat(dst.get(Layouts.I16, o));
            float dmin = Float.float16ToFloat(dst.get(Layouts.I16, o + 2));
            byte[] qh = new byte[32];
            for (int c = 0; c < 4; c++) {
                int j0 = 2 * c, j1 = 2 * c + 1;
                for (int l = 0; l < 32; l++) {
                    int q0 = Q4_KCodec.quant(src[s + 32 * j0 + l], d * sc[j0], dmin * m[j0], 31);
                    int q1 = Q4_KCodec.quant(src[s + 32 * j1 + l], d * sc[j1], dmin * m[j1], 31);
                    dst.set(Layouts.I8, o + QS + 32L * c + l, (byte) ((q0 & 15) | (q1 & 15) << 4));
                    qh[l] |= (byte) ((q0 >>> 4) << (2 * c) | (q1 >>> 4) << (2 * c + 1));
                }
            }
            for (int l = 0; l < 32; l++) {
                dst.set(Layouts.I8, o + QH + l, qh[l]);
            }
        }
    }
}
