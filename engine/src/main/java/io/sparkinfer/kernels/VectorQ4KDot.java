package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorQ4Dot.BH;
import static io.sparkinfer.kernels.VectorQ4Dot.CHUNKS;
import static io.sparkinfer.kernels.VectorQ4Dot.HIGH;
import static io.sparkinfer.kernels.VectorQ4Dot.SHORTS;
import static io.sparkinfer.kernels.VectorQ4Dot.SL;
import static io.sparkinfer.kernels.VectorQ4Dot.STEP_BYTES;
import static io.sparkinfer.kernels.VectorQ4Dot.SUM_GROUPS;
import static io.sparkinfer.kernels.VectorQ4Dot.SUPPORTED;
import static io.sparkinfer.kernels.VectorQ4Dot.SW;
import static io.sparkinfer.kernels.VectorQ4Dot.VB;
import static io.sparkinfer.kernels.VectorWidth.BITS;
import static io.sparkinfer.kernels.VectorWidth.F;
import static io.sparkinfer.kernels.VectorWidth.G;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Integer dots of {@link Q4_KInterleaved} rows with {@link Q8Activations}: Q4_K times int8, as
 * llama.cpp multiplies Q4_K. A sub-block of 32 weights is {@code d1 * q - m1} (q = 0..15, {@code
 * d1 = d * sc}, {@code m1 = dmin * m}); with activations {@code dx * xq} its dot is
 * <pre>  dx * (d1 * S + c1 * sum(xq)),   S = sum((q - 8) * xq),   c1 = 8 * d1 - m1</pre>
 * and S is exactly the Q4_0 block sum ({@link VectorQ4Dot}: same nibble layout, same int16
 * lanes, the same {@code -8 * sum(xq)} start). So the integer sums are Q4_0's, for four tokens
 * the very methods ({@link VectorQ4Dot#sums1x4}, {@link VectorQ4Dot#sums2x4}); only the float
 * epilogue differs. Per sub-block lane, in this order:
 * <pre>  acc = fma(float(S), d1 * dx, acc);   acc = fma(c1, dx * sum(xq), acc)</pre>
 * with {@code d1 = d * sc} (exact: 11 + 6 bits), {@code c1 = 8 * d1 + (-dmin) * m} (one
 * rounding) and {@code dx * sum(xq)} from the activations ({@link Q8Activations#DSUMS}). Every
 * tier does these operations per (row, token) with the accumulators, lane sums and chunk order of
 * the Q4_0 kernels, so a token's result does not depend on its batch ({@link VectorQ4Dot#finish},
 * {@link VectorQ4Dot#finish4} end both). {@link ScalarKernels#q4_KMatmul} is the reference.
 *
 * <p>Why: the float decode-dot this replaces spent ~4.5 vector instructions per 16 weights on
 * decoding them, where the integer step spends about one (1B Q4_K decode ran at 0.44-0.47x of
 * llama.cpp's, session 14).
 *
 * <p>The scales: a chunk's even sub-blocks (then its odd ones) sit in four super-blocks, G / 4
 * lanes each, so one load of the group's 8 floats (d, then -dmin) and a lane shuffle give the
 * per-lane d and -dmin of both halves; the 6-bit scales and mins are bytes widened to floats.
 */
final class VectorQ4KDot {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** G bytes: one half chunk's six-bit scales or mins (Q6_K: its int8 scales). */
    static final VectorSpecies<Byte> BQ =
            ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(SUPPORTED ? BITS / 4 : 64));
    /**
     * Per lane k of chunk c's halves: its super-block's d (D0, D1) and -dmin (M0, M1) among the
     * group's 8 floats. Q6_K's and Q5_K's groups have the same super-blocks per lane ({@link
     * VectorQ6KDot}, {@link VectorQ5KDot}).
     */
    static final VectorShuffle<Float> D0 = superBlocks(0, 0);
    static final VectorShuffle<Float> D1 = superBlocks(1, 0);
    static final VectorShuffle<Float> M0 = superBlocks(0, Q4_KInterleaved.SUPER);
    static final VectorShuffle<Float> M1 = superBlocks(1, Q4_KInterleaved.SUPER);

    private VectorQ4KDot() {
    }

    /**
     * Lane k of chunk c's even (or odd) half is sub-block 2 (c G + k) (+ 1): super-block (c G + k)
     * / 4, at index first + that among the group's 8 floats. (Clamped for widths without kernels
     * here, where the class must still load.)
     */
    private static VectorShuffle<Float> superBlocks(int c, int first) {
        int[] idx = new int[G];
        for (int k = 0; k < G; k++) {
            idx[k] = Math.min(G - 1, first + (c * G + k) / 4);
        }
        return VectorShuffle.fromArray(F, idx, 0);
    }

    /**
     * Row at {@code w + base} times the token at {@code x + x0}, over {@code groups} groups, into
     * lanes ({@link VectorQ4Dot#finish} sums them): {@link VectorQ4Dot#dot1}'s integer loop and
     * accumulators, with the Q4_K epilogue.
     */
    static void dot1(MemorySegment w, long base, MemorySegment x, long x0, int groups, MemorySegment lanes) {
        w = NativeSegments.pin(w);
        x = NativeSegments.pin(x);
        lanes = NativeSegments.pin(lanes);
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int g = 0; g < groups; g++) {
            long wg = base + (long) g * Q4_KInterleaved.BYTES;
            long xg = x0 + (long) g * Q8Activations.BYTES;
            FloatVector dm = FloatVector.fromMemorySegment(F, w, wg + Q4_KInterleaved.D, LE);
            for (int c = 0; c < CHUNKS; c++) {
                long wc = wg + c * SL;
                long xc = xg + c * SL * Short.BYTES;
                ShortVector acc = ShortVector.fromMemorySegment(SW, x, xc + Q8Activations.OFFSETS, NATIVE);
                for (int i = 0; i < Q4_0Interleaved.STEPS; i += 2) {
                    long wi = wc + (long) i * Q4_0Interleaved.BLOCKS;
                    long xi = xc + (long) i * STEP_BYTES;
                    ShortVector q = (ShortVector) ByteVector.fromMemorySegment(BH, w, wi, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SW, 0);
                    acc = q.mul(ShortVector.fromMemorySegment(SW, x, xi, NATIVE)).add(acc)
                            .add(q.lanewise(VectorOperators.LSHR, 4)
                                    .mul(ShortVector.fromMemorySegment(SW, x, xi + HIGH, NATIVE)));
                    q = (ShortVector) ByteVector.fromMemorySegment(BH, w, wi + Q4_0Interleaved.BLOCKS, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SW, 0);
                    acc = q.mul(ShortVector.fromMemorySegment(SW, x, xi + STEP_BYTES, NATIVE)).add(acc)
                            .add(q.lanewise(VectorOperators.LSHR, 4)
                                    .mul(ShortVector.fromMemorySegment(SW, x, xi + STEP_BYTES + HIGH, NATIVE)));
                }
                FloatVector dv = dm.rearrange(c == 0 ? D0 : D1);
                FloatVector mv = dm.rearrange(c == 0 ? M0 : M1);
                long sc = wg + Q4_KInterleaved.SC + c * SL;
                long mn = wg + Q4_KInterleaved.MINS + c * SL;
                FloatVector d0 = ((FloatVector) ByteVector.fromMemorySegment(BQ, w, sc, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(dv);
                FloatVector d1 = ((FloatVector) ByteVector.fromMemorySegment(BQ, w, sc + G, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(dv);
                FloatVector c0 = d0.mul(8f).add(((FloatVector) ByteVector.fromMemorySegment(BQ, w, mn, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(mv));
                FloatVector c1 = d1.mul(8f).add(((FloatVector) ByteVector.fromMemorySegment(BQ, w, mn + G, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(mv));
                long xd = xg + Q8Activations.SCALES + 2L * c * G * Float.BYTES;
                long xm = xg + Q8Activations.DSUMS + 2L * c * G * Float.BYTES;
                IntVector pairs = ((ShortVector) SHORTS.cast(acc)).reinterpretAsInts();
                FloatVector p0 = (FloatVector) pairs.lanewise(VectorOperators.LSHL, 16)
                        .lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
                FloatVector p1 = (FloatVector) pairs.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
                FloatVector e0 = p0.fma(d0.mul(FloatVector.fromMemorySegment(F, x, xd, NATIVE)), c == 0 ? a0 : a2);
                FloatVector e1 = p1.fma(d1.mul(FloatVector.fromMemorySegment(F, x, xd + VB, NATIVE)), c == 0 ? a1 : a3);
                e0 = c0.fma(FloatVector.fromMemorySegment(F, x, xm, NATIVE), e0);
                e1 = c1.fma(FloatVector.fromMemorySegment(F, x, xm + VB, NATIVE), e1);
                if (c == 0) {
                    a0 = e0;
                    a1 = e1;
                } else {
                    a2 = e0;
                    a3 = e1;
                }
            }
        }
        // As VectorQ4Dot.dot1: one chunk exactly a0 + a1, two (a0 + a2) + (a1 + a3).
        FloatVector sum = CHUNKS == 1 ? a0.add(a1) : a0.add(a2).add(a1.add(a3));
        sum.intoMemorySegment(lanes, 0, NATIVE);
    }

    /**
     * One row times four tokens, groups [g0, g1): {@link VectorQ4Dot#dot1x4} with the Q4_K
     * epilogue (same accumulators, same scratch, {@link VectorQ4Dot#finish4} sums them).
     */
    static void dot1x4(MemorySegment w, long base, MemorySegment x, long x0, long xs, int g0, int g1,
                       MemorySegment acc, long at, MemorySegment sums, long sumsAt) {
        w = NativeSegments.pin(w);
        x = NativeSegments.pin(x);
        acc = NativeSegments.pin(acc);
        sums = NativeSegments.pin(sums);
        if (g1 - g0 > SUM_GROUPS) {
            throw new IllegalArgumentException("at most " + SUM_GROUPS + " groups per call, got " + (g1 - g0));
        }
        for (int c = 0; c < CHUNKS; c++) {
            VectorQ4Dot.sums1x4(w, base, Q4_KInterleaved.BYTES, x, x0, xs, g0, g1, c, sums, sumsAt);
            scale1x4(w, base, x, x0, xs, g0, g1, c, sums, sumsAt, acc, at);
        }
    }

    /** Two rows times four tokens: {@link VectorQ4Dot#dot2x4} with the Q4_K epilogue. */
    static void dot2x4(MemorySegment w, long base, long base2, MemorySegment x, long x0, long xs, int g0, int g1,
                       MemorySegment acc, long at, long at2, MemorySegment sums, long sumsAt, long sumsAt2) {
        w = NativeSegments.pin(w);
        x = NativeSegments.pin(x);
        acc = NativeSegments.pin(acc);
        sums = NativeSegments.pin(sums);
        if (g1 - g0 > SUM_GROUPS) {
            throw new IllegalArgumentException("at most " + SUM_GROUPS + " groups per call, got " + (g1 - g0));
        }
        for (int c = 0; c < CHUNKS; c++) {
            VectorQ4Dot.sums2x4(w, base, base2, Q4_KInterleaved.BYTES, x, x0, xs, g0, g1, c, sums, sumsAt, sumsAt2);
            scale1x4(w, base, x, x0, xs, g0, g1, c, sums, sumsAt, acc, at);
            scale1x4(w, base2, x, x0, xs, g0, g1, c, sums, sumsAt2, acc, at2);
        }
    }

    /**
     * The Q4_K epilogue for four tokens, chunk c of groups [g0, g1): the block sums at sums +
     * sumsAt (group g's token t at vector (g - g0) * 4 + t) into the 8 accumulators at acc + at
     * + c * 8 vectors (zero when g0 is 0), each token as {@link #dot1} does it.
     */
    private static void scale1x4(MemorySegment w, long base, MemorySegment x, long x0, long xs, int g0, int g1, int c,
                                 MemorySegment sums, long sumsAt, MemorySegment acc, long at) {
        w = NativeSegments.pin(w);
        x = NativeSegments.pin(x);
        sums = NativeSegments.pin(sums);
        acc = NativeSegments.pin(acc);
        long vb = SW.vectorByteSize();
        at += c * 8 * VB;
        FloatVector a0, a1, b0, b1, c0, c1, d0, d1;
        if (g0 == 0) {
            a0 = FloatVector.zero(F);
            a1 = a0;
            b0 = a0;
            b1 = a0;
            c0 = a0;
            c1 = a0;
            d0 = a0;
            d1 = a0;
        } else {
            a0 = FloatVector.fromMemorySegment(F, acc, at, NATIVE);
            a1 = FloatVector.fromMemorySegment(F, acc, at + VB, NATIVE);
            b0 = FloatVector.fromMemorySegment(F, acc, at + 2 * VB, NATIVE);
            b1 = FloatVector.fromMemorySegment(F, acc, at + 3 * VB, NATIVE);
            c0 = FloatVector.fromMemorySegment(F, acc, at + 4 * VB, NATIVE);
            c1 = FloatVector.fromMemorySegment(F, acc, at + 5 * VB, NATIVE);
            d0 = FloatVector.fromMemorySegment(F, acc, at + 6 * VB, NATIVE);
            d1 = FloatVector.fromMemorySegment(F, acc, at + 7 * VB, NATIVE);
        }
        VectorShuffle<Float> dShuffle = c == 0 ? D0 : D1;
        VectorShuffle<Float> mShuffle = c == 0 ? M0 : M1;
        for (int g = g0; g < g1; g++) {
            long wg = base + (long) g * Q4_KInterleaved.BYTES;
            FloatVector dm = FloatVector.fromMemorySegment(F, w, wg + Q4_KInterleaved.D, LE);
            FloatVector dv = dm.rearrange(dShuffle);
            FloatVector mv = dm.rearrange(mShuffle);
            long sc = wg + Q4_KInterleaved.SC + c * SL;
            long mn = wg + Q4_KInterleaved.MINS + c * SL;
            FloatVector w0 = ((FloatVector) ByteVector.fromMemorySegment(BQ, w, sc, LE)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(dv);
            FloatVector w1 = ((FloatVector) ByteVector.fromMemorySegment(BQ, w, sc + G, LE)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(dv);
            FloatVector m0 = w0.mul(8f).add(((FloatVector) ByteVector.fromMemorySegment(BQ, w, mn, LE)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(mv));
            FloatVector m1 = w1.mul(8f).add(((FloatVector) ByteVector.fromMemorySegment(BQ, w, mn + G, LE)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(mv));
            long xa = x0 + (long) g * Q8Activations.BYTES;
            long xb = xa + xs;
            long xc = xb + xs;
            long xd = xc + xs;
            long o = sumsAt + (g - g0) * 4L * vb;
            long s = Q8Activations.SCALES + 2L * c * G * Float.BYTES;
            long m = Q8Activations.DSUMS + 2L * c * G * Float.BYTES;
            IntVector sa = IntVector.fromMemorySegment(VectorWidth.I, sums, o, NATIVE);
            a0 = ((FloatVector) sa.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0))
                    .fma(w0.mul(FloatVector.fromMemorySegment(F, x, xa + s, NATIVE)), a0);
            a1 = ((FloatVector) sa.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(w1.mul(FloatVector.fromMemorySegment(F, x, xa + s + VB, NATIVE)), a1);
            a0 = m0.fma(FloatVector.fromMemorySegment(F, x, xa + m, NATIVE), a0);
            a1 = m1.fma(FloatVector.fromMemorySegment(F, x, xa + m + VB, NATIVE), a1);
            IntVector sb = IntVector.fromMemorySegment(VectorWidth.I, sums, o + vb, NATIVE);
            b0 = ((FloatVector) sb.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0))
                    .fma(w0.mul(FloatVector.fromMemorySegment(F, x, xb + s, NATIVE)), b0);
            b1 = ((FloatVector) sb.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(w1.mul(FloatVector.fromMemorySegment(F, x, xb + s + VB, NATIVE)), b1);
            b0 = m0.fma(FloatVector.fromMemorySegment(F, x, xb + m, NATIVE), b0);
            b1 = m1.fma(FloatVector.fromMemorySegment(F, x, xb + m + VB, NATIVE), b1);
            IntVector sc4 = IntVector.fromMemorySegment(VectorWidth.I, sums, o + 2 * vb, NATIVE);
            c0 = ((FloatVector) sc4.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0))
                    .fma(w0.mul(FloatVector.fromMemorySegment(F, x, xc + s, NATIVE)), c0);
            c1 = ((FloatVector) sc4.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(w1.mul(FloatVector.fromMemorySegment(F, x, xc + s + VB, NATIVE)), c1);
            c0 = m0.fma(FloatVector.fromMemorySegment(F, x, xc + m, NATIVE), c0);
            c1 = m1.fma(FloatVector.fromMemorySegment(F, x, xc + m + VB, NATIVE), c1);
            IntVector sd = IntVector.fromMemorySegment(VectorWidth.I, sums, o + 3 * vb, NATIVE);
            d0 = ((FloatVector) sd.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0))
                    .fma(w0.mul(FloatVector.fromMemorySegment(F, x, xd + s, NATIVE)), d0);
            d1 = ((FloatVector) sd.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(w1.mul(FloatVector.fromMemorySegment(F, x, xd + s + VB, NATIVE)), d1);
            d0 = m0.fma(FloatVector.fromMemorySegment(F, x, xd + m, NATIVE), d0);
            d1 = m1.fma(FloatVector.fromMemorySegment(F, x, xd + m + VB, NATIVE), d1);
        }
        a0.intoMemorySegment(acc, at, NATIVE);
        a1.intoMemorySegment(acc, at + VB, NATIVE);
        b0.intoMemorySegment(acc, at + 2 * VB, NATIVE);
        b1.intoMemorySegment(acc, at + 3 * VB, NATIVE);
        c0.intoMemorySegment(acc, at + 4 * VB, NATIVE);
        c1.intoMemorySegment(acc, at + 5 * VB, NATIVE);
        d0.intoMemorySegment(acc, at + 6 * VB, NATIVE);
        d1.intoMemorySegment(acc, at + 7 * VB, NATIVE);
    }
}
