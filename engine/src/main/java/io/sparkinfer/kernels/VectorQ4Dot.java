package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorWidth.BITS;
import static io.sparkinfer.kernels.VectorWidth.F;
import static io.sparkinfer.kernels.VectorWidth.G;
import static io.sparkinfer.kernels.VectorWidth.I;
import static io.sparkinfer.kernels.VectorWidth.treeSum;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Integer dots of {@link Q4_0Interleaved} rows with {@link Q8Activations}: Q4_0 times int8, as
 * llama.cpp does it, in plain Vector API operations. Each short lane sums one block over the 16
 * byte-steps (a multiply and an add per nibble, in int16, exact; see {@link Q8Activations}), then
 * a group's 32 block sums become floats and meet their scales, {@code d_w * d_x}, in float
 * accumulators: one for the even and one for the odd blocks of a chunk, summed at the end by a
 * fixed tree. The int16 sums (and the f16 weight scales) turn into 32-bit lanes as pairs, in
 * lane: low halves (even blocks) by a shift left and an arithmetic shift right, high halves (odd
 * blocks) by one arithmetic shift; the activation scales are stored in that order ({@link
 * Q8Activations#scaleSlot}). Widening the low and high 16 lanes instead takes cross-lane
 * shuffles: the 4-token epilogue ran 15.7 against 12.1 cycles per group (one core, in L1).
 *
 * <p>Every tier does the same float operations per (row, token): {@link #dot1} for one token,
 * {@link #dot1x4} for four (the integer sums are exact, the float epilogue is identical), so a
 * token's result does not depend on its batch. Supports 256- and 512-bit vectors ({@link
 * #SUPPORTED}); at 256 bits a group is two 16-lane chunks with two accumulators each.
 *
 * <p>Measured on one Zen 5 core (64 MiB of weights, from DRAM): 28-29 GB/s of Q4_0 rows against
 * 12-14 GB/s for the float kernel it replaced (exact weights times float activations); from L2,
 * 33 against 12.5.
 */
final class VectorQ4Dot {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Whether this vector width has kernels here; otherwise the scalar reference runs. */
    static final boolean SUPPORTED = G == 8 || G == 16;
    /** Whether {@link #dot1x4} runs (both widths of {@link #SUPPORTED}). */
    static final boolean QUAD = SUPPORTED;
    /** Short lanes per vector: blocks per chunk. */
    static final int SL = 2 * G;
    /** Chunks per group of 32 blocks. */
    static final int CHUNKS = SUPPORTED ? Q4_0Interleaved.BLOCKS / SL : 1;
    static final VectorSpecies<Short> SW =
            ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(SUPPORTED ? BITS : 256));
    /**
     * SW's vector class. {@code (ShortVector) SHORTS.cast(v)} gives C2 the exact type of a
     * loop-carried vector (an accumulator), which it otherwise knows only as a ShortVector: a
     * call on it is then bound by the type profile inside the JDK's method (shared by every
     * caller in the JVM), and where that profile saw another shape of shorts, the kernel compiled
     * with the Vector API's Java fallback for its stores and shifts, in about 1 JVM in 3 (1B Q6_K
     * batched decode of 8: 2.4 against 65 tok/s; session 21). So accumulators are only ever
     * arguments inside their loops ({@code acc = x.add(acc)}: the fresh x is exact) and are cast
     * before they are a receiver after them. Class.cast with a constant class is a C2 intrinsic
     * (a type check that folds away).
     */
    static final Class<? extends Vector<Short>> SHORTS = SW.vectorType();
    static final VectorSpecies<Byte> BH =
            ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(SUPPORTED ? BITS / 2 : 128));
    static final int STEP_BYTES = 2 * Q4_0Interleaved.BLOCKS * Short.BYTES;
    static final int HIGH = Q4_0Interleaved.BLOCKS * Short.BYTES;
    /** Bytes of one float vector. */
    static final long VB = (long) G * Float.BYTES;
    /** Bytes of one row's {@link #dot1x4} accumulators: per chunk, 4 tokens' even and odd. */
    static final long ACC_BYTES = 8L * CHUNKS * VB;

    private VectorQ4Dot() {
    }

    /*
     * f16 scales to floats, exact for every finite f16: with the f16 bits in the top half of an
     * int (the odd block's already are; the even block's get there by a shift left 16), an
     * arithmetic shift right 3 puts sign, exponent and mantissa where a float has them (bits
     * 30..28, copies of the sign, and the bits below 13, the other block's, are masked off with
     * F16_MASK), which reads as the f16 value times 2^-112; times 2^112 restores it. Pack
     * rejects infinite and NaN scales. Written out at each use, with the float loads and
     * conversions: the kernels are big enough that C2 stops inlining even small helpers
     * (NodeCountInliningCutoff), and a helper that is not inlined boxes its vectors.
     */
    static final int F16_MASK = 0x8FFFE000;
    static final float F16_SCALE = 0x1p112f;

    /**
     * Row at {@code w + base} times the token at {@code x + x0}, over {@code groups} groups. It stops
     * before the lane sum (a call that C2 would not inline, see above): the accumulator goes to
     * lanes (aligned, G floats) and {@link #finish} sums it. A group is {@link #CHUNKS} chunks of
     * 2G blocks: one at 512 bits (C2 folds the chunk loop away), two at 256 with four accumulators
     * (chunk 0's even and odd blocks, then chunk 1's), folded as {@code (a0 + a2) + (a1 + a3)}.
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
            long wg = base + (long) g * Q4_0Interleaved.BYTES;
            long xg = x0 + (long) g * Q8Activations.BYTES;
            for (int c = 0; c < CHUNKS; c++) {
                long wc = wg + c * SL;
                long xc = xg + c * SL * Short.BYTES;
                // The block sums: -8 * sum(q) plus the nibbles times q (see Q8Activations: the
                // byte times the low value, its high nibble times the high value) over the 16
                // steps, two steps per iteration (one per iteration leaves C2's pre/main/post loop
                // split: 19 vs 28 GB/s; a fully unrolled body makes C1 give up on the method).
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
                // The chunk's f16 scales: 2 bytes per block (wc counts 1 byte per block).
                IntVector scales =
                        IntVector.fromMemorySegment(I, w, wg + Q4_0Interleaved.SCALES + c * SL * Short.BYTES, LE);
                long xd = xg + Q8Activations.SCALES + 2L * c * G * Float.BYTES;
                FloatVector s0 = scales.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3)
                        .and(F16_MASK).reinterpretAsFloats().mul(F16_SCALE)
                        .mul(FloatVector.fromMemorySegment(F, x, xd, NATIVE));
                FloatVector s1 = scales.lanewise(VectorOperators.ASHR, 3)
                        .and(F16_MASK).reinterpretAsFloats().mul(F16_SCALE)
                        .mul(FloatVector.fromMemorySegment(F, x, xd + G * Float.BYTES, NATIVE));
                IntVector pairs = ((ShortVector) SHORTS.cast(acc)).reinterpretAsInts();
                FloatVector p0 = (FloatVector) pairs.lanewise(VectorOperators.LSHL, 16)
                        .lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
                FloatVector p1 = (FloatVector) pairs.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
                if (c == 0) {
                    a0 = p0.fma(s0, a0);
                    a1 = p1.fma(s1, a1);
                } else {
                    a2 = p0.fma(s0, a2);
                    a3 = p1.fma(s1, a3);
                }
            }
        }
        // One chunk: exactly a0 + a1, as dot1x4 (adding the zero a2, a3 would turn -0 into +0).
        FloatVector sum = CHUNKS == 1 ? a0.add(a1) : a0.add(a2).add(a1.add(a3));
        sum.intoMemorySegment(lanes, 0, NATIVE);
    }

    /** The result of {@link #dot1} from its lanes. */
    static float finish(MemorySegment lanes) {
        lanes = NativeSegments.pin(lanes);
        return treeSum(lanes, 0);
    }

    /**
     * One row times four tokens (at x0, x0 + xs, x0 + 2 xs, x0 + 3 xs): each step's nibbles are
     * unpacked once for the four. Groups [g0, g1) only (at most {@link #SUM_GROUPS}): the 8 float
     * accumulators per chunk (chunk c, token t's two at vectors 8c + 2t, 8c + 2t + 1) start at
     * zero when g0 is 0, else from acc + at, and are stored there (aligned, {@link #ACC_BYTES}),
     * so that a long row can be done in chunks whose activations stay in L1, with exactly the
     * operations of one pass; {@link #finish4} sums them. Per (row, token) the same operations
     * as {@link #dot1}. At 256 bits a group is two chunks, each a pass of its own (its lanes of
     * every step): one call holds 8 float accumulators at a time, as at 512 bits (16 in one
     * pass would not fit AVX2's 16 registers with the operands).
     *
     * <p>Two passes: {@link #sums1x4} the integer block sums of every group into {@code sums}
     * (aligned, {@link #sumsBytes} bytes), then {@link #scale1x4} the float epilogue. In one method
     * the 4-token loop could not take two steps per iteration: C1 runs out of virtual registers
     * on it, and a method whose tier-3 compile fails can stay in tier-2 code (300x slower).
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
            sums1x4(w, base, Q4_0Interleaved.BYTES, x, x0, xs, g0, g1, c, sums, sumsAt);
            scale1x4(w, base, x, x0, xs, g0, g1, c, sums, sumsAt, acc, at);
        }
    }

    /** Groups per {@link #dot1x4} call at most: the block sums of that many fit {@link #sumsBytes}. */
    static final int SUM_GROUPS = 8;

    /** Bytes of the block-sum scratch of {@link #dot1x4}: 4 tokens' short vectors per group. */
    static long sumsBytes() {
        return SUM_GROUPS * 4L * SW.vectorByteSize();
    }

    /**
     * The integer block sums of groups [g0, g1) for four tokens, group g's token t at sums +
     * sumsAt + ((g - g0) * 4 + t) vectors. Two steps per iteration, odd steps into their own sums
     * (t*), added at the end: int16 sums are exact mod 2^16, so the split changes no bit, but it
     * halves the add chains and leaves C2 no 1-step post-loop (one core, activations in L1: 7.1
     * against 8.3-8.9 cycles per step).
     */
    static void sums1x4(MemorySegment w, long base, long groupBytes, MemorySegment x, long x0, long xs, int g0, int g1,
                        int c, MemorySegment sums, long sumsAt) {
        w = NativeSegments.pin(w);
        x = NativeSegments.pin(x);
        sums = NativeSegments.pin(sums);
        long vb = SW.vectorByteSize();
        for (int g = g0; g < g1; g++) {
            // Chunk c: blocks [c SL, c SL + SL) of the group (its lanes of every step).
            long wg = base + g * groupBytes + c * SL;
            long xa = x0 + (long) g * Q8Activations.BYTES + c * SL * Short.BYTES;
            long xb = xa + xs;
            long xc = xb + xs;
            long xd = xc + xs;
            ShortVector sa = ShortVector.fromMemorySegment(SW, x, xa + Q8Activations.OFFSETS, NATIVE);
            ShortVector sb = ShortVector.fromMemorySegment(SW, x, xb + Q8Activations.OFFSETS, NATIVE);
            ShortVector sc = ShortVector.fromMemorySegment(SW, x, xc + Q8Activations.OFFSETS, NATIVE);
            ShortVector sd = ShortVector.fromMemorySegment(SW, x, xd + Q8Activations.OFFSETS, NATIVE);
            ShortVector ta = ShortVector.zero(SW);
            ShortVector tb = ta;
            ShortVector tc = ta;
            ShortVector td = ta;
            for (int i = 0; i < Q4_0Interleaved.STEPS; i += 2) {
                long step = (long) i * STEP_BYTES;
                ShortVector q = (ShortVector) ByteVector
                        .fromMemorySegment(BH, w, wg + (long) i * Q4_0Interleaved.BLOCKS, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SW, 0);
                ShortVector hi = q.lanewise(VectorOperators.LSHR, 4);
                sa = q.mul(ShortVector.fromMemorySegment(SW, x, xa + step, NATIVE)).add(sa)
                        .add(hi.mul(ShortVector.fromMemorySegment(SW, x, xa + step + HIGH, NATIVE)));
                sb = q.mul(ShortVector.fromMemorySegment(SW, x, xb + step, NATIVE)).add(sb)
                        .add(hi.mul(ShortVector.fromMemorySegment(SW, x, xb + step + HIGH, NATIVE)));
                sc = q.mul(ShortVector.fromMemorySegment(SW, x, xc + step, NATIVE)).add(sc)
                        .add(hi.mul(ShortVector.fromMemorySegment(SW, x, xc + step + HIGH, NATIVE)));
                sd = q.mul(ShortVector.fromMemorySegment(SW, x, xd + step, NATIVE)).add(sd)
                        .add(hi.mul(ShortVector.fromMemorySegment(SW, x, xd + step + HIGH, NATIVE)));
                step += STEP_BYTES;
                q = (ShortVector) ByteVector
                        .fromMemorySegment(BH, w, wg + (long) (i + 1) * Q4_0Interleaved.BLOCKS, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SW, 0);
                hi = q.lanewise(VectorOperators.LSHR, 4);
                ta = q.mul(ShortVector.fromMemorySegment(SW, x, xa + step, NATIVE)).add(ta)
                        .add(hi.mul(ShortVector.fromMemorySegment(SW, x, xa + step + HIGH, NATIVE)));
                tb = q.mul(ShortVector.fromMemorySegment(SW, x, xb + step, NATIVE)).add(tb)
                        .add(hi.mul(ShortVector.fromMemorySegment(SW, x, xb + step + HIGH, NATIVE)));
                tc = q.mul(ShortVector.fromMemorySegment(SW, x, xc + step, NATIVE)).add(tc)
                        .add(hi.mul(ShortVector.fromMemorySegment(SW, x, xc + step + HIGH, NATIVE)));
                td = q.mul(ShortVector.fromMemorySegment(SW, x, xd + step, NATIVE)).add(td)
                        .add(hi.mul(ShortVector.fromMemorySegment(SW, x, xd + step + HIGH, NATIVE)));
            }
            sa = ((ShortVector) SHORTS.cast(ta)).add(sa);
            sb = ((ShortVector) SHORTS.cast(tb)).add(sb);
            sc = ((ShortVector) SHORTS.cast(tc)).add(sc);
            sd = ((ShortVector) SHORTS.cast(td)).add(sd);
            long o = sumsAt + (g - g0) * 4L * vb;
            sa.intoMemorySegment(sums, o, NATIVE); // fresh from the adds above: exact already
            sb.intoMemorySegment(sums, o + vb, NATIVE);
            sc.intoMemorySegment(sums, o + 2 * vb, NATIVE);
            sd.intoMemorySegment(sums, o + 3 * vb, NATIVE);
        }
    }

    /**
     * {@link #dot1x4} for two rows at once (at base and base2, results and block sums at their
     * own acc and sums offsets): each step's activation loads serve both rows, 10 loads per 512
     * products instead of 18. One step per iteration here (C2 unrolls it; with 16 int16 sums a
     * manual second step would be too big for C1). Per (row, token) exactly dot1x4's operations.
     * One core, gate of a 1B at 64 tokens: 5.8 cycles per row-step for the sums against 6.5 for
     * {@link #sums1x4}.
     */
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
            sums2x4(w, base, base2, Q4_0Interleaved.BYTES, x, x0, xs, g0, g1, c, sums, sumsAt, sumsAt2);
            scale1x4(w, base, x, x0, xs, g0, g1, c, sums, sumsAt, acc, at);
            scale1x4(w, base2, x, x0, xs, g0, g1, c, sums, sumsAt2, acc, at2);
        }
    }

    /** The integer block sums of {@link #dot2x4}: {@link #sums1x4}'s for two rows in one pass. */
    static void sums2x4(MemorySegment w, long base, long base2, long groupBytes, MemorySegment x, long x0, long xs,
                        int g0, int g1, int c, MemorySegment sums, long sumsAt, long sumsAt2) {
        w = NativeSegments.pin(w);
        x = NativeSegments.pin(x);
        sums = NativeSegments.pin(sums);
        long vb = SW.vectorByteSize();
        for (int g = g0; g < g1; g++) {
            long wg = base + g * groupBytes + c * SL;
            long vg = base2 + g * groupBytes + c * SL;
            long xa = x0 + (long) g * Q8Activations.BYTES + c * SL * Short.BYTES;
            long xb = xa + xs;
            long xc = xb + xs;
            long xd = xc + xs;
            // Row 1: sa..sd (tokens 0..3); row 2: ra..rd. Both start at the tokens' -8 sum(q).
            ShortVector sa = ShortVector.fromMemorySegment(SW, x, xa + Q8Activations.OFFSETS, NATIVE);
            ShortVector sb = ShortVector.fromMemorySegment(SW, x, xb + Q8Activations.OFFSETS, NATIVE);
            ShortVector sc = ShortVector.fromMemorySegment(SW, x, xc + Q8Activations.OFFSETS, NATIVE);
            ShortVector sd = ShortVector.fromMemorySegment(SW, x, xd + Q8Activations.OFFSETS, NATIVE);
            ShortVector ra = sa;
            ShortVector rb = sb;
            ShortVector rc = sc;
            ShortVector rd = sd;
            for (int i = 0; i < Q4_0Interleaved.STEPS; i++) {
                long step = (long) i * STEP_BYTES;
                ShortVector q = (ShortVector) ByteVector
                        .fromMemorySegment(BH, w, wg + (long) i * Q4_0Interleaved.BLOCKS, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SW, 0);
                ShortVector p = (ShortVector) ByteVector
                        .fromMemorySegment(BH, w, vg + (long) i * Q4_0Interleaved.BLOCKS, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SW, 0);
                ShortVector hi = q.lanewise(VectorOperators.LSHR, 4);
                ShortVector hi2 = p.lanewise(VectorOperators.LSHR, 4);
                ShortVector y = ShortVector.fromMemorySegment(SW, x, xa + step, NATIVE);
                ShortVector z = ShortVector.fromMemorySegment(SW, x, xa + step + HIGH, NATIVE);
                sa = q.mul(y).add(sa).add(hi.mul(z));
                ra = p.mul(y).add(ra).add(hi2.mul(z));
                y = ShortVector.fromMemorySegment(SW, x, xb + step, NATIVE);
                z = ShortVector.fromMemorySegment(SW, x, xb + step + HIGH, NATIVE);
                sb = q.mul(y).add(sb).add(hi.mul(z));
                rb = p.mul(y).add(rb).add(hi2.mul(z));
                y = ShortVector.fromMemorySegment(SW, x, xc + step, NATIVE);
                z = ShortVector.fromMemorySegment(SW, x, xc + step + HIGH, NATIVE);
                sc = q.mul(y).add(sc).add(hi.mul(z));
                rc = p.mul(y).add(rc).add(hi2.mul(z));
                y = ShortVector.fromMemorySegment(SW, x, xd + step, NATIVE);
                z = ShortVector.fromMemorySegment(SW, x, xd + step + HIGH, NATIVE);
                sd = q.mul(y).add(sd).add(hi.mul(z));
                rd = p.mul(y).add(rd).add(hi2.mul(z));
            }
            long o = sumsAt + (g - g0) * 4L * vb;
            ((ShortVector) SHORTS.cast(sa)).intoMemorySegment(sums, o, NATIVE);
            ((ShortVector) SHORTS.cast(sb)).intoMemorySegment(sums, o + vb, NATIVE);
            ((ShortVector) SHORTS.cast(sc)).intoMemorySegment(sums, o + 2 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(sd)).intoMemorySegment(sums, o + 3 * vb, NATIVE);
            long o2 = sumsAt2 + (g - g0) * 4L * vb;
            ((ShortVector) SHORTS.cast(ra)).intoMemorySegment(sums, o2, NATIVE);
            ((ShortVector) SHORTS.cast(rb)).intoMemorySegment(sums, o2 + vb, NATIVE);
            ((ShortVector) SHORTS.cast(rc)).intoMemorySegment(sums, o2 + 2 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(rd)).intoMemorySegment(sums, o2 + 3 * vb, NATIVE);
        }
    }

    /** The float epilogue of {@link #dot1x4}: the block sums of {@link #sums1x4} times their scales. */
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
        for (int g = g0; g < g1; g++) {
            long wg = base + (long) g * Q4_0Interleaved.BYTES;
            long xa = x0 + (long) g * Q8Activations.BYTES;
            long xb = xa + xs;
            long xc = xb + xs;
            long xd = xc + xs;
            long o = sumsAt + (g - g0) * 4L * vb;
            IntVector sa = IntVector.fromMemorySegment(I, sums, o, NATIVE);
            IntVector sb = IntVector.fromMemorySegment(I, sums, o + vb, NATIVE);
            IntVector sc = IntVector.fromMemorySegment(I, sums, o + 2 * vb, NATIVE);
            IntVector sd = IntVector.fromMemorySegment(I, sums, o + 3 * vb, NATIVE);
            IntVector scales = IntVector.fromMemorySegment(I, w, wg + Q4_0Interleaved.SCALES + c * SL * Short.BYTES, LE);
            FloatVector w0 = scales.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3)
                    .and(F16_MASK).reinterpretAsFloats().mul(F16_SCALE);
            FloatVector w1 = scales.lanewise(VectorOperators.ASHR, 3)
                    .and(F16_MASK).reinterpretAsFloats().mul(F16_SCALE);
            long s = Q8Activations.SCALES + 2L * c * G * Float.BYTES;
            long s1 = s + G * Float.BYTES;
            a0 = ((FloatVector) sa.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0))
                    .fma(w0.mul(FloatVector.fromMemorySegment(F, x, xa + s, NATIVE)), a0);
            a1 = ((FloatVector) sa.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(w1.mul(FloatVector.fromMemorySegment(F, x, xa + s1, NATIVE)), a1);
            b0 = ((FloatVector) sb.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0))
                    .fma(w0.mul(FloatVector.fromMemorySegment(F, x, xb + s, NATIVE)), b0);
            b1 = ((FloatVector) sb.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(w1.mul(FloatVector.fromMemorySegment(F, x, xb + s1, NATIVE)), b1);
            c0 = ((FloatVector) sc.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0))
                    .fma(w0.mul(FloatVector.fromMemorySegment(F, x, xc + s, NATIVE)), c0);
            c1 = ((FloatVector) sc.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(w1.mul(FloatVector.fromMemorySegment(F, x, xc + s1, NATIVE)), c1);
            d0 = ((FloatVector) sd.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0))
                    .fma(w0.mul(FloatVector.fromMemorySegment(F, x, xd + s, NATIVE)), d0);
            d1 = ((FloatVector) sd.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(w1.mul(FloatVector.fromMemorySegment(F, x, xd + s1, NATIVE)), d1);
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

    /**
     * The four results of {@link #dot1x4} from its accumulators at acc + at: out[o + t * stride]
     * for t < 4, each {@code treeSum(even + odd)} (two chunks: {@code (even0 + even1) + (odd0 +
     * odd1)}) as in {@link #dot1}.
     */
    static void finish4(MemorySegment acc, long at, float[] out, int o, int stride) {
        acc = NativeSegments.pin(acc);
        for (int t = 0; t < 4; t++) {
            FloatVector even = FloatVector.fromMemorySegment(F, acc, at + 2L * t * VB, NATIVE);
            FloatVector odd = FloatVector.fromMemorySegment(F, acc, at + (2L * t + 1) * VB, NATIVE);
            if (CHUNKS == 2) { // as dot1: (chunk 0 even + chunk 1 even) + (chunk 0 odd + chunk 1 odd)
                even = even.add(FloatVector.fromMemorySegment(F, acc, at + (8L + 2L * t) * VB, NATIVE));
                odd = odd.add(FloatVector.fromMemorySegment(F, acc, at + (8L + 2L * t + 1) * VB, NATIVE));
            }
            // VectorWidth.treeSum's additions written out here: a call that C2 leaves un-inlined
            // (it happens, per JVM) boxes the vector, or runs treeSum's own compile, in which
            // the vector's class is not known (session 20: SmolLM2 prefill 1.5-2x slower).
            FloatVector v = even.add(odd);
            if (G > 32) {
                v = v.add(v.rearrange(VectorWidth.XOR32));
            }
            if (G > 16) {
                v = v.add(v.rearrange(VectorWidth.XOR16));
            }
            if (G > 8) {
                v = v.add(v.rearrange(VectorWidth.XOR8));
            }
            if (G > 4) {
                v = v.add(v.rearrange(VectorWidth.XOR4));
            }
            if (G > 2) {
                v = v.add(v.rearrange(VectorWidth.XOR2));
            }
            out[o + t * stride] = v.add(v.rearrange(VectorWidth.XOR1)).lane(0);
        }
    }
}
