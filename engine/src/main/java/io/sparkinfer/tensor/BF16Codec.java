package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/** ggml BF16: the top 16 bits of a float, little endian. */
public final class BF16Codec {
    private BF16Codec() {
    }

    public static float toFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /**
     * ggml's ggml_compute_fp32_to_bf16: round to nearest even on the dropped 16 bits, and keep a
     * NaN a (quiet) NaN, since rounding could otherwise carry a NaN's payload into infinity.
     */
    public static short fromFloat(float v) {
        int u = Float.floatToRawIntBits(v);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) ((u >>> 16) | 64);
        }
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = toFloat(src.get(Layouts.I16, off + 2L * i));
        }
    }

    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        for (int i = 0; i < n; i++) {
            dst.set(Layouts.I16, dstOff + 2L * i, fromFloat(src[srcOff + i]));
        }
    }
}
