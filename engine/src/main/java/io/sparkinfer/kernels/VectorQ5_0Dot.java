package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorQ4Dot.BH;
import static io.sparkinfer.kernels.VectorQ4Dot.CHUNKS;
import static io.sparkinfer.kernels.VectorQ4Dot.F16_MASK;
import static io.sparkinfer.kernels.VectorQ4Dot.F16_SCALE;
import static io.sparkinfer.kernels.VectorQ4Dot.HIGH;
import static io.sparkinfer.kernels.VectorQ4Dot.SL;
import static io.sparkinfer.kernels.VectorQ4Dot.STEP_BYTES;
import static io.sparkinfer.kernels.VectorQ4Dot.SW;
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
 * Integer dots of {@link Q5_0Interleaved} rows with {@link Q8Activations}: Q5_0 times int8, as
 * llama.cpp does it. A block's dot is {@code d * dx * S}, {@code S = sum((q - 16) xq)}: {@link
 * VectorQ5KDot}'s integer halves (a product reaches 2032, so each int16 lane sums 16), then
 * {@link VectorQ4Dot#dot1}'s epilogue ({@code acc = fma(float(S), d * dx, acc)}, the f16 scales
 * converted in lane pairs). One token at a time for every batch size; {@link
 * ScalarKernels#q5_0Matmul} is the reference.
 */
final class VectorQ5_0Dot {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private VectorQ5_0Dot() {
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
            long wg = base + (long) g * Q5_0Interleaved.BYTES;
            long xg = x0 + (long) g * Q8Activations.BYTES;
            for (int c = 0; c < CHUNKS; c++) {
                long wc = wg + c * SL;
                long xc = xg + c * SL * Short.BYTES;
                ShortVector p = ShortVector.zero(SW); // elements 0..15 of each block
                ShortVector r = p;                    // elements 16..31
                for (int i = 0; i < Q4_0Interleaved.STEPS / 2; i++) {
                    long wi = wc + 2L * i * Q6_KInterleaved.STEP; // steps i and i + 8 (Q6_KInterleaved.slot)
                    long xi = xc + (long) i * STEP_BYTES;
                    ShortVector y = ShortVector.fromMemorySegment(SW, x, xi, NATIVE);
                    ShortVector z = ShortVector.fromMemorySegment(SW, x, xi + HIGH, NATIVE)
                            .add(y.lanewise(VectorOperators.LSHL, 4));
                    p = p.add(((ShortVector) ByteVector.fromMemorySegment(BH, w, wi, LE)
                            .convertShape(VectorOperators.B2S, SW, 0)).mul(y));
                    r = r.add(((ShortVector) ByteVector.fromMemorySegment(BH, w, wi + Q4_0Interleaved.BLOCKS, LE)
                            .convertShape(VectorOperators.B2S, SW, 0)).mul(z));
                    wi += Q6_KInterleaved.STEP;
                    xi += 8L * STEP_BYTES;
                    y = ShortVector.fromMemorySegment(SW, x, xi, NATIVE);
                    z = ShortVector.fromMemorySegment(SW, x, xi + HIGH, NATIVE)
                            .add(y.lanewise(VectorOperators.LSHL, 4));
                    p = p.add(((ShortVector) ByteVector.fromMemorySegment(BH, w, wi, LE)
                            .convertShape(VectorOperators.B2S, SW, 0)).mul(y));
                    r = r.add(((ShortVector) ByteVector.fromMemorySegment(BH, w, wi + Q4_0Interleaved.BLOCKS, LE)
                            .convertShape(VectorOperators.B2S, SW, 0)).mul(z));
                }
                IntVector pi = p.reinterpretAsInts();
                IntVector ri = r.reinterpretAsInts();
                FloatVector se = (FloatVector) pi.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(ri.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                        .convert(VectorOperators.I2F, 0);
                FloatVector so = (FloatVector) pi.lanewise(VectorOperators.ASHR, 16)
                        .add(ri.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0);
                // The chunk's f16 scales as VectorQ4Dot.dot1 converts them (even blocks, odd blocks).
                IntVector scales = IntVector.fromMemorySegment(I, w, wg + Q5_0Interleaved.SCALES + c * SL * Short.BYTES, LE);
                long xd = xg + Q8Activations.SCALES + 2L * c * G * Float.BYTES;
                FloatVector s0 = scales.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3)
                        .and(F16_MASK).reinterpretAsFloats().mul(F16_SCALE)
                        .mul(FloatVector.fromMemorySegment(F, x, xd, NATIVE));
                FloatVector s1 = scales.lanewise(VectorOperators.ASHR, 3)
                        .and(F16_MASK).reinterpretAsFloats().mul(F16_SCALE)
                        .mul(FloatVector.fromMemorySegment(F, x, xd + G * Float.BYTES, NATIVE));
                if (c == 0) {
                    a0 = se.fma(s0, a0);
                    a1 = so.fma(s1, a1);
                } else {
                    a2 = se.fma(s0, a2);
                    a3 = so.fma(s1, a3);
                }
            }
        }
        FloatVector sum = CHUNKS == 1 ? a0.add(a1) : a0.add(a2).add(a1.add(a3));
        sum.intoMemorySegment(lanes, 0, NATIVE);
    }
}
