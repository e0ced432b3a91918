package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/**
 * ggml Q4_K: super-blocks of 256 elements, 144 bytes: {@code d} (fp16), {@code dmin} (fp16),
 * 12 bytes packing eight 6-bit scales and eight 6-bit mins, then 128 bytes of 4-bit quants.
 * Sub-block j (32 elements) is {@code d*sc[j]*q - dmin*m[j]}. Quant byte {@code 32*c + l}
 * (chunk c of 64 elements) holds element {@code 64c + l} low and {@code 64c + 32 + l} high.
 */
public final class Q4_KCodec {
    public static final int BLOCK = 256;
    public static final int BYTES = 144;
    /** Headroom so that a scale rounded to fp16 still lets the largest 6-bit multiplier reach. */
    private static final float HEADROOM = 1f + 1f / 1024;

    private Q4_KCodec() {
    }

    /** ggml's get_scale_min_k4: sub-block j's 6-bit scale, from the 12 packed bytes at {@code off}. */
    public static int scale(MemorySegment src, long off, int j) {
        if (j < 4) {
            return src.get(Layouts.I8, off + j) & 63;
        }
        return (src.get(Layouts.I8, off + j + 4) & 0x0f) | (((src.get(Layouts.I8, off + j - 4) & 0xff) >>> 6) << 4);
    }

    /** Sub-block j's 6-bit min, packed as ggml's get_scale_min_k4 reads it. */
    public static int min(MemorySegment src, long off, int j) {
        if (j < 4) {
            return src.get(Layouts.I8, off + j + 4) & 63;
        }
        return ((src.get(Layouts.I8, off + j + 4) & 0xff) >>> 4) | (((src.get(Layouts.I8, off + j) & 0xff) >>> 6) << 4);
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int n) {
        Layouts.checkBlocks("Q4_K", n, BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            long o = off + (long) b * BYTES;
            float d = Float.float16ToFloat(src.get(Layouts.I16, o));
            float dmin = Float.float16ToFloat(src.get(Layouts.I16, o + 2));
            int y = dstOff + b * BLOCK;
            for (int c = 0; c < 4; c++) {
                float d1 = d * scale(src, o + 4, 2 * c), m1 = dmin * min(src, o + 4, 2 * c);
                float d2 = d * scale(src, o + 4, 2 * c + 1), m2 = dmin * min(src, o + 4, 2 * c + 1);
                long qs = o + 16 + 32L * c;
                for (int l = 0; l < 32; l++) {
                    int q = src.get(Layouts.I8, qs + l) & 0xff;
                    dst[y + 64 * c + l] = d1 * (q & 0x0f) - m1;
                    dst[y + 64 * c + 32 + l] = d2 * (q >>> 4) - m2;
                }
            }
        }
    }

    /**
     * A simple reference quantizer (not ggml's iterative search): each sub-block's grid starts at
     * or below its minimum (the min rounds up) and its step is rounded up, so every element lands
     * within half a step of its value.
     */
    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        Layouts.checkBlocks("Q4_K", n, BLOCK);
        int[] sc = new int[8], m = new int[8];
        for (int b = 0; b < n / BLOCK; b++) {
            int s = srcOff + b * BLOCK;
            long o = dstOff + (long) b * BYTES;
            fitScales(src, s, 15, sc, m, dst, o);
            float d = Float.float16ToFloat(dst.get(Layouts.I16, o));
            float dmin = Float.float16ToFloat(dst.get(Layouts.I16, o + 2));
            for (int c = 0; c < 4; c++) {
                int j0 = 2 * c, j1 = 2 * c + 1;
                for (int l = 0; l < 32; l++) {
                    int q0 = quant(src[s + 32 * j0 + l], d * sc[j0], dmin * m[j0], 15);
                    int q1 = quant(src[s + 32 * j1 + l], d * sc[j1], dmin * m[j1], 15);
                    dst.set(Layouts.I8, o + 16 + 32L * c + l, (byte) (q0 | (q1 << 4)));
                }
            }
        }
    }

    /** The level (0..levels) of x on the grid {@code step * q - min}; 0 when step is 0. */
    static int quant(float x, float step, float min, int levels) {
        return step == 0f ? 0 : Math.clamp(Math.round((x + min) / step), 0, levels);
    }

    /**
     * The d, dmin (written at {@code o}, {@code o + 2}), 6-bit scales and mins (into sc and m,
     * packed as ggml's 12 bytes at {@code o + 4}) of the 256 elements at {@code src[s ..]} for a
     * grid of {@code levels + 1} values per 32-element sub-block (Q4_K: 15, Q5_K: 31). Mins are
     * stored negated and unsigned, so each grid's lower end is clamped to <= 0.
     */
    static void fitScales(float[] src, int s, int levels, int[] sc, int[] m, MemorySegment dst, long o) {
        float[] lo = new float[8], hi = new float[8], step = new float[8];
        float maxNegMin = 0f;
        for (int j = 0; j < 8; j++) {
            float mn = 0f, mx = -Float.MAX_VALUE;
            for (int l = 0; l < 32; l++) {
                mn = Math.min(mn, src[s + 32 * j + l]);
                mx = Math.max(mx, src[s + 32 * j + l]);
            }
            lo[j] = mn;
            hi[j] = mx;
            maxNegMin = Math.max(maxNegMin, -mn);
        }
        float dmin = Float.float16ToFloat(Float.floatToFloat16(maxNegMin / 63 * HEADROOM));
        float maxStep = 0f;
        for (int j = 0; j < 8; j++) {
            m[j] = dmin == 0f ? 0 : Math.min(63, (int) Math.ceil(-lo[j] / dmin));
            step[j] = (hi[j] + dmin * m[j]) / levels;
            maxStep = Math.max(maxStep, step[j]);
        }
        float d = Float.float16ToFloat(Float.floatToFloat16(maxStep / 63 * HEADROOM));
        for (int j = 0; j < 8; j++) {
            sc[j] = d == 0f ? 0 : Math.min(63, (int) Math.ceil(step[j] / d));
        }
        dst.set(Layouts.I16, o, Float.floatToFloat16(d));
        dst.set(Layouts.I16, o + 2, Float.floatToFloat16(dmin));
        for (int j = 0; j < 4; j++) {
            dst.set(Layouts.I8, o + 4 + j, (byte) (sc[j] | ((sc[j + 4] >>> 4) << 6)));
            dst.set(Layouts.I8, o + 8 + j, (byte) (m[j] | ((m[j + 4] >>> 4) << 6)));
            dst.set(Layouts.I8, o + 12 + j, (byte) ((sc[j + 4] & 0x0f) | ((m[j + 4] & 0x0f) << 4)));
        }
    }
}
