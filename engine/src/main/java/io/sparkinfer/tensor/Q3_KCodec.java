package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/**
 * ggml Q3_K: super-blocks of 256 elements, 110 bytes: {@code hmask} (32 bytes of third bits),
 * {@code qs} (64 bytes of 2-bit low parts), 12 bytes of 6-bit scales, then {@code d} (fp16).
 * Element e is {@code d * (scale[e / 16] - 32) * q}, q = -4..3. In each 128-element half h
 * (qs advancing 32 bytes per half), element {@code 128h + 32j + 16s + l} (j = 0..3, s = 0..1, l
 * = 0..15) takes bits 2j, 2j + 1 of {@code qs[32h + 16s + l]} as its low part, and is 4 less
 * when bit 4h + j of {@code hmask[16s + l]} is clear. Scale k's low 4 bits are the low nibble
 * of byte k (k < 8) or the high nibble of byte k - 8; its top 2 bits are bits 2 (k / 4), 2 (k /
 * 4) + 1 of byte 8 + k % 4. Checked against ggml's own encoder and decoder (test vectors in
 * the tests' resources).
 */
public final class Q3_KCodec {
    public static final int BLOCK = 256;
    public static final int BYTES = 110;
    private static final int QS = 32;
    private static final int SCALES = 96;
    private static final int D = 108;

    private Q3_KCodec() {
    }

    /** The signed quant (-4..3) of element e (0..255) of the super-block at o. */
    public static int quant(MemorySegment src, long o, int e) {
        int h = e / 128, r = e % 128, j = r / 32, sl = r % 32;
        int low = (src.get(Layouts.I8, o + QS + 32L * h + sl) & 0xff) >>> (2 * j) & 3;
        int high = (src.get(Layouts.I8, o + sl) & 0xff) >>> (4 * h + j) & 1;
        return low - (high == 0 ? 4 : 0);
    }

    /** Sub-block k's signed scale (-32..31) of the super-block at o. */
    public static int scale(MemorySegment src, long o, int k) {
        int b = src.get(Layouts.I8, o + SCALES + k % 8) & 0xff;
        int low = k < 8 ? b & 0x0f : b >>> 4;
        int high = (src.get(Layouts.I8, o + SCALES + 8 + k % 4) & 0xff) >>> (2 * (k / 4)) & 3;
        return (low | high << 4) - 32;
    }

    /** The super-block's d. */
    public static float d(MemorySegment src, long o) {
        return Float.float16ToFloat(src.get(Layouts.I16, o + D));
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int n) {
        Layouts.checkBlocks("Q3_K", n, BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            long o = off + (long) b * BYTES;
            float d = d(src, o);
            int y = dstOff + b * BLOCK;
            for (int k = 0; k < 16; k++) {
                float dl = d * scale(src, o, k);
                for (int l = 0; l < 16; l++) {
                    dst[y + 16 * k + l] = dl * quant(src, o, 16 * k + l);
                }
            }
        }
    }

    /**
     * A simple reference quantizer (not ggml's make_q3_quants search): sub-block k's step is
     * amax / 3 rounded up to a multiple of d, d chosen so the largest step is 31 d; every element
     * is then within half a step of its value (-3..3 steps; ggml also uses -4). Scales are kept non-negative.
     */
    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        Layouts.checkBlocks("Q3_K", n, BLOCK);
        float[] step = new float[16];
        for (int b = 0; b < n / BLOCK; b++) {
            int s = srcOff + b * BLOCK;
            long o = dstOff + (long) b * BYTES;
            for (int i = 0; i < BYTES; i++) {
                dst.set(Layouts.I8, o + i, (byte) 0);
            }
            float maxStep = 0f;
            for (int k = 0; k < 16; k++) {
                float amax = 0f;
                for (int l = 0; l < 16; l++) {
                    amax = Math.max(amax, Math.abs(src[s + 16 * k + l]));
                }
                step[k] = amax / 3;
                maxStep = Math.max(maxStep, step[k]);
            }
            float d = Float.float16ToFloat(Float.floatToFloat16(maxStep / 31 * (1f + 1f / 1024)));
            dst.set(Layouts.I16, o + D, Float.floatToFloat16(d));
            for (int k = 0; k < 16; k++) {
                int sc = d == 0f ? 0 : Math.min(31, (int) Math.ceil(step[k] / d));
                int biased = sc + 32;
                long lowAt = o + SCALES + k % 8;
                int lowBits = biased & 0x0f;
                dst.set(Layouts.I8, lowAt, (byte) (dst.get(Layouts.I8, lowAt) | (k < 8 ? lowBits : lowBits << 4)));
                long highAt = o + SCALES + 8 + k % 4;
                dst.set(Layouts.I8, highAt, (byte) (dst.get(Layouts.I8, highAt) | (biased >>> 4) << (2 * (k / 4))));
                float dl = d * sc;
                for (int l = 0; l < 16; l++) {
                    int e = 16 * k + l;
                    int q = dl == 0f ? 0 : Math.clamp(Math.round(src[s + e] / dl), -4, 3);
                    int h = e / 128, r = e % 128, j = r / 32, sl = r % 32;
                    long qs = o + QS + 32L * h + sl;
                    dst.set(Layouts.I8, qs, (byte) (dst.get(Layouts.I8, qs) | (q + 4 & 3) << (2 * j)));
                    if (q >= 0) {
                        dst.set(Layouts.I8, o + sl, (byte) (dst.get(Layouts.I8, o + sl) | 1 << (4 * h + j)));
                    }
                }
            }
        }
    }
}
