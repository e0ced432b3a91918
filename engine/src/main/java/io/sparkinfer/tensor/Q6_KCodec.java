package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/**
 * ggml Q6_K: super-blocks of 256 elements, 210 bytes: {@code ql} (128 bytes, low 4 bits),
 * {@code qh} (64 bytes, high 2 bits), 16 int8 {@code scales}, then {@code d} (fp16). Element e
 * is {@code d * scales[e / 16] * (q - 32)}. In each 128-element half (ql advancing 64 bytes and
 * qh 32 bytes per half), for l < 32: element l is ql[l] low | qh[l] bits 0-1, l+32 is ql[l+32]
 * low | qh bits 2-3, l+64 is ql[l] high | qh bits 4-5, l+96 is ql[l+32] high | qh bits 6-7.
 */
public final class Q6_KCodec {
    public static final int BLOCK = 256;
    public static final int BYTES = 210;
    private static final float HEADROOM = 1f + 1f / 1024;

    private Q6_KCodec() {
    }

    /** The 6-bit quant (0..63, before the -32 offset) of element e of the super-block at o. */
    public static int quant(MemorySegment src, long o, int e) {
        int half = e / 128, r = e % 128, l = r % 32, quarter = r / 32;
        long ql = o + 64L * half + l + (quarter % 2 == 1 ? 32 : 0);
        long qh = o + 128 + 32L * half + l;
        int low = src.get(Layouts.I8, ql) & 0xff;
        low = quarter < 2 ? low & 0x0f : low >>> 4;
        int high = ((src.get(Layouts.I8, qh) & 0xff) >>> (2 * quarter)) & 3;
        return low | (high << 4);
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int n) {
        Layouts.checkBlocks("Q6_K", n, BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            long o = off + (long) b * BYTES;
            float d = Float.float16ToFloat(src.get(Layouts.I16, o + 208));
            int y = dstOff + b * BLOCK;
            for (int half = 0; half < 2; half++) {
                long ql = o + 64L * half, qh = o + 128 + 32L * half;
                for (int l = 0; l < 32; l++) {
                    int lo0 = src.get(Layouts.I8, ql + l) & 0xff, lo1 = src.get(Layouts.I8, ql + l + 32) & 0xff;
                    int h = src.get(Layouts.I8, qh + l) & 0xff;
                    int e = 128 * half + l;
                    dst[y + e] = d * src.get(Layouts.I8, o + 192 + e / 16) * ((lo0 & 0x0f | (h & 3) << 4) - 32);
                    dst[y + e + 32] = d * src.get(Layouts.I8, o + 192 + (e + 32) / 16) * ((lo1 & 0x0f | (h >>> 2 & 3) << 4) - 32);
                    dst[y + e + 64] = d * src.get(Layouts.I8, o + 192 + (e + 64) / 16) * ((lo0 >>> 4 | (h >>> 4 & 3) << 4) - 32);
                    dst[y + e + 96] = d * src.get(Layouts.I8, o + 192 + (e + 96) / 16) * ((lo1 >>> 4 | (h >>> 6 & 3) << 4) - 32);
                }
            }
        }
    }

    /**
     * A simple reference quantizer (not ggml's make_qx_quants search): sub-block j's step is
     * rounded up so that +-amax fits in [-31, 31] steps, hence every element lands within half a
     * step of its value. Scales are kept positive (ggml also allows negative ones).
     */
    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        Layouts.checkBlocks("Q6_K", n, BLOCK);
        float[] step = new float[16];
        int[] q = new int[BLOCK];
        for (int b = 0; b < n / BLOCK; b++) {
            int s = srcOff + b * BLOCK;
            long o = dstOff + (long) b * BYTES;
            float maxStep = 0f;
            for (int j = 0; j < 16; j++) {
                float amax = 0f;
                for (int l = 0; l < 16; l++) {
                    amax = Math.max(amax, Math.abs(src[s + 16 * j + l]));
                }
                step[j] = amax / 31;
                maxStep = Math.max(maxStep, step[j]);
            }
            float d = Float.float16ToFloat(Float.floatToFloat16(maxStep / 127 * HEADROOM));
            for (int j = 0; j < 16; j++) {
                int sc = d == 0f ? 0 : Math.min(127, (int) Math.ceil(step[j] / d));
                dst.set(Layouts.I8, o + 192 + j, (byte) sc);
                float dj = d * sc;
                for (int l = 0; l < 16; l++) {
                    int e = 16 * j + l;
                    q[e] = (dj == 0f ? 0 : Math.clamp(Math.round(src[s + e] / dj), -32, 31)) + 32;
                }
            }
            for (int half = 0; half < 2; half++) {
                long ql = o + 64L * half, qh = o + 128 + 32L * half;
                for (int l = 0; l < 32; l++) {
                    int e = 128 * half + l;
                    int q1 = q[e], q2 = q[e + 32], q3 = q[e + 64], q4 = q[e + 96];
                    dst.set(Layouts.I8, ql + l, (byte) ((q1 & 0x0f) | ((q3 & 0x0f) << 4)));
                    dst.set(Layouts.I8, ql + l + 32, (byte) ((q2 & 0x0f) | ((q4 & 0x0f) << 4)));
                    dst.set(Layouts.I8, qh + l, (byte) ((q1 >>> 4) | ((q2 >>> 4) << 2) | ((q3 >>> 4) << 4) | ((q4 >>> 4) << 6)));
                }
            }
            dst.set(Layouts.I16, o + 208, Float.floatToFloat16(d));
        }
    }
}
