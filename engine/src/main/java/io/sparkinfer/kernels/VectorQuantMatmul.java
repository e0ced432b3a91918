package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorWidth.B;
import static io.sparkinfer.kernels.VectorWidth.F;
import static io.sparkinfer.kernels.VectorWidth.G;
import static io.sparkinfer.kernels.VectorWidth.I;
import static io.sparkinfer.kernels.VectorWidth.S;
import static io.sparkinfer.kernels.VectorWidth.sumLanes;

import io.sparkinfer.tensor.Layouts;
import io.sparkinfer.tensor.Q4_0Codec;
import io.sparkinfer.tensor.Q8_0Codec;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q8_0 and Q4_0 weights times Q8-quantized activations ({@link Q8Activations}), integer dots per
 * 32-element block. Per block and token: weights (bytes, widened to shorts once per block) times
 * activation shorts, two products added per 16-bit lane (|w| <= 128 and |a| <= 127, so 2 * 128 *
 * 127 < 2^15 cannot overflow), widened to G ints, converted to float and accumulated with
 * {@code fma(isum, dw * dx, acc)} lane-wise; the lanes are summed once per row and token.
 *
 * <p>A row is applied to 4 tokens at a time so each weight block is loaded and widened once for
 * all four; the single-token kernel does exactly the same arithmetic per token, so a token's
 * result is bit-identical whatever batch it is in.
 */
final class VectorQuantMatmul {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int QK = 32;

    private VectorQuantMatmul() {
    }

    /** Rows [from, to) of out for all tokens; {@code lanes} is a G-float scratch. */
    static void rows(MemorySegment w, long rowBytes, boolean q8, Q8Activations a, int nTokens, int rows,
                     float[] out, int from, int to, float[] lanes) {
        for (int r = from; r < to; r++) {
            long rowOff = r * rowBytes;
            int t = 0;
            for (; t + 4 <= nTokens; t += 4) {
                if (q8) {
                    q8_0x4(w, rowOff, a, t, rows, r, out, lanes);
                } else {
                    q4_0x4(w, rowOff, a, t, rows, r, out, lanes);
                }
            }
            for (; t < nTokens; t++) {
                out[t * rows + r] = q8 ? q8_0x1(w, rowOff, a, t, lanes) : q4_0x1(w, rowOff, a, t, lanes);
            }
        }
    }

    /** Products of two pairs of G-lane short vectors, added per lane (no overflow, see class doc), as ints. */
    private static IntVector pairDot(ShortVector w0, ShortVector w1, short[] q, int x) {
        ShortVector p = w0.mul(ShortVector.fromArray(S, q, x)).add(w1.mul(ShortVector.fromArray(S, q, x + G)));
        return (IntVector) p.convertShape(VectorOperators.S2I, I, 0);
    }

    private static ShortVector widen(ByteVector v) {
        return (ShortVector) v.convertShape(VectorOperators.B2S, S, 0);
    }

    private static FloatVector scaled(IntVector isum, float scale, FloatVector acc) {
        return ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, scale), acc);
    }

    private static float q8_0x1(MemorySegment w, long rowOff, Q8Activations a, int t, float[] lanes) {
        int nb = a.blocksPerToken;
        short[] q = a.q;
        float[] d = a.d;
        int tb = t * nb;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < nb; b++) {
            long blk = rowOff + (long) b * Q8_0Codec.BYTES;
            float dw = Float.float16ToFloat(w.get(Layouts.I16, blk));
            int x = (tb + b) * QK;
            IntVector i0 = IntVector.zero(I);
            for (int k = 0; k < QK; k += 2 * G) {
                ShortVector w0 = widen(ByteVector.fromMemorySegment(B, w, blk + Q8_0Codec.QS + k, LE));
                ShortVector w1 = widen(ByteVector.fromMemorySegment(B, w, blk + Q8_0Codec.QS + k + G, LE));
                i0 = i0.add(pairDot(w0, w1, q, x + k));
            }
            acc = scaled(i0, dw * d[tb + b], acc);
        }
        return sumLanes(acc, lanes);
    }

    private static void q8_0x4(MemorySegment w, long rowOff, Q8Activations a, int t, int rows, int r,
                               float[] out, float[] lanes) {
        int nb = a.blocksPerToken;
        short[] q = a.q;
        float[] d = a.d;
        int tb0 = t * nb;
        int tb1 = tb0 + nb;
        int tb2 = tb1 + nb;
        int tb3 = tb2 + nb;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        for (int b = 0; b < nb; b++) {
            long blk = rowOff + (long) b * Q8_0Codec.BYTES;
            float dw = Float.float16ToFloat(w.get(Layouts.I16, blk));
            IntVector i0 = IntVector.zero(I);
            IntVector i1 = IntVector.zero(I);
            IntVector i2 = IntVector.zero(I);
            IntVector i3 = IntVector.zero(I);
            for (int k = 0; k < QK; k += 2 * G) {
                ShortVector w0 = widen(ByteVector.fromMemorySegment(B, w, blk + Q8_0Codec.QS + k, LE));
                ShortVector w1 = widen(ByteVector.fromMemorySegment(B, w, blk + Q8_0Codec.QS + k + G, LE));
                i0 = i0.add(pairDot(w0, w1, q, (tb0 + b) * QK + k));
                i1 = i1.add(pairDot(w0, w1, q, (tb1 + b) * QK + k));
                i2 = i2.add(pairDot(w0, w1, q, (tb2 + b) * QK + k));
                i3 = i3.add(pairDot(w0, w1, q, (tb3 + b) * QK + k));
            }
            acc0 = scaled(i0, dw * d[tb0 + b], acc0);
            acc1 = scaled(i1, dw * d[tb1 + b], acc1);
            acc2 = scaled(i2, dw * d[tb2 + b], acc2);
            acc3 = scaled(i3, dw * d[tb3 + b], acc3);
        }
        out[t * rows + r] = sumLanes(acc0, lanes);
        out[(t + 1) * rows + r] = sumLanes(acc1, lanes);
        out[(t + 2) * rows + r] = sumLanes(acc2, lanes);
        out[(t + 3) * rows + r] = sumLanes(acc3, lanes);
    }

    /** Nibbles of G quant bytes as signed weights: low nibbles are elements k.., high nibbles 16 + k... */
    private static ShortVector lowNibbles(ByteVector v) {
        return widen(v.and((byte) 0x0F).sub((byte) 8));
    }

    private static ShortVector highNibbles(ByteVector v) {
        return widen(v.lanewise(VectorOperators.LSHR, 4).sub((byte) 8));
    }

    /** Like {@link #pairDot} but the second factor pair sits 16 elements further (Q4_0's nibble layout). */
    private static IntVector nibbleDot(ShortVector lo, ShortVector hi, short[] q, int x) {
        ShortVector p = lo.mul(ShortVector.fromArray(S, q, x)).add(hi.mul(ShortVector.fromArray(S, q, x + QK / 2)));
        return (IntVector) p.convertShape(VectorOperators.S2I, I, 0);
    }

    private static float q4_0x1(MemorySegment w, long rowOff, Q8Activations a, int t, float[] lanes) {
        int nb = a.blocksPerToken;
        short[] q = a.q;
        float[] d = a.d;
        int tb = t * nb;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < nb; b++) {
            long blk = rowOff + (long) b * Q4_0Codec.BYTES;
            float dw = Float.float16ToFloat(w.get(Layouts.I16, blk));
            int x = (tb + b) * QK;
            IntVector i0 = IntVector.zero(I);
            for (int k = 0; k < QK / 2; k += G) {
                ByteVector v = ByteVector.fromMemorySegment(B, w, blk + Q4_0Codec.QS + k, LE);
                i0 = i0.add(nibbleDot(lowNibbles(v), highNibbles(v), q, x + k));
            }
            acc = scaled(i0, dw * d[tb + b], acc);
        }
        return sumLanes(acc, lanes);
    }

    private static void q4_0x4(MemorySegment w, long rowOff, Q8Activations a, int t, int rows, int r,
                               float[] out, float[] lanes) {
        int nb = a.blocksPerToken;
        short[] q = a.q;
        float[] d = a.d;
        int tb0 = t * nb;
        int tb1 = tb0 + nb;
        int tb2 = tb1 + nb;
        int tb3 = tb2 + nb;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        for (int b = 0; b < nb; b++) {
            long blk = rowOff + (long) b * Q4_0Codec.BYTES;
            float dw = Float.float16ToFloat(w.get(Layouts.I16, blk));
            IntVector i0 = IntVector.zero(I);
            IntVector i1 = IntVector.zero(I);
            IntVector i2 = IntVector.zero(I);
            IntVector i3 = IntVector.zero(I);
            for (int k = 0; k < QK / 2; k += G) {
                ByteVector v = ByteVector.fromMemorySegment(B, w, blk + Q4_0Codec.QS + k, LE);
                ShortVector lo = lowNibbles(v);
                ShortVector hi = highNibbles(v);
                i0 = i0.add(nibbleDot(lo, hi, q, (tb0 + b) * QK + k));
                i1 = i1.add(nibbleDot(lo, hi, q, (tb1 + b) * QK + k));
                i2 = i2.add(nibbleDot(lo, hi, q, (tb2 + b) * QK + k));
                i3 = i3.add(nibbleDot(lo, hi, q, (tb3 + b) * QK + k));
            }
            acc0 = scaled(i0, dw * d[tb0 + b], acc0);
            acc1 = scaled(i1, dw * d[tb1 + b], acc1);
            acc2 = scaled(i2, dw * d[tb2 + b], acc2);
            acc3 = scaled(i3, dw * d[tb3 + b], acc3);
        }
        out[t * rows + r] = sumLanes(acc0, lanes);
        out[(t + 1) * rows + r] = sumLanes(acc1, lanes);
        out[(t + 2) * rows + r] = sumLanes(acc2, lanes);
        out[(t + 3) * rows + r] = sumLanes(acc3, lanes);
    }
}
