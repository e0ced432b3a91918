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
 * Integer dots of Q2_K rows ({@link Q6_KInterleaved} with mins) with {@link Q8Activations}, as
 * llama.cpp multiplies Q2_K. A 32-element block is two sub-blocks of 16, {@code d * sa * q -
 * dmin * ma} and {@code d * sb * q - dmin * mb} (q = 0..3); with activations {@code dx * xq} its
 * dot is
 * <pre>  dx * (d * (sa * A + sb * B) - dmin * (ma * XA + mb * XB))</pre>
 * A, B the integer dots of q and xq over each sub-block, XA, XB the sums of xq. Per lane, in
 * this order: {@code acc = fma(fma(sa, A, sb * B), d * dx, acc)}, then {@code acc = fma(fma(ma,
 * XA, mb * XB), -dmin * dx, acc)} (the integers are exact in floats). A product is at most 3 *
 * 128, so an int16 lane sums all 16 steps; the xq sums come from the activations the loop
 * loads anyway (the high values rebuilt from {@code q[i + 16] - 16 q[i]}, see {@link
 * Q8Activations}). One token at a time for every batch size, as Q6_K; {@link
 * ScalarKernels#q6_KMatmul} is the reference.
 */
final class VectorQ2KDot {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private VectorQ2KDot() {
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
            long wg = base + (long) g * Q6_KInterleaved.BYTES_WITH_MINS;
            long xg = x0 + (long) g * Q8Activations.BYTES;
            FloatVector dm = FloatVector.fromMemorySegment(F, w, wg + Q6_KInterleaved.D, LE);
            for (int c = 0; c < CHUNKS; c++) {
                long ws = wg + c * SL * Short.BYTES; // the chunk's lanes of the iterations' shorts
                long wt = wg + c * SL;               // and of their bytes (Q6_KInterleaved)
                long xc = xg + c * SL * Short.BYTES;
                ShortVector p = ShortVector.zero(SW); // first sub-blocks: sum of q xq
                ShortVector r = p;                    // second sub-blocks
                ShortVector sy = p;                   // first sub-blocks: sum of xq
                ShortVector sz = p;                   // second sub-blocks
                for (int i = 0; i < Q6_KInterleaved.ITERATIONS; i++) {
                    long xi = xc + (long) i * STEP_BYTES;
                    ShortVector s = ShortVector.fromMemorySegment(SW, w, ws + Q6_KInterleaved.shorts(i), LE);
                    ShortVector u = (ShortVector) ByteVector
                            .fromMemorySegment(BH, w, wt + Q6_KInterleaved.bytes(i), LE)
                            .convertShape(VectorOperators.B2S, SW, 0);
                    ShortVector y = ShortVector.fromMemorySegment(SW, x, xi, NATIVE);
                    ShortVector z = ShortVector.fromMemorySegment(SW, x, xi + HIGH, NATIVE)
                            .add(y.lanewise(VectorOperators.LSHL, 4));
                    p = s.lanewise(VectorOperators.ASHR, 10).mul(y).add(p);
                    r = s.lanewise(VectorOperators.LSHL, 6).lanewise(VectorOperators.ASHR, 10).mul(z).add(r);
                    sy = y.add(sy);
                    sz = z.add(sz);
                    xi += 8L * STEP_BYTES;
                    y = ShortVector.fromMemorySegment(SW, x, xi, NATIVE);
                    z = ShortVector.fromMemorySegment(SW, x, xi + HIGH, NATIVE)
                            .add(y.lanewise(VectorOperators.LSHL, 4));
                    p = u.lanewise(VectorOperators.LSHL, 14).lanewise(VectorOperators.ASHR, 10)
                            .add(s.and((short) 15)).mul(y).add(p);
                    r = u.lanewise(VectorOperators.ASHR, 2).mul(z).add(r);
                    sy = y.add(sy);
                    sz = z.add(sz);
                }
                // Widened in lane (even blocks: low halves, odd: high halves), as Q4_0's sums.
                IntVector pi = ((ShortVector) SHORTS.cast(p)).reinterpretAsInts();
                IntVector ri = ((ShortVector) SHORTS.cast(r)).reinterpretAsInts();
                IntVector yi = ((ShortVector) SHORTS.cast(sy)).reinterpretAsInts();
                IntVector zi = ((ShortVector) SHORTS.cast(sz)).reinterpretAsInts();
                long sa = wg + Q6_KInterleaved.SA + c * SL;
                long sb = wg + Q6_KInterleaved.SB + c * SL;
                long ma = wg + Q6_KInterleaved.MA + c * SL;
                long mb = wg + Q6_KInterleaved.MB + c * SL;
                FloatVector te = ((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, sa, LE)
                        .convertShape(VectorOperators.B2F, F, 0))
                        .fma((FloatVector) pi.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                                        .convert(VectorOperators.I2F, 0),
                                ((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, sb, LE)
                                        .convertShape(VectorOperators.B2F, F, 0))
                                        .mul((FloatVector) ri.lanewise(VectorOperators.LSHL, 16)
                                                .lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)));
                FloatVector to = ((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, sa + G, LE)
                        .convertShape(VectorOperators.B2F, F, 0))
                        .fma((FloatVector) pi.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0),
                                ((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, sb + G, LE)
                                        .convertShape(VectorOperators.B2F, F, 0))
                                        .mul((FloatVector) ri.lanewise(VectorOperators.ASHR, 16)
                                                .convert(VectorOperators.I2F, 0)));
                FloatVector ue = ((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, ma, LE)
                        .convertShape(VectorOperators.B2F, F, 0))
                        .fma((FloatVector) yi.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                                        .convert(VectorOperators.I2F, 0),
                                ((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, mb, LE)
                                        .convertShape(VectorOperators.B2F, F, 0))
                                        .mul((FloatVector) zi.lanewise(VectorOperators.LSHL, 16)
                                                .lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)));
                FloatVector uo = ((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, ma + G, LE)
                        .convertShape(VectorOperators.B2F, F, 0))
                        .fma((FloatVector) yi.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0),
                                ((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, mb + G, LE)
                                        .convertShape(VectorOperators.B2F, F, 0))
                                        .mul((FloatVector) zi.lanewise(VectorOperators.ASHR, 16)
                                                .convert(VectorOperators.I2F, 0)));
                FloatVector dv = dm.rearrange(c == 0 ? VectorQ4KDot.D0 : VectorQ4KDot.D1);
                FloatVector mv = dm.rearrange(c == 0 ? VectorQ4KDot.M0 : VectorQ4KDot.M1);
                long xd = xg + Q8Activations.SCALES + 2L * c * G * Float.BYTES;
                FloatVector dx0 = FloatVector.fromMemorySegment(F, x, xd, NATIVE);
                FloatVector dx1 = FloatVector.fromMemorySegment(F, x, xd + VB, NATIVE);
                FloatVector e0 = te.fma(dv.mul(dx0), c == 0 ? a0 : a2);
                FloatVector e1 = to.fma(dv.mul(dx1), c == 0 ? a1 : a3);
                e0 = ue.fma(mv.mul(dx0), e0);
                e1 = uo.fma(mv.mul(dx1), e1);
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
}
