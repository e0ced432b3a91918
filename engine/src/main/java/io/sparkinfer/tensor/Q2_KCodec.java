package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/**
 * ggml Q2_K: super-blocks of 256 elements, 84 bytes: 16 bytes of scales and mins (sub-block k:
 * scale in the low nibble of byte k, min in the high), {@code qs} (64 bytes of 2-bit quants),
 * then {@code d} and {@code dmin} (fp16). Element e is {@code d * scale[e / 16] * q - dmin *
 * min[e / 16]}, q = 0..3. In each 128-element half h (qs advancing 32 bytes per half), element
 * {@code 128h + 32j + 16s + l} (j = 0..3, s = 0..1, l = 0..15) is bits 2j, 2j + 1 of {@code
 * qs[32h + 16s + l]}. Checked against ggml's own encoder and decoder (test vectors in the tests'
 * resources).
 */
public final class Q2_KCodec {
    public static final int BLOCK = 256;
    public static final int BYTES = 84;
    private static final int QS = 16;
    private static final int D = 80;

    private Q2_KCodec() {
    }

    /** The quant (0..3) of element e (0..255) of the super-block at o. */
    public static int quant(MemorySegment src, long o, int e) {
        int h = e / 128, r = e % 128, j = r / 32, sl = r % 32;
        return (src.get(Layouts.I8, o + QS + 32L * h + sl) & 0xff) >>> (2 * j) & 3;
    }

    /** Sub-block k's scale (0..15). */
    public static int scale(MemorySegment src, long o, int k) {
        return src.get(Layouts.I8, o + k) & 0x0f;
    }

    /** Sub-block k's min (0..15). */
    public static int min(MemorySegment src, long o, int k) {
        return (src.get(Layouts.I8, o + k) & 0xff) >>> 4;
    }

    public static float d(MemorySegment src, long o) {
        return Float.float16ToFloat(src.get(Layouts.I16, o + D));
    }

    public static float dmin(MemorySegment src, long o) {
        return Float.float16ToFloat(src.get(Layouts.I16, o + D + 2));
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int n) {
        Layouts.checkBlocks("Q2_K", n, BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            long o = off + (long) b * BYTES;
            float d = d(src, o);
            float dmin = dmin(src, o);
            for (int k = 0; k < 16; k++) {
                float dl = d * scale(src, o, k);
                float ml = dmin * min(src, o, k);
                for (int l = 0; l < 16; l++) {
                    dst[dstOff + b * BLOCK + 16 * k + l] = dl * quant(src, o, 16 * k + l) - ml;
                }
            }
        }
    }

    /**
     * A simple reference quantizer (not ggml's make_qkx search): per sub-block, min = the smallest
     * value clamped to <= 0 and step = (max - min) / 3, both rounded up to 4-bit multiples of
     * d and dmin (chosen so the largest fits 15), each element to its nearest level.
     */
    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        Layouts.checkBlocks("Q2_K", n, BLOCK);
        float[] step = new float[16];
        float[] low = new float[16];
        for (int b = 0; b < n / BLOCK; b++) {
            int s = srcOff + b * BLOCK;
            long o = dstOff + (long) b * BYTES;
            float maxStep = 0f;
            float maxLow = 0f;
            for (int k = 0; k < 16; k++) {
                float lo = 0f;
                float hi = 0f;
                for (int l = 0; l < 16; l++) {
                    lo = Math.min(lo, src[s + 16 * k + l]);
                    hi = Math.max(hi, src[s + 16 * k + l]);
                }
                low[k] = -lo;
                step[k] = (hi - lo) / 3;
                maxStep = Math.max(maxStep, step[k]);
                maxLow = Math.max(maxLow, low[k]);
            }
            float d = Float.float16ToFloat(Float.floatToFloat16(maxStep / 15 * (1f + 1f / 1024)));
            float dmin = Float.float16ToFloat(Float.floatToFloat16(maxLow / 15 * (1f + 1f / 1024)));
            dst.set(Layouts.I16, o + D, Float.floatToFloat16(d));
            dst.set(Layouts.I16, o + D + 2, Float.floatToFloat16(dmin));
            for (int i = 0; i < 64; i++) {
                dst.set(Layouts.I8, o + QS + i, (byte) 0);
            }
            for (int k = 0; k < 16; k++) {
                int sc = d == 0f ? 0 : Math.min(15, (int) Math.ceil(step[k] / d));
                int m = dmin == 0f ? 0 : Math.min(15, (int) Math.ceil(low[k] / dmin));
                dst.set(Layouts.I8, o + k, (byte) (sc | m << 4));
                float dl = d * sc;
                float ml = dmin * m;
                for (int l = 0; l < 16; l++) {
                    int e = 16 * k + l;
                    int q = dl == 0f ? 0 : Math.clamp(Math.round((src[s + e] + ml) / dl), 0, 3);
                    int h = e / 128, r = e % 128, j = r / 32, sl = r % 32;
                    long at = o + QS + 32L * h + sl;
                    dst.set(Layouts.I8, at, (byte) (dst.get(Layouts.I8, at) | q << (2 * j)));
                }
            }
        }
    }
}
