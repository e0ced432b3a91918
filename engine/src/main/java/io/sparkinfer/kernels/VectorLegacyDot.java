package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorQ4Dot.BH;
import static io.sparkinfer.kernels.VectorQ4Dot.CHUNKS;
import static io.sparkinfer.kernels.VectorQ4Dot.F16_MASK;
import static io.sparkinfer.kernels.VectorQ4Dot.F16_SCALE;
import static io.sparkinfer.kernels.VectorQ4Dot.HIGH;
import static io.sparkinfer.kernels.VectorQ4Dot.SHORTS;
import static io.sparkinfer.kernels.VectorQ4Dot.SL;
import static io.sparkinfer.kernels.VectorQ4Dot.STEP_BYTES;
import static io.sparkinfer.kernels.VectorQ4Dot.SW;
import static io.sparkinfer.kernels.VectorQ4Dot.VB;
import static io.sparkinfer.kernels.VectorWidth.F;
import static io.sparkinfer.kernels.VectorWidth.G;
import static io.sparkinfer.kernels.VectorWidth.I;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Integer dots of {@link LegacyFiveBits} rows (Q5_0, Q5_1, Q4_1) with {@link Q8Activations},
 * as llama.cpp multiplies them. With activations {@code dx * xq} a block's dot is {@code dx * (d *
 * S + c * sum(xq))}, {@code S = sum((q - center) xq)}: for Q5_0 ({@code d * (q - 16)}) {@code c}
 * is 0 and its term is not computed; for Q5_1 and Q4_1 ({@code d * q + m}) {@code c = center * d
 * + m}. A product reaches 16 * 127 = 2032, so each int16 lane sums half a block (16 values):
 * elements 0..15 and 16..31 in two lanes, widened and added. Per lane, in this order: {@code acc =
 * fma(float(S), d * dx, acc)}, then (with mins) {@code acc = fma(c, dx * sum(xq), acc)}; the f16
 * d and m converted in lane pairs as {@link VectorQ4Dot#dot1} converts Q4_0's scales. {@link
 * #dot1} serves one token; for four at a time {@link VectorQ4Matmul} writes a block of rows
 * out a byte a value ({@link #expand}) and runs {@link VectorHalfSums}' passes over it with
 * {@link #scales}, the same operations per (row, token). {@link ScalarKernels#legacyMatmul} is
 * the reference.
 */
final class VectorLegacyDot {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private VectorLegacyDot() {
    }

    /**
     * Row at {@code w + base} times the token at {@code x + x0}, over {@code groups} groups of
     * {@code groupBytes} ({@link LegacyFiveBits#bytes}), into lanes ({@link
     * VectorQ4Dot#finish}); center: {@link LegacyInterleaved#center}; mins: whether the groups
     * hold m ({@link LegacyInterleaved#hasMins}).
     */
    static void dot1(MemorySegment w, long base, long groupBytes, MemorySegment x, long x0, int groups,
                     MemorySegment lanes, float center, boolean mins) {
        w = NativeSegments.pin(w);
        x = NativeSegments.pin(x);
        lanes = NativeSegments.pin(lanes);
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int g = 0; g < groups; g++) {
            long wg = base + g * groupBytes;
            long xg = x0 + (long) g * Q8Activations.BYTES;
            for (int c = 0; c < CHUNKS; c++) {
                long ws = wg + c * SL * Short.BYTES; // the chunk's lanes of the iterations' shorts
                long wt = wg + c * SL;               // and of their nibble bytes (LegacyFiveBits)
                long xc = xg + c * SL * Short.BYTES;
                ShortVector p = ShortVector.zero(SW); // elements 0..15 of each block
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
                // The chunk's f16 d (and m) as VectorQ4Dot.dot1 converts scales (even blocks, odd blocks).
                IntVector scales = IntVector.fromMemorySegment(I, w, wg + LegacyFiveBits.SCALES + c * SL * Short.BYTES, LE);
                FloatVector d0 = scales.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3)
                        .and(F16_MASK).reinterpretAsFloats().mul(F16_SCALE);
                FloatVector d1 = scales.lanewise(VectorOperators.ASHR, 3)
                        .and(F16_MASK).reinterpretAsFloats().mul(F16_SCALE);
                long xd = xg + Q8Activations.SCALES + 2L * c * G * Float.BYTES;
                FloatVector e0 = se.fma(d0.mul(FloatVector.fromMemorySegment(F, x, xd, NATIVE)), c == 0 ? a0 : a2);
                FloatVector e1 = so.fma(d1.mul(FloatVector.fromMemorySegment(F, x, xd + G * Float.BYTES, NATIVE)),
                        c == 0 ? a1 : a3);
                if (mins) {
                    IntVector m = IntVector.fromMemorySegment(I, w, wg + LegacyFiveBits.MINS + c * SL * Short.BYTES, LE);
                    FloatVector c0 = d0.mul(center).add(m.lanewise(VectorOperators.LSHL, 16)
                            .lanewise(VectorOperators.ASHR, 3).and(F16_MASK).reinterpretAsFloats().mul(F16_SCALE));
                    FloatVector c1 = d1.mul(center).add(m.lanewise(VectorOperators.ASHR, 3)
                            .and(F16_MASK).reinterpretAsFloats().mul(F16_SCALE));
                    long xm = xg + Q8Activations.DSUMS + 2L * c * G * Float.BYTES;
                    e0 = c0.fma(FloatVector.fromMemorySegment(F, x, xm, NATIVE), e0);
                    e1 = c1.fma(FloatVector.fromMemorySegment(F, x, xm + G * Float.BYTES, NATIVE), e1);
                }
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
     * {@code groups} consecutive groups of {@code groupBytes} at {@code w + base} (a block of
     * rows: a row's groups follow the last row's), values laid as {@link LegacyFiveBits} and
     * anything after them (scales, mins) copied as is, written with the values a byte each
     * ({@link LegacyInterleaved}; {@link LegacyFiveBits#EXPANSION} bytes more per group) at
     * {@code out + outAt}, for the four-token passes: Q5_0, Q5_1, Q4_1 and Q5_K ({@link
     * Q5_KInterleaved}). Decodes each value as {@link #dot1} does, so the passes' integer sums
     * are dot1's.
     */
    static void expand(MemorySegment w, long base, int groups, long groupBytes, MemorySegment out, long outAt) {
        w = NativeSegments.pin(w);
        out = NativeSegments.pin(out);
        long after = groupBytes - LegacyFiveBits.SCALES;
        for (int g = 0; g < groups; g++) {
            long wg = base + g * groupBytes;
            long og = outAt + g * (groupBytes + LegacyFiveBits.EXPANSION);
            for (int c = 0; c < CHUNKS; c++) {
                long ws = wg + c * SL * Short.BYTES;
                long wt = wg + c * SL;
                long oc = og + c * SL;
                for (int i = 0; i < LegacyFiveBits.ITERATIONS; i++) {
                    ShortVector s = ShortVector.fromMemorySegment(SW, w, ws + LegacyFiveBits.shorts(i), LE);
                    ShortVector n = ((ShortVector) ByteVector.fromMemorySegment(BH, w, wt + LegacyFiveBits.nibbles(i), LE)
                            .convertShape(VectorOperators.B2S, SW, 0))
                            .lanewise(VectorOperators.ASHR, 4 * (i & 1)).and((short) 15);
                    long o = oc + 2L * i * LegacyInterleaved.STEP; // step i at slot 2i, step i + 8 at 2i + 1
                    s.lanewise(VectorOperators.ASHR, 11).convertShape(VectorOperators.S2B, BH, 0)
                            .intoMemorySegment(out, o, LE);
                    s.lanewise(VectorOperators.LSHL, 5).lanewise(VectorOperators.ASHR, 11)
                            .convertShape(VectorOperators.S2B, BH, 0)
                            .intoMemorySegment(out, o + Q4_0Interleaved.BLOCKS, LE);
                    s.lanewise(VectorOperators.LSHL, 10).lanewise(VectorOperators.ASHR, 11)
                            .convertShape(VectorOperators.S2B, BH, 0)
                            .intoMemorySegment(out, o + LegacyInterleaved.STEP, LE);
                    s.lanewise(VectorOperators.LSHL, 15).lanewise(VectorOperators.ASHR, 11).or(n)
                            .convertShape(VectorOperators.S2B, BH, 0)
                            .intoMemorySegment(out, o + LegacyInterleaved.STEP + Q4_0Interleaved.BLOCKS, LE);
                }
            }
            // Half vectors: what follows the values (64, 96 or 128 bytes) is a whole number of them.
            // MemorySegment.copy per group cost as much as decoding the group's values.
            for (long k = 0; k < after; k += BH.vectorByteSize()) {
                ByteVector.fromMemorySegment(BH, w, wg + LegacyFiveBits.SCALES + k, LE)
                        .intoMemorySegment(out, og + LegacyInterleaved.SCALES + k, LE);
            }
        }
    }

    /**
     * The float scales of groups [g0, g1) of the row at base, as {@link #dot1} forms them, for
     * {@link VectorHalfSums#scale1x4}: per group, d of the even and of the odd blocks, then (with
     * mins) {@code center * d + m} of each, at out + outAt; of chunk c (256 bits: 0 or 1).
     */
    static void scales(MemorySegment w, long base, long groupBytes, int g0, int g1, int c, float center,
                       boolean mins, MemorySegment out, long outAt) {
        w = NativeSegments.pin(w);
        out = NativeSegments.pin(out);
        for (int g = g0; g < g1; g++) {
            long wg = base + g * groupBytes;
            long o = outAt + (g - g0) * VectorHalfSums.SCALE_VECTORS * VB;
            IntVector scales = IntVector.fromMemorySegment(I, w, wg + LegacyInterleaved.SCALES + c * SL * Short.BYTES, LE);
            FloatVector d0 = scales.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3)
                    .and(F16_MASK).reinterpretAsFloats().mul(F16_SCALE);
            FloatVector d1 = scales.lanewise(VectorOperators.ASHR, 3)
                    .and(F16_MASK).reinterpretAsFloats().mul(F16_SCALE);
            d0.intoMemorySegment(out, o, NATIVE);
            d1.intoMemorySegment(out, o + VB, NATIVE);
            if (mins) {
                IntVector m = IntVector.fromMemorySegment(I, w, wg + LegacyInterleaved.MINS + c * SL * Short.BYTES, LE);
                d0.mul(center).add(m.lanewise(VectorOperators.LSHL, 16)
                        .lanewise(VectorOperators.ASHR, 3).and(F16_MASK).reinterpretAsFloats().mul(F16_SCALE))
                        .intoMemorySegment(out, o + 2 * VB, NATIVE);
                d1.mul(center).add(m.lanewise(VectorOperators.ASHR, 3)
                        .and(F16_MASK).reinterpretAsFloats().mul(F16_SCALE))
                        .intoMemorySegment(out, o + 3 * VB, NATIVE);
            }
        }
    }
}
