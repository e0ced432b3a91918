package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorQ4Dot.BH;
import static io.sparkinfer.kernels.VectorQ4Dot.CHUNKS;
import static io.sparkinfer.kernels.VectorQ4Dot.HIGH;
import static io.sparkinfer.kernels.VectorQ4Dot.SHORTS;
import static io.sparkinfer.kernels.VectorQ4Dot.SL;
import static io.sparkinfer.kernels.VectorQ4Dot.STEP_BYTES;
import static io.sparkinfer.kernels.VectorQ4Dot.SW;
import static io.sparkinfer.kernels.VectorQ4Dot.VB;
import static io.sparkinfer.kernels.VectorWidth.F;
import static io.sparkinfer.kernels.VectorWidth.G;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Integer dots of {@link Q5_KInterleaved} rows with {@link Q8Activations}: Q5_K times int8. A
 * sub-block of 32 weights is {@code d1 * q - m1} (q = 0..31); with activations {@code dx * xq}
 * its dot is {@code dx * (d1 * S + c1 * sum(xq))}, {@code S = sum((q - 16) xq)}, {@code c1 = 16 d1
 * - m1}: {@link VectorQ4KDot}'s epilogue with 16 for 8. A product reaches 16 * 127 = 2032, so an
 * int16 lane sums one half of the sub-block (16 values, 32512 at most): elements 0..15 and
 * 16..31 go to two lanes, widened and added before the epilogue (as {@link VectorQ6KDot}'s
 * halves, without its 8-step split). Values decoded from five bits as {@link VectorLegacyDot#dot1}
 * decodes Q5_0's; four tokens at a time run {@link VectorHalfSums}' passes over rows expanded a
 * byte a value ({@link VectorLegacyDot#expand}) with {@link #scales}. {@link
 * ScalarKernels#q5_KMatmul} is the reference.
 */
final class VectorQ5KDot {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private VectorQ5KDot() {
    }

    /** Row at {@code w + base} times the token at {@code x + x0}, into lanes ({@link VectorQ4Dot#finish}). */
    static void dot1(MemorySegment w, long base, MemorySegment x, long x0, int groups, MemorySegment lanes) {
        w = NativeSegments.pin(w);
        x = NativeSegments.pin(x);
        lanes = NativeSegments.pin(lanes);
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int g = 0; g < groups; g++) {
            long wg = base + (long) g * Q5_KInterleaved.BYTES;
            long xg = x0 + (long) g * Q8Activations.BYTES;
            FloatVector dm = FloatVector.fromMemorySegment(F, w, wg + Q5_KInterleaved.D, LE);
            for (int c = 0; c < CHUNKS; c++) {
                long ws = wg + c * SL * Short.BYTES; // the chunk's lanes of the iterations' shorts
                long wt = wg + c * SL;               // and of their nibble bytes (LegacyFiveBits)
                long xc = xg + c * SL * Short.BYTES;
                ShortVector p = ShortVector.zero(SW); // elements 0..15 of each sub-block
                ShortVector r = p;                    // elements 16..31
                for (int i = 0; i < LegacyFiveBits.ITERATIONS; i++) {
                    long xi = xc + (long) i * STEP_BYTES;
                    ShortVector s = ShortVector.fromMemorySegment(SW, w, ws + LegacyFiveBits.shorts(i), LE);
                    ShortVector n = ((ShortVector) ByteVector.fromMemorySegment(BH, w, wt + LegacyFiveBits.nibbles(i), LE)
                            .convertShape(VectorOperators.B2S, SW, 0))
                            .lanewise(VectorOperators.ASHR, 4 * (i & 1)).and((short) 15);
                    ShortVector y = ShortVector.fromMemorySegment(SW, x, xi, NATIVE);
                    ShortVector z = ShortVector.fromMemorySegment(SW, x, xi + HIGH, NATIVE)
                            .add(y.lanewise(VectorOperators.LSHL, 4));
                    p = s.lanewise(VectorOperators.ASHR, 11).mul(y).add(p);
                    r = s.lanewise(VectorOperators.LSHL, 5).lanewise(VectorOperators.ASHR, 11).mul(z).add(r);
                    xi += 8L * STEP_BYTES;
                    y = ShortVector.fromMemorySegment(SW, x, xi, NATIVE);
                    z = ShortVector.fromMemorySegment(SW, x, xi + HIGH, NATIVE)
                            .add(y.lanewise(VectorOperators.LSHL, 4));
                    p = s.lanewise(VectorOperators.LSHL, 10).lanewise(VectorOperators.ASHR, 11).mul(y).add(p);
                    r = s.lanewise(VectorOperators.LSHL, 15).lanewise(VectorOperators.ASHR, 11).or(n).mul(z).add(r);
                }
                IntVector pi = ((ShortVector) SHORTS.cast(p)).reinterpretAsInts();
                IntVector ri = ((ShortVector) SHORTS.cast(r)).reinterpretAsInts();
                FloatVector se = (FloatVector) pi.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(ri.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                        .convert(VectorOperators.I2F, 0);
                FloatVector so = (FloatVector) pi.lanewise(VectorOperators.ASHR, 16)
                        .add(ri.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0);
                FloatVector dv = dm.rearrange(c == 0 ? VectorQ4KDot.D0 : VectorQ4KDot.D1);
                FloatVector mv = dm.rearrange(c == 0 ? VectorQ4KDot.M0 : VectorQ4KDot.M1);
                long sc = wg + Q5_KInterleaved.SC + c * SL;
                long mn = wg + Q5_KInterleaved.MINS + c * SL;
                FloatVector d0 = ((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, sc, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(dv);
                FloatVector d1 = ((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, sc + G, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(dv);
                FloatVector c0 = d0.mul(16f).add(((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, mn, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(mv));
                FloatVector c1 = d1.mul(16f).add(((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, mn + G,
                        LE).convertShape(VectorOperators.B2F, F, 0)).mul(mv));
                long xd = xg + Q8Activations.SCALES + 2L * c * G * Float.BYTES;
                long xm = xg + Q8Activations.DSUMS + 2L * c * G * Float.BYTES;
                FloatVector e0 = se.fma(d0.mul(FloatVector.fromMemorySegment(F, x, xd, NATIVE)), c == 0 ? a0 : a2);
                FloatVector e1 = so.fma(d1.mul(FloatVector.fromMemorySegment(F, x, xd + VB, NATIVE)), c == 0 ? a1 : a3);
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
        FloatVector sum = CHUNKS == 1 ? a0.add(a1) : a0.add(a2).add(a1.add(a3));
        sum.intoMemorySegment(lanes, 0, NATIVE);
    }

    /**
     * The float scales of groups [g0, g1) of the row at base, expanded ({@link
     * Q5_KInterleaved#EXPANDED_BYTES} per group), as {@link #dot1} forms them, for {@link
     * VectorHalfSums#scale1x4}: per group, {@code d1} of the even and of the odd blocks, then
     * {@code c1 = 16 d1 - m1} of each, at out + outAt; of chunk c (256 bits: 0 or 1).
     */
    static void scales(MemorySegment w, long base, int g0, int g1, int c, MemorySegment out, long outAt) {
        w = NativeSegments.pin(w);
        out = NativeSegments.pin(out);
        for (int g = g0; g < g1; g++) {
            long wg = base + (long) g * Q5_KInterleaved.EXPANDED_BYTES + LegacyFiveBits.EXPANSION;
            long o = outAt + (g - g0) * VectorHalfSums.SCALE_VECTORS * VB;
            FloatVector dm = FloatVector.fromMemorySegment(F, w, wg + Q5_KInterleaved.D, LE);
            FloatVector dv = dm.rearrange(c == 0 ? VectorQ4KDot.D0 : VectorQ4KDot.D1);
            FloatVector mv = dm.rearrange(c == 0 ? VectorQ4KDot.M0 : VectorQ4KDot.M1);
            long sc = wg + Q5_KInterleaved.SC + c * SL;
            long mn = wg + Q5_KInterleaved.MINS + c * SL;
            FloatVector d0 = ((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, sc, LE)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(dv);
            FloatVector d1 = ((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, sc + G, LE)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(dv);
            d0.intoMemorySegment(out, o, NATIVE);
            d1.intoMemorySegment(out, o + VB, NATIVE);
            d0.mul(16f).add(((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, mn, LE)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(mv)).intoMemorySegment(out, o + 2 * VB, NATIVE);
            d1.mul(16f).add(((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, mn + G, LE)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(mv)).intoMemorySegment(out, o + 3 * VB, NATIVE);
        }
    }
}
