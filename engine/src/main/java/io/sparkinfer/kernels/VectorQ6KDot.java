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
 * Integer dots of {@link Q6_KInterleaved} rows with {@link Q8Activations}: Q6_K times int8, as
 * llama.cpp multiplies Q6_K. A 32-element block is two Q6_K sub-blocks, {@code d * sa * (q -
 * 32)} and {@code d * sb * (q - 32)}; with activations {@code dx * xq} its dot is
 * <pre>  d * dx * (sa * A + sb * B),   A = sum over the first 16 of (q - 32) xq,   B = the second 16</pre>
 * per lane, in this order: {@code acc = fma(fma(sa, A, sb * B), d * dx, acc)} ({@code sb * B}
 * and the integers are exact in floats). A product is at most 32 * 127 = 4064 in magnitude, so
 * an int16 lane holds the sum of 8 (32512), not 16: each half is summed over steps 0..7 and 8..15
 * in two int16 lanes, added after widening. The activations' high values are stored as {@code
 * q[i + 16] - 16 q[i]} (for Q4_0's nibbles), so q[i + 16] is rebuilt per step.
 *
 * <p>{@link #dot1} serves one token ({@link VectorQ4Matmul} runs it per token over row blocks in
 * L2); four tokens at a time run {@link VectorSplitSums#sums2x4} (up to {@link
 * VectorQ4Matmul#SIX_BIT_EXPAND_TOKENS} tokens) or, past that, {@link VectorHalfSums#sums2x4}
 * over rows written out a byte a value ({@link #expand}), steps 0..7 and 8..15 in two passes,
 * then {@link VectorSplitSums#scale1x4} with {@link
 * #scales}, the same operations per (row, token), so a token's result does not depend on its
 * batch. {@link
 * ScalarKernels#q6_KMatmul} is the reference. Why: the float decode-dot this replaces spent ~9
 * vector instructions per 16 weights on decoding 6-bit values; the output matrix of a Q4_K_M
 * file is Q6_K and took most of its decode time.
 */
final class VectorQ6KDot {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private VectorQ6KDot() {
    }

    /**
     * Row at {@code w + base} times the token at {@code x + x0}, over {@code groups} groups, into
     * lanes ({@link VectorQ4Dot#finish} sums them): per chunk, the even blocks' and odd blocks'
     * accumulators (two chunks at 256 bits: a0, a1 then a2, a3, folded as {@link VectorQ4Dot#dot1}).
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
            long wg = base + (long) g * Q6_KInterleaved.BYTES;
            long xg = x0 + (long) g * Q8Activations.BYTES;
            FloatVector dm = FloatVector.fromMemorySegment(F, w, wg + Q6_KInterleaved.D, LE);
            for (int c = 0; c < CHUNKS; c++) {
                long ws = wg + c * SL * Short.BYTES; // the chunk's lanes of the iterations' shorts
                long wt = wg + c * SL;               // and of their bytes (Q6_KInterleaved)
                long xc = xg + c * SL * Short.BYTES;
                // p, r: steps 0..7 of the first and second sub-block; q, t: steps 8..15.
                ShortVector p = ShortVector.zero(SW);
                ShortVector q = p;
                ShortVector r = p;
                ShortVector t = p;
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
                    xi += 8L * STEP_BYTES;
                    y = ShortVector.fromMemorySegment(SW, x, xi, NATIVE);
                    z = ShortVector.fromMemorySegment(SW, x, xi + HIGH, NATIVE)
                            .add(y.lanewise(VectorOperators.LSHL, 4));
                    q = u.lanewise(VectorOperators.LSHL, 14).lanewise(VectorOperators.ASHR, 10)
                            .add(s.and((short) 15)).mul(y).add(q);
                    t = u.lanewise(VectorOperators.ASHR, 2).mul(z).add(t);
                }
                // Widened in lane (even blocks: low halves, odd: high halves), as Q4_0's sums.
                IntVector pi = ((ShortVector) SHORTS.cast(p)).reinterpretAsInts();
                IntVector qi = ((ShortVector) SHORTS.cast(q)).reinterpretAsInts();
                IntVector ri = ((ShortVector) SHORTS.cast(r)).reinterpretAsInts();
                IntVector ti = ((ShortVector) SHORTS.cast(t)).reinterpretAsInts();
                FloatVector ae = (FloatVector) pi.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(qi.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                        .convert(VectorOperators.I2F, 0);
                FloatVector ao = (FloatVector) pi.lanewise(VectorOperators.ASHR, 16)
                        .add(qi.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0);
                FloatVector be = (FloatVector) ri.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(ti.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                        .convert(VectorOperators.I2F, 0);
                FloatVector bo = (FloatVector) ri.lanewise(VectorOperators.ASHR, 16)
                        .add(ti.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0);
                long sa = wg + Q6_KInterleaved.SA + c * SL;
                long sb = wg + Q6_KInterleaved.SB + c * SL;
                FloatVector te = ((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, sa, LE)
                        .convertShape(VectorOperators.B2F, F, 0))
                        .fma(ae, ((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, sb, LE)
                                .convertShape(VectorOperators.B2F, F, 0)).mul(be));
                FloatVector to = ((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, sa + G, LE)
                        .convertShape(VectorOperators.B2F, F, 0))
                        .fma(ao, ((FloatVector) ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, sb + G, LE)
                                .convertShape(VectorOperators.B2F, F, 0)).mul(bo));
                FloatVector dv = dm.rearrange(c == 0 ? VectorQ4KDot.D0 : VectorQ4KDot.D1);
                long xd = xg + Q8Activations.SCALES + 2L * c * G * Float.BYTES;
                FloatVector e0 = te.fma(dv.mul(FloatVector.fromMemorySegment(F, x, xd, NATIVE)), c == 0 ? a0 : a2);
                FloatVector e1 = to.fma(dv.mul(FloatVector.fromMemorySegment(F, x, xd + VB, NATIVE)), c == 0 ? a1 : a3);
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
     * Writes {@code groups} groups from the packed rows at base ({@link Q6_KInterleaved#BYTES}
     * each, consecutive) out a byte a value at out + outAt ({@link
     * Q6_KInterleaved#EXPANDED_BYTES} each): iteration i's v1 and v2 as step i, its v3 and v4 as
     * step i + 8, in {@link LegacyInterleaved#slot} order (slots 2i and 2i + 1), each step the
     * lanes' low values then their high ones; then the scales and d copied as they are. The
     * values are the ones {@link #dot1} decodes (the same shifts), so the passes over them sum
     * the same integers.
     */
    static void expand(MemorySegment w, long base, int groups, MemorySegment out, long outAt) {
        w = NativeSegments.pin(w);
        out = NativeSegments.pin(out);
        long after = Q6_KInterleaved.BYTES - Q6_KInterleaved.SA;
        for (int g = 0; g < groups; g++) {
            long wg = base + (long) g * Q6_KInterleaved.BYTES;
            long og = outAt + (long) g * Q6_KInterleaved.EXPANDED_BYTES;
            for (int c = 0; c < CHUNKS; c++) {
                long ws = wg + c * SL * Short.BYTES;
                long wt = wg + c * SL;
                long oc = og + c * SL;
                for (int i = 0; i < Q6_KInterleaved.ITERATIONS; i++) {
                    ShortVector s = ShortVector.fromMemorySegment(SW, w, ws + Q6_KInterleaved.shorts(i), LE);
                    ShortVector t = (ShortVector) ByteVector.fromMemorySegment(BH, w, wt + Q6_KInterleaved.bytes(i), LE)
                            .convertShape(VectorOperators.B2S, SW, 0);
                    long o = oc + 2L * i * LegacyInterleaved.STEP; // step i at slot 2i, step i + 8 at 2i + 1
                    s.lanewise(VectorOperators.ASHR, 10).convertShape(VectorOperators.S2B, BH, 0)
                            .intoMemorySegment(out, o, LE);
                    s.lanewise(VectorOperators.LSHL, 6).lanewise(VectorOperators.ASHR, 10)
                            .convertShape(VectorOperators.S2B, BH, 0)
                            .intoMemorySegment(out, o + Q4_0Interleaved.BLOCKS, LE);
                    t.lanewise(VectorOperators.LSHL, 14).lanewise(VectorOperators.ASHR, 10).add(s.and((short) 15))
                            .convertShape(VectorOperators.S2B, BH, 0)
                            .intoMemorySegment(out, o + LegacyInterleaved.STEP, LE);
                    t.lanewise(VectorOperators.ASHR, 2).convertShape(VectorOperators.S2B, BH, 0)
                            .intoMemorySegment(out, o + LegacyInterleaved.STEP + Q4_0Interleaved.BLOCKS, LE);
                }
            }
            // Half vectors: the scales and d (96 bytes) are a whole number of them.
            for (long k = 0; k < after; k += BH.vectorByteSize()) {
                ByteVector.fromMemorySegment(BH, w, wg + Q6_KInterleaved.SA + k, LE)
                        .intoMemorySegment(out, og + Q6_KInterleaved.SA + Q6_KInterleaved.EXPANSION + k, LE);
            }
        }
    }

    /**
     * The float scales of groups [g0, g1) of the row at base, packed ({@code groupBytes} {@link
     * Q6_KInterleaved#BYTES}) or expanded ({@link #expand}: {@link
     * Q6_KInterleaved#EXPANDED_BYTES}), as {@link #dot1} forms them, for {@link
     * VectorSplitSums#scale1x4}: per group sa of the even and of the odd blocks, sb of each, then
     * d, at out + outAt; of chunk c (256 bits: 0 or 1).
     */
    static void scales(MemorySegment w, long base, long groupBytes, int g0, int g1, int c, MemorySegment out,
                       long outAt) {
        w = NativeSegments.pin(w);
        out = NativeSegments.pin(out);
        long shift = groupBytes - Q6_KInterleaved.BYTES; // expanded: the scales sit EXPANSION further on
        for (int g = g0; g < g1; g++) {
            long wg = base + (long) g * groupBytes + shift;
            long o = outAt + (g - g0) * VectorHalfSums.SCALE_VECTORS * VB;
            long sa = wg + Q6_KInterleaved.SA + c * SL;
            long sb = wg + Q6_KInterleaved.SB + c * SL;
            ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, sa, LE).convertShape(VectorOperators.B2F, F, 0)
                    .intoMemorySegment(out, o, NATIVE);
            ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, sa + G, LE).convertShape(VectorOperators.B2F, F, 0)
                    .intoMemorySegment(out, o + VB, NATIVE);
            ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, sb, LE).convertShape(VectorOperators.B2F, F, 0)
                    .intoMemorySegment(out, o + 2 * VB, NATIVE);
            ByteVector.fromMemorySegment(VectorQ4KDot.BQ, w, sb + G, LE).convertShape(VectorOperators.B2F, F, 0)
                    .intoMemorySegment(out, o + 3 * VB, NATIVE);
            FloatVector.fromMemorySegment(F, w, wg + Q6_KInterleaved.D, LE)
                    .rearrange(c == 0 ? VectorQ4KDot.D0 : VectorQ4KDot.D1)
                    .intoMemorySegment(out, o + 4 * VB, NATIVE);
        }
    }
}
