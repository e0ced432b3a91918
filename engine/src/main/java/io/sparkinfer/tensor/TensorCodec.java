package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The one entry point for encoding floats into a ggml type and back, used by the converter, the
 * random-model writer and the scalar kernels. Rows must fill whole blocks of the type.
 */
public final class TensorCodec {
    private TensorCodec() {
    }

    /** Encodes {@code src[off .. off + n)} as {@code type} at {@code dst[dstOff ..)} ({@code type.byteSize(n)} bytes). */
    public static void quantizeRow(GGMLType type, float[] src, int off, int n, MemorySegment dst, long dstOff) {
        switch (type) {
            case F32 -> F32Codec.quantize(src, off, n, dst, dstOff);
            case F16 -> F16Codec.quantize(src, off, n, dst, dstOff);
            case BF16 -> BF16Codec.quantize(src, off, n, dst, dstOff);
            case Q8_0 -> Q8_0Codec.quantize(src, off, n, dst, dstOff);
            case Q4_0 -> Q4_0Codec.quantize(src, off, n, dst, dstOff);
            case Q4_1 -> Q4_1Codec.quantize(src, off, n, dst, dstOff);
            case Q5_0 -> Q5_0Codec.quantize(src, off, n, dst, dstOff);
            case Q5_1 -> Q5_1Codec.quantize(src, off, n, dst, dstOff);
            case Q4_K -> Q4_KCodec.quantize(src, off, n, dst, dstOff);
            case Q5_K -> Q5_KCodec.quantize(src, off, n, dst, dstOff);
            case Q2_K -> Q2_KCodec.quantize(src, off, n, dst, dstOff);
            case Q3_K -> Q3_KCodec.quantize(src, off, n, dst, dstOff);
            case IQ4_NL -> IQ4_NLCodec.quantize(src, off, n, dst, dstOff);
            case IQ4_XS -> IQ4_XSCodec.quantize(src, off, n, dst, dstOff);
            case Q6_K -> Q6_KCodec.quantize(src, off, n, dst, dstOff);
            default -> throw unsupported(type);
        }
    }

    /** Decodes n elements of {@code type} at {@code src[srcOff ..)} into {@code dst[dstOff .. dstOff + n)}. */
    public static void dequantizeRow(GGMLType type, MemorySegment src, long srcOff, float[] dst, int dstOff, int n) {
        switch (type) {
            case F32 -> F32Codec.dequantize(src, srcOff, dst, dstOff, n);
            case F16 -> F16Codec.dequantize(src, srcOff, dst, dstOff, n);
            case BF16 -> BF16Codec.dequantize(src, srcOff, dst, dstOff, n);
            case Q8_0 -> Q8_0Codec.dequantize(src, srcOff, dst, dstOff, n);
            case Q4_0 -> Q4_0Codec.dequantize(src, srcOff, dst, dstOff, n);
            case Q4_1 -> Q4_1Codec.dequantize(src, srcOff, dst, dstOff, n);
            case Q5_0 -> Q5_0Codec.dequantize(src, srcOff, dst, dstOff, n);
            case Q5_1 -> Q5_1Codec.dequantize(src, srcOff, dst, dstOff, n);
            case Q4_K -> Q4_KCodec.dequantize(src, srcOff, dst, dstOff, n);
            case Q5_K -> Q5_KCodec.dequantize(src, srcOff, dst, dstOff, n);
            case Q2_K -> Q2_KCodec.dequantize(src, srcOff, dst, dstOff, n);
            case Q3_K -> Q3_KCodec.dequantize(src, srcOff, dst, dstOff, n);
            case IQ4_NL -> IQ4_NLCodec.dequantize(src, srcOff, dst, dstOff, n);
            case IQ4_XS -> IQ4_XSCodec.dequantize(src, srcOff, dst, dstOff, n);
            case Q6_K -> Q6_KCodec.dequantize(src, srcOff, dst, dstOff, n);
            default -> throw unsupported(type);
        }
    }

    /** Same as {@link #dequantizeRow} (the name the model code and the converter call). */
    public static void dequantize(GGMLType type, MemorySegment src, long srcOff, float[] dst, int dstOff, int n) {
        dequantizeRow(type, src, srcOff, dst, dstOff, n);
    }

    /** Same as {@link #quantizeRow} (the name the converter calls). */
    public static void quantize(GGMLType type, float[] src, int off, int n, MemorySegment dst, long dstOff) {
        quantizeRow(type, src, off, n, dst, dstOff);
    }

    /** The bytes of a whole [rows x cols] matrix, encoded row by row into a fresh heap segment. */
    public static MemorySegment quantizeMatrix(GGMLType type, float[] src, int rows, int cols) {
        long rowBytes = type.byteSize(cols);
        MemorySegment seg = MemorySegment.ofArray(new byte[Math.toIntExact(rowBytes * rows)]);
        for (int r = 0; r < rows; r++) {
            quantizeRow(type, src, r * cols, cols, seg, r * rowBytes);
        }
        return seg;
    }

    /** A whole matrix ({@code rows} rows of {@code cols}) encoded as a {@link WeightMatrix} on the heap. */
    public static WeightMatrix quantize(String name, GGMLType type, float[] src, int rows, int cols) {
        return new WeightMatrix(name, type, rows, cols, quantizeMatrix(type, src, rows, cols));
    }

    private static UnsupportedOperationException unsupported(GGMLType type) {
        return new UnsupportedOperationException("no codec for ggml type " + type + " (supported: "
                + GGMLType.supportedNames() + ")");
    }
}
