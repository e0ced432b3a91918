package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/** ggml F16: IEEE binary16, little endian; encoding rounds to nearest even as ggml does. */
public final class F16Codec {
    private F16Codec() {
    }

    /** The fp16 at byte offset {@code off}, as a float (block scales are read with this). */
    public static float get(MemorySegment src, long off) {
        return Float.float16ToFloat(src.get(Layouts.I16, off));
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.float16ToFloat(src.get(Layouts.I16, off + 2L * i));
        }
    }

    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        for (int i = 0; i < n; i++) {
            dst.set(Layouts.I16, dstOff + 2L * i, Float.floatToFloat16(src[srcOff + i]));
        }
    }
}
