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
 * <p>The code is written out by hand, with only tiny helpers: C2 refuses to inline a larger
 * helper into a big loop, and a vector crossing a call that is not inlined is boxed (the
 * kernel then runs two orders of magnitude slower).
 *
 * <p>A row is applied to 4 tokens (Q8_0) or 2 (Q4_0) at a time so each weight block is loaded
 * and widened once for all of them; the single-token kernel does exactly the same arithmetic per
 * token, so a token's result is bit-identical whatever batch it is in.
 */
final class VectorQuantMatmul {
    private static final int QK = 32;

    private VectorQuantMatmul() {
    }

    /**
     * Rows [from, to) of out for all tokens. {@code row} (>= rowBytes) and {@code lanes} (G floats)
     * are scratch. Each weight row is first copied into {@code row}: a plain memcpy from the
     * mapping, after which the kernels read a byte[] whose loads C2 compiles to far fewer nodes
     * than MemorySegment loads (segment loads pushed the 4-token kernel over C2's inlining node
     * budget, which left vector ops un-inlined and boxed).
     */
    static void rows(MemorySegment w, long rowBytes, boolean q8, Q8Activations a, int nTokens, int rows,
                     float[] out, int from, int to, byte[] row, float[] lanes) {
        for (int r = from; r < to; r++) {
            MemorySegment.copy(w, Layouts.I8, r * rowBytes, row, 0, (int) rowBytes);
            int t = 0;
            if (q8) {
                for (; t + 4 <= nTokens; t += 4) {
                    q8_0x4(row, a, t, rows, r, out, lanes);
                }
            } else {
                for (; t + 2 <= nTokens; t += 2) {
                    q4_0x2(row, a, t, rows, r, out, lanes);
                }
            }
            for (; t < nTokens; t++) {
                out[t * rows + r] = q8 ? q8_0x1(row, a, t, lanes) : q4_0x1(row, a, t, lanes);
            }
        }
    }

    /** The f16 block scale at byte o of a row copy. */
    private static float scale(byte[] row, int o) {
        return Float.float16ToFloat((short) ((row[o] & 0xFF) | (row[o + 1] << 8)));
    }

    private static ShortVector widen(ByteVector v) {
        return (ShortVector) v.convertShape(VectorOperators.B2S, S, 0);
    }

    private static IntVector toInts(ShortVector v) {
        return (IntVector) v.convertShape(VectorOperators.S2I, I, 0);
    }

    private static FloatVector toFloats(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    private static ShortVector act(short[] q, int at) {
        return ShortVector.fromArray(S, q, at);
    }

    private static float q8_0x1(byte[] w, Q8Activations a, int t, float[] lanes) {
        int nb = a.blocksPerToken;
        short[] q = a.q;
        float[] d = a.d;
        int tb = t * nb;
        int x = tb * QK;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < nb; b++) {
            int blk = b * Q8_0Codec.BYTES;
            float dw = scale(w, blk);
            IntVector i0 = IntVector.zero(I);
            for (int k = 0; k < QK; k += 2 * G) {
                ShortVector w0 = widen(ByteVector.fromArray(B, w, blk + Q8_0Codec.QS + k));
                ShortVector w1 = widen(ByteVector.fromArray(B, w, blk + Q8_0Codec.QS + k + G));
                int o = x + b * QK + k;
                i0 = i0.add(toInts(w0.mul(act(q, o)).add(w1.mul(act(q, o + G)))));
            }
            acc = toFloats(i0).fma(FloatVector.broadcast(F, dw * d[tb + b]), acc);
        }
        acc.intoArray(lanes, 0);
        return sumLanes(lanes);
    }

    private static void q8_0x4(byte[] w, Q8Activations a, int t, int rows, int r,
                               float[] out, float[] lanes) {
        int nb = a.blocksPerToken;
        short[] q = a.q;
        float[] d = a.d;
        int cols = nb * QK;
        int tb0 = t * nb;
        int x0 = tb0 * QK;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        for (int b = 0; b < nb; b++) {
            int blk = b * Q8_0Codec.BYTES;
            float dw = scale(w, blk);
            IntVector i0 = IntVector.zero(I);
            IntVector i1 = IntVector.zero(I);
            IntVector i2 = IntVector.zero(I);
            IntVector i3 = IntVector.zero(I);
            for (int k = 0; k < QK; k += 2 * G) {
                ShortVector w0 = widen(ByteVector.fromArray(B, w, blk + Q8_0Codec.QS + k));
                ShortVector w1 = widen(ByteVector.fromArray(B, w, blk + Q8_0Codec.QS + k + G));
                int o = x0 + b * QK + k;
                i0 = i0.add(toInts(w0.mul(act(q, o)).add(w1.mul(act(q, o + G)))));
                o += cols;
                i1 = i1.add(toInts(w0.mul(act(q, o)).add(w1.mul(act(q, o + G)))));
                o += cols;
                i2 = i2.add(toInts(w0.mul(act(q, o)).add(w1.mul(act(q, o + G)))));
                o += cols;
                i3 = i3.add(toInts(w0.mul(act(q, o)).add(w1.mul(act(q, o + G)))));
            }
            acc0 = toFloats(i0).fma(FloatVector.broadcast(F, dw * d[tb0 + b]), acc0);
            acc1 = toFloats(i1).fma(FloatVector.broadcast(F, dw * d[tb0 + nb + b]), acc1);
            acc2 = toFloats(i2).fma(FloatVector.broadcast(F, dw * d[tb0 + 2 * nb + b]), acc2);
            acc3 = toFloats(i3).fma(FloatVector.broadcast(F, dw * d[tb0 + 3 * nb + b]), acc3);
        }
        acc0.intoArray(lanes, 0);
        out[t * rows + r] = sumLanes(lanes);
        acc1.intoArray(lanes, 0);
        out[(t + 1) * rows + r] = sumLanes(lanes);
        acc2.intoArray(lanes, 0);
        out[(t + 2) * rows + r] = sumLanes(lanes);
        acc3.intoArray(lanes, 0);
        out[(t + 3) * rows + r] = sumLanes(lanes);
    }

    /** Low nibbles of G quant bytes as signed weights (elements k..k+G of the block). */
    private static ShortVector lowNibbles(ByteVector v) {
        return widen(v.and((byte) 0x0F).sub((byte) 8));
    }

    /** High nibbles: elements 16+k..16+k+G of the block. */
    private static ShortVector highNibbles(ByteVector v) {
        return widen(v.lanewise(VectorOperators.LSHR, 4).sub((byte) 8));
    }

    private static float q4_0x1(byte[] w, Q8Activations a, int t, float[] lanes) {
        int nb = a.blocksPerToken;
        short[] q = a.q;
        float[] d = a.d;
        int tb = t * nb;
        int x = tb * QK;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < nb; b++) {
            int blk = b * Q4_0Codec.BYTES;
            float dw = scale(w, blk);
            IntVector i0 = IntVector.zero(I);
            for (int k = 0; k < QK / 2; k += G) {
                ByteVector v = ByteVector.fromArray(B, w, blk + Q4_0Codec.QS + k);
                ShortVector lo = lowNibbles(v);
                ShortVector hi = highNibbles(v);
                int o = x + b * QK + k;
                i0 = i0.add(toInts(lo.mul(act(q, o)).add(hi.mul(act(q, o + QK / 2)))));
            }
            acc = toFloats(i0).fma(FloatVector.broadcast(F, dw * d[tb + b]), acc);
        }
        acc.intoArray(lanes, 0);
        return sumLanes(lanes);
    }

    /**
     * Two tokens, not four: the nibble unpacking adds enough IR that a 4-token Q4_0 kernel goes
     * over C2's inlining node budget (measured: 25x slower); the row copy is in L1 anyway.
     */
    private static void q4_0x2(byte[] w, Q8Activations a, int t, int rows, int r, float[] out, float[] lanes) {
        int nb = a.blocksPerToken;
        short[] q = a.q;
        float[] d = a.d;
        int cols = nb * QK;
        int tb0 = t * nb;
        int x0 = tb0 * QK;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int b = 0; b < nb; b++) {
            int blk = b * Q4_0Codec.BYTES;
            float dw = scale(w, blk);
            IntVector i0 = IntVector.zero(I);
            IntVector i1 = IntVector.zero(I);
            for (int k = 0; k < QK / 2; k += G) {
                ByteVector v = ByteVector.fromArray(B, w, blk + Q4_0Codec.QS + k);
                ShortVector lo = lowNibbles(v);
                ShortVector hi = highNibbles(v);
                int o = x0 + b * QK + k;
                i0 = i0.add(toInts(lo.mul(act(q, o)).add(hi.mul(act(q, o + QK / 2)))));
                o += cols;
                i1 = i1.add(toInts(lo.mul(act(q, o)).add(hi.mul(act(q, o + QK / 2)))));
            }
            acc0 = toFloats(i0).fma(FloatVector.broadcast(F, dw * d[tb0 + b]), acc0);
            acc1 = toFloats(i1).fma(FloatVector.broadcast(F, dw * d[tb0 + nb + b]), acc1);
        }
        acc0.intoArray(lanes, 0);
        out[t * rows + r] = sumLanes(lanes);
        acc1.intoArray(lanes, 0);
        out[(t + 1) * rows + r] = sumLanes(lanes);
    }
}
