package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Converts rows between floats and a ggml type's bytes. Dequantization covers every type the
 * engine computes with; quantization covers F32, F16, BF16, Q8_0 and Q4_0 (what the converter and
 * the benchmark-model writer produce).
 */
public final class TensorCodec {
    private TensorCodec() {
    }

    /** Decodes n elements starting at byte {@code at} of {@code s} into {@code out[off..off+n)}. */
    public static void dequantize(GGMLType type, MemorySegment s, long at, float[] out, int off, int n) {
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) out[off + i] = s.get(Bytes.F32, at + 4L * i);
            }
            case F16 -> {
                for (int i = 0; i < n; i++) out[off + i] = Bytes.f16(s, at + 2L * i);
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) out[off + i] = Float.intBitsToFloat(s.get(Bytes.I16, at + 2L * i) << 16);
            }
            case Q8_0 -> Q8_0.dequantize(s, at, out, off, n);
            case Q4_0 -> Q4_0.dequantize(s, at, out, off, n);
            case Q4_K -> Q4_K.dequantize(s, at, out, off, n);
            case Q6_K -> Q6_K.dequantize(s, at, out, off, n);
            default -> throw new UnsupportedOperationException("no dequantization for tensor type " + type);
        }
    }

    /** Encodes {@code x[off..off+n)} as {@code type} at byte {@code at} of {@code s}. */
    public static void quantize(GGMLType type, float[] x, int off, int n, MemorySegment s, long at) {
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) s.set(Bytes.F32, at + 4L * i, x[off + i]);
            }
            case F16 -> {
                for (int i = 0; i < n; i++) Bytes.putF16(s, at + 2L * i, x[off + i]);
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) s.set(Bytes.I16, at + 2L * i, toBf16(x[off + i]));
            }
            case Q8_0 -> Q8_0.quantize(x, off, n, s, at);
            case Q4_0 -> Q4_0.quantize(x, off, n, s, at);
            default -> throw new UnsupportedOperationException("no quantizer for tensor type " + type
                    + " (quantize to F16, BF16, Q8_0 or Q4_0)");
        }
    }

    /** Round-to-nearest-even float -> bfloat16, as ggml does (NaN kept quiet). */
    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 64);
        }
        return (short) ((bits + (0x7fff + ((bits >>> 16) & 1))) >>> 16);
    }

    /** The bytes for a whole [rows x cols] matrix quantized row by row. */
    public static MemorySegment quantizeMatrix(GGMLType type, float[] x, int rows, int cols) {
        long rowBytes = type.byteSize(cols);
        MemorySegment s = MemorySegment.ofArray(new byte[Math.toIntExact(rowBytes * rows)]);
        for (int r = 0; r < rows; r++) {
            quantize(type, x, r * cols, cols, s, r * rowBytes);
        }
        return s;
    }
}
