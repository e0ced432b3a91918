package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/** ggml F32: plain little-endian floats. */
public final class F32Codec {
    private F32Codec() {
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = src.get(Layouts.F32, off + 4L * i);
        }
    }

    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        for (int i = 0; i < n; i++) {
            dst.set(Layouts.F32, dstOff + 4L * i, src[srcOff + i]);
        }
    }
}
