package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorWidth.B;
import static io.sparkinfer.kernels.VectorWidth.F;
import static io.sparkinfer.kernels.VectorWidth.G;
import static io.sparkinfer.kernels.VectorWidth.I;
import static io.sparkinfer.kernels.VectorWidth.S;

import io.sparkinfer.tensor.BF16Codec;
import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.Layouts;
import io.sparkinfer.tensor.Q4_0Codec;
import io.sparkinfer.tensor.Q4_KCodec;
import io.sparkinfer.tensor.Q8_0Codec;
import io.sparkinfer.tensor.Q6_KCodec;
import io.sparkinfer.tensor.TensorCodec;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Decodes a run of elements of a weight row to floats with vector instructions. Each formula is
 * the scalar codec's, operation for operation (e.g. {@code (d * sc) * q}), so the floats are
 * bit-identical to {@link TensorCodec}'s; an fma only where its product is exact, so that it
 * rounds where the codec's subtraction does (Q4_K, {@link #scalesK4}).
 */
final class VectorRowDecoder {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private VectorRowDecoder() {
    }

    /**
     * n elements of {@code type} from byte {@code off} of {@code src} into floats
     * {@code dst[dstIndex ..)}. Scratch: {@code tmp} (at least n floats, for the K-quants'
     * unpacked sub-block scales and for types decoded by the scalar codec) and {@code raw} (at
     * least {@code type.byteSize(n)} bytes): K-quant rows are copied there first (one memcpy) and
     * decoded from the byte[], whose scalar scale reads and vector loads are much cheaper than
     * MemorySegment accesses with their per-access checks.
     * The destination is native memory ({@link AlignedFloats}) only, so that the stores below
     * see one segment class and C2 compiles them to plain vector stores.
     */
    static void decode(GGMLType type, MemorySegment src, long off, MemorySegment dst, long dstIndex, int n, float[] tmp,
                       byte[] raw) {
        src = NativeSegments.pin(src);
        dst = NativeSegments.pin(dst);
        switch (type) {
            case F32 -> MemorySegment.copy(src, Layouts.F32, off, dst, AlignedFloats.FLOAT, dstIndex * Float.BYTES, n);
            case F16 -> f16(src, off, dst, dstIndex, n);
            case BF16 -> bf16(src, off, dst, dstIndex, n);
            case Q8_0 -> q8_0(src, off, dst, dstIndex, n);
            case Q4_0 -> q4_0(src, off, dst, dstIndex, n);
            case Q4_K, Q6_K -> {
                int bytes = Math.toIntExact(type.byteSize(n));
                MemorySegment.copy(src, Layouts.I8, off, raw, 0, bytes);
                if (type == GGMLType.Q4_K) {
                    q4_K(raw, dst, dstIndex, n, tmp);
                } else {
                    q6_K(raw, dst, dstIndex, n, tmp);
                }
            }
            default -> {
                TensorCodec.dequantizeRow(type, src, off, tmp, 0, n);
                MemorySegment.copy(tmp, 0, dst, AlignedFloats.FLOAT, dstIndex * Float.BYTES, n);
            }
        }
    }

    /**
     * IEEE half to float without a conversion instruction (the Vector API has none): shift the
     * exponent and mantissa into float position and multiply by 2^112 to rebias the exponent,
     * which is exact for normals and subnormals alike. Infinities and NaNs (exponent 31) come out
     * with exponent 143 and get 112 more to reach 255; NaNs are made quiet, as the JDK and F16C do.
     * The special cases use carry tricks rather than masks and blends: fewer IR nodes and no
     * blend intrinsic that C2 might decline.
     */
    private static void f16(MemorySegment src, long off, MemorySegment dst, long dstOff, int n) {
        src = NativeSegments.pin(src);
        dst = NativeSegments.pin(dst);
        int i = 0;
        for (; i < F.loopBound(n); i += G) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S, src, off + 2L * i, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            IntVector magnitude = h.and(0x7fff);
            IntVector finite = magnitude.lanewise(VectorOperators.LSHL, 13)
                    .reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
            IntVector special = magnitude.add(0x400).lanewise(VectorOperators.LSHR, 15); // 1 if >= 0x7c00
            IntVector nan = magnitude.add(0x3ff).lanewise(VectorOperators.LSHR, 15); // 1 if > 0x7c00
            IntVector bits = finite.add(special.neg().and(112 << 23))
                    .or(nan.lanewise(VectorOperators.LSHL, 22))
                    .or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16));
            bits.reinterpretAsFloats().intoMemorySegment(dst, (dstOff + i) * 4L, NATIVE);
        }
        for (; i < n; i++) {
            dst.set(AlignedFloats.FLOAT, (dstOff + i) * Float.BYTES, Float.float16ToFloat(src.get(Layouts.I16, off + 2L * i)));
        }
    }

    /** Q8_0 blocks: q * d, exact in a float (see {@link VectorQuantDot}). */
    private static void q8_0(MemorySegment src, long off, MemorySegment dst, long dstOff, int n) {
        src = NativeSegments.pin(src);
        dst = NativeSegments.pin(dst);
        for (int b = 0; b < n / Q8_0Codec.BLOCK; b++) {
            long blk = off + (long) b * Q8_0Codec.BYTES;
            float d = VectorQuantDot.scale(src, blk);
            long y = dstOff + b * Q8_0Codec.BLOCK;
            for (int k = 0; k < Q8_0Codec.BLOCK; k += G) {
                ((FloatVector) ByteVector.fromMemorySegment(B, src, blk + Q8_0Codec.QS + k, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d).intoMemorySegment(dst, (y + k) * 4L, NATIVE);
            }
        }
    }

    /** Q4_0 blocks: (nibble - 8) * d, as {@link Q4_0Codec}. */
    private static void q4_0(MemorySegment src, long off, MemorySegment dst, long dstOff, int n) {
        src = NativeSegments.pin(src);
        dst = NativeSegments.pin(dst);
        for (int b = 0; b < n / Q4_0Codec.BLOCK; b++) {
            long blk = off + (long) b * Q4_0Codec.BYTES;
            float d = VectorQuantDot.scale(src, blk);
            long y = dstOff + b * Q4_0Codec.BLOCK;
            for (int k = 0; k < Q4_0Codec.BLOCK / 2; k += G) {
                IntVector v = (IntVector) ByteVector.fromMemorySegment(B, src, blk + Q4_0Codec.QS + k, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                ((FloatVector) v.and(0x0F).sub(8).convert(VectorOperators.I2F, 0)).mul(d)
                        .intoMemorySegment(dst, (y + k) * 4L, NATIVE);
                ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0)).mul(d)
                        .intoMemorySegment(dst, (y + 16 + k) * 4L, NATIVE);
            }
        }
    }

    private static void bf16(MemorySegment src, long off, MemorySegment dst, long dstOff, int n) {
        src = NativeSegments.pin(src);
        dst = NativeSegments.pin(dst);
        int i = 0;
        for (; i < F.loopBound(n); i += G) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S, src, off + 2L * i, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .intoMemorySegment(dst, (dstOff + i) * 4L, NATIVE);
        }
        for (; i < n; i++) {
            dst.set(AlignedFloats.FLOAT, (dstOff + i) * Float.BYTES, BF16Codec.toFloat(src.get(Layouts.I16, off + 2L * i)));
        }
    }

    private static float f16(byte[] raw, int o) {
        return Float.float16ToFloat((short) ((raw[o] & 0xFF) | (raw[o + 1] << 8)));
    }

    /** ggml's get_scale_min_k4 over the 12 packed bytes at {@code sc}: the scale of sub-block j. */
    private static int scaleK4(byte[] raw, int sc, int j) {
        return j < 4 ? raw[sc + j] & 63 : (raw[sc + j + 4] & 0x0F) | ((raw[sc + j - 4] & 0xFF) >>> 6 << 4);
    }

    /** ... and its min. */
    private static int minK4(byte[] raw, int sc, int j) {
        return j < 4 ? raw[sc + j + 4] & 63 : ((raw[sc + j + 4] & 0xFF) >>> 4) | ((raw[sc + j] & 0xFF) >>> 6 << 4);
    }

    /**
     * Q4_K super-blocks: d(f16) dmin(f16) scales[12] qs[128]; see {@link Q4_KCodec}. The scales
     * and mins of the whole run are unpacked first into {@code scales} (16 per super-block, {@link
     * #rowScalesK4}). (Matmuls multiply Q4_K as integers, {@link VectorQ4KDot}; this decodes the
     * rows of {@link VectorKernels#dequantizeRow}, an embedding lookup.)
     */
    private static void q4_K(byte[] raw, MemorySegment dst, long dstOff, int n, float[] scales) {
        dst = NativeSegments.pin(dst);
        rowScalesK4(raw, n / Q4_KCodec.BLOCK, scales);
        for (int b = 0; b < n / Q4_KCodec.BLOCK; b++) {
            int o = b * Q4_KCodec.BYTES;
            int sc = 16 * b;
            long y = dstOff + b * Q4_KCodec.BLOCK;
            for (int c = 0; c < 4; c++) {
                float d1 = scales[sc + 2 * c];
                float m1 = scales[sc + 8 + 2 * c]; // minus the min: added by an fma
                float d2 = scales[sc + 2 * c + 1];
                float m2 = scales[sc + 8 + 2 * c + 1];
                for (int k = 0; k < 32; k += G) {
                    // Nibbles split in int lanes (no byte shifts on x86, see q6_K).
                    IntVector v = (IntVector) ByteVector.fromArray(B, raw, o + 16 + 32 * c + k)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    ((FloatVector) v.and(0x0F).convert(VectorOperators.I2F, 0)).fma(d1, m1)
                            .intoMemorySegment(dst, (y + 64 * c + k) * 4L, NATIVE);
                    ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(d2, m2)
                            .intoMemorySegment(dst, (y + 64 * c + 32 + k) * 4L, NATIVE);
                }
            }
        }
    }

    /** Byte (of the 12 packed scale bytes) whose low bits give lane j's value: scales 0-7, then mins 0-7. */
    private static final int[] K4_LOW_BYTE = {0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11};
    /** Byte whose top two bits give lane j's bits 4-5 (scales and mins 4-7 only). */
    private static final int[] K4_HIGH_BYTE = {0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 4, 5, 6, 7};
    private static final boolean K4_VECTOR = G == 16;
    private static final VectorShuffle<Byte> K4_LOW = K4_VECTOR ? VectorShuffle.fromArray(B, K4_LOW_BYTE, 0) : null;
    private static final VectorShuffle<Byte> K4_HIGH = K4_VECTOR ? VectorShuffle.fromArray(B, K4_HIGH_BYTE, 0) : null;
    private static final IntVector K4_SHIFT = K4_VECTOR
            ? IntVector.fromArray(I, new int[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4}, 0) : null;
    private static final IntVector K4_MASK = K4_VECTOR
            ? IntVector.fromArray(I, new int[] {63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 15, 15, 15, 15}, 0) : null;
    private static final IntVector K4_TOP = K4_VECTOR
            ? IntVector.fromArray(I, new int[] {0, 0, 0, 0, 48, 48, 48, 48, 0, 0, 0, 0, 48, 48, 48, 48}, 0) : null;

    /**
     * A Q4_K super-block's 8 sub-block scales times d into {@code out[at .. at + 8)} and its 8 mins
     * times -dmin into {@code out[at + 8 .. at + 16)}: the floats of {@code d * scaleK4(j)} and {@code -dmin *
     * minK4(j)}. Negated so that the kernels decode an element with one fma, {@code q * d1 + (-m1)}:
     * q * d1 is exact (4 + 11 + 6 significant bits), so the fma rounds exactly where
     * {@code q * d1 - m1} did, one instruction fewer per vector.
     * With 16 lanes, one vector pass (two byte shuffles, shifts and masks in int lanes); the
     * scalar unpacking it replaces was half the time of the Q4_K float decode-dot of sessions
     * 13-14. Called outside the decoder's loop ({@link #rowScalesK4}): inlined into that
     * decode-dot, one of its conversions was not intrinsified and the kernel ran 2x slower.
     */
    private static void scalesK4(byte[] raw, int o, float[] out, int at) {
        float d = f16(raw, o);
        float dmin = f16(raw, o + 2);
        if (K4_VECTOR) {
            ByteVector packed = ByteVector.fromArray(B, raw, o + 4);
            IntVector low = (IntVector) packed.rearrange(K4_LOW).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            IntVector high = (IntVector) packed.rearrange(K4_HIGH).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            IntVector v = low.lanewise(VectorOperators.LSHR, K4_SHIFT).and(K4_MASK)
                    .or(high.lanewise(VectorOperators.LSHR, 2).and(K4_TOP));
            FloatVector factor = FloatVector.broadcast(F, d).blend(-dmin, VectorWidth.HIGH8);
            ((FloatVector) v.convert(VectorOperators.I2F, 0)).mul(factor).intoArray(out, at);
            return;
        }
        for (int j = 0; j < 8; j++) {
            out[at + j] = d * scaleK4(raw, o + 4, j);
            out[at + 8 + j] = -dmin * minK4(raw, o + 4, j);
        }
    }

    /** {@link #scalesK4} of each of a row's {@code blocks} super-blocks (in raw) into out[16 b ..). */
    private static void rowScalesK4(byte[] raw, int blocks, float[] out) {
        for (int b = 0; b < blocks; b++) {
            scalesK4(raw, b * Q4_KCodec.BYTES, out, 16 * b);
        }
    }

    /**
     * Q6_K super-blocks: ql[128] qh[64] scales[16] d(f16); see {@link Q6_KCodec}. The 6-bit values
     * are put together in int lanes (x86 has no byte shifts: in byte lanes C2 widens, shifts,
     * masks and packs back for each one), the sub-block scales times d first, for the whole run
     * ({@link #rowScalesK6}). (Matmuls multiply Q6_K as integers, {@link VectorQ6KDot}; this
     * decodes the rows of {@link VectorKernels#dequantizeRow}: the token embeddings of most
     * Q4_K_M files.)
     */
    private static void q6_K(byte[] raw, MemorySegment dst, long dstOff, int n, float[] scales) {
        dst = NativeSegments.pin(dst);
        rowScalesK6(raw, n / Q6_KCodec.BLOCK, scales);
        for (int b = 0; b < n / Q6_KCodec.BLOCK; b++) {
            int o = b * Q6_KCodec.BYTES;
            for (int h = 0; h < 2; h++) {
                int ql = o + 64 * h;
                int qh = o + 128 + 32 * h;
                long y = dstOff + b * Q6_KCodec.BLOCK + 128 * h;
                for (int l = 0; l < 32; l += G) {
                    IntVector lo0 = (IntVector) ByteVector.fromArray(B, raw, ql + l)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector lo1 = (IntVector) ByteVector.fromArray(B, raw, ql + 32 + l)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector hi = (IntVector) ByteVector.fromArray(B, raw, qh + l)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    int sc = 16 * b + 8 * h + l / 16;
                    ((FloatVector) lo0.and(0x0F).or(hi.lanewise(VectorOperators.LSHL, 4).and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(scales[sc])
                                    .intoMemorySegment(dst, (y + l) * 4L, NATIVE);
                    ((FloatVector) lo1.and(0x0F).or(hi.lanewise(VectorOperators.LSHL, 2).and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(scales[sc + 2])
                                    .intoMemorySegment(dst, (y + l + 32) * 4L, NATIVE);
                    ((FloatVector) lo0.lanewise(VectorOperators.LSHR, 4).or(hi.and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(scales[sc + 4])
                                    .intoMemorySegment(dst, (y + l + 64) * 4L, NATIVE);
                    ((FloatVector) lo1.lanewise(VectorOperators.LSHR, 4)
                            .or(hi.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(scales[sc + 6])
                                    .intoMemorySegment(dst, (y + l + 96) * 4L, NATIVE);
                }
            }
        }
    }

    /**
     * Each of a row's {@code blocks} Q6_K super-blocks' 16 sub-block scales times its d into out[16 b
     * ..): the floats of {@code d * scale}, exact products in either order. One 16-lane pass per
     * super-block; the kernels then read each as a broadcast instead of a byte load, a conversion
     * and a multiply per 16 weights.
     */
    private static void rowScalesK6(byte[] raw, int blocks, float[] out) {
        for (int b = 0; b < blocks; b++) {
            int o = b * Q6_KCodec.BYTES;
            float d = f16(raw, o + 208);
            for (int j = 0; j < 16; j += G) {
                ((FloatVector) ByteVector.fromArray(B, raw, o + 192 + j).convertShape(VectorOperators.B2F, F, 0))
                        .mul(d).intoArray(out, 16 * b + j);
            }
        }
    }
}
