package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorQ4Dot.BH;
import static io.sparkinfer.kernels.VectorQ4Dot.HIGH;
import static io.sparkinfer.kernels.VectorQ4Dot.SHORTS;
import static io.sparkinfer.kernels.VectorQ4Dot.SL;
import static io.sparkinfer.kernels.VectorQ4Dot.STEP_BYTES;
import static io.sparkinfer.kernels.VectorQ4Dot.SUM_GROUPS;
import static io.sparkinfer.kernels.VectorQ4Dot.SW;
import static io.sparkinfer.kernels.VectorQ4Dot.VB;
import static io.sparkinfer.kernels.VectorWidth.F;
import static io.sparkinfer.kernels.VectorWidth.I;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The integer block sums of two rows times four tokens for the byte-per-value layouts whose
 * products fit 16 steps in an int16 lane ({@link LegacyInterleaved}: Q5_0, Q5_1, Q4_1; {@link
 * Q5_KInterleaved}: Q5_K; values {@code q - center} with |value| <= 16, so a product is at most
 * 2032): per (row, token) two int16 sums per block, elements 0..15 and 16..31, exactly as the
 * one-token kernels ({@link VectorLegacyDot#dot1}, {@link VectorQ5KDot#dot1}) form them. The
 * epilogues ({@link #scale1x4}, with each type's scales from its class's {@code scales}) widen
 * and add them in lane, as those kernels do, and meet the scales with the one-token kernel's
 * float operations per (row, token), so a token's result does not depend on its batch. Q6_K and
 * Q3_K, six bits a value, have their own passes and epilogue ({@link VectorSplitSums}) and share
 * this class's scratch sizes; from {@link VectorQ4Matmul#SIX_BIT_EXPAND_TOKENS} tokens on, written
 * out a byte a value, they take {@link #sums2x4Split} (two passes of 8 steps) instead.
 *
 * <p>Why: the one-token kernels read each row block from L2 once per token and spend two
 * weight loads and widenings per 64 products; here a step's weights serve four tokens and a
 * token's activations two rows. SmolLM2-135M Q5_0 and Qwen2.5-0.5B Q4_K_M (mostly Q5_0) prefill
 * ran at half and 0.9x llama.cpp's with the one-token kernel (docs/benchmarks.md, Session 16).
 *
 * <p>512- and 256-bit vectors ({@link #SUPPORTED}): at 256 bits a group's two
 * 16-block chunks one after the other ({@link VectorQ4Matmul} offsets the values, activations,
 * scales and accumulators by the chunk), though the 16 int16 sums and 4 weight vectors spill
 * out of AVX2's 16 registers. Under {@code -XX:UseAVX=2} on the development machine, against
 * the one-token kernels: SmolLM2-135M Q5_0 pp64 1.29-1.34x, Qwen2.5-0.5B Q4_K_M 1.19-1.22x;
 * with Q5_K and Q6_K chunked too, 1B Q5_K_M 1.13-1.35x, 1B Q6_K 1.10x (session 17).
 */
final class VectorHalfSums {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /**
     * Whether {@link #sums2x4} and {@link VectorSplitSums}' passes run at this vector width: at
     * 512 bits a group is one chunk, at 256 two, taken one after the other.
     */
    static final boolean SUPPORTED = VectorQ4Dot.SUPPORTED;
    /** Groups per call at most: their sums (two vectors per token) fill {@link VectorQ4Dot#sumsBytes}. */
    static final int GROUPS = SUM_GROUPS / 2;
    /** Float vectors of scales per group for {@link #scale1x4} (4) and {@link VectorSplitSums#scale1x4} (5). */
    static final int SCALE_VECTORS = 5;

    /** Bytes of scale scratch for {@link #scale1x4}: {@link #SCALE_VECTORS} per group of a call. */
    static long scalesBytes() {
        return (long) GROUPS * SCALE_VECTORS * VB;
    }

    private VectorHalfSums() {
    }

    /**
     * Groups [g0, g1) (at most {@link #GROUPS}) of the rows at base and base2 ({@code groupBytes}
     * per group, values at the group's start in {@link LegacyInterleaved#slot} step order) times
     * the four tokens at x0, x0 + xs, x0 + 2 xs, x0 + 3 xs. Group g's token t: the int16 sums of
     * elements 0..15 at vector {@code 2 ((g - g0) * 4 + t)} from sums + sumsAt (row 1; sumsAt2
     * for row 2), those of elements 16..31 at the next. base2 may equal base (an odd last row),
     * with sumsAt2 equal to sumsAt. Chunk c (256 bits: 0 or 1) of each group: its lanes of the
     * values and of the activations (x0 is the tokens' start).
     */
    static void sums2x4(MemorySegment w, long base, long base2, long groupBytes, MemorySegment x, long x0, long xs,
                        int g0, int g1, int c, MemorySegment sums, long sumsAt, long sumsAt2) {
        w = NativeSegments.pin(w);
        x = NativeSegments.pin(x);
        sums = NativeSegments.pin(sums);
        if (g1 - g0 > GROUPS) {
            throw new IllegalArgumentException("at most " + GROUPS + " groups per call, got " + (g1 - g0));
        }
        long vb = SW.vectorByteSize();
        for (int g = g0; g < g1; g++) {
            long wg = base + g * groupBytes + (long) c * SL;
            long vg = base2 + g * groupBytes + (long) c * SL;
            long xa = x0 + (long) g * Q8Activations.BYTES + (long) c * SL * Short.BYTES;
            long xb = xa + xs;
            long xc = xb + xs;
            long xd = xc + xs;
            // Row 1, tokens a..d: pa..pd (elements 0..15), ra..rd (16..31); row 2: qa..qd, ta..td.
            ShortVector pa = ShortVector.zero(SW);
            ShortVector pb = pa, pc = pa, pd = pa, ra = pa, rb = pa, rc = pa, rd = pa;
            ShortVector qa = pa, qb = pa, qc = pa, qd = pa, ta = pa, tb = pa, tc = pa, td = pa;
            // In memory order: slot j holds step j / 2 + 8 (j % 2) (LegacyInterleaved.slot).
            for (int j = 0; j < Q4_0Interleaved.STEPS; j++) {
                long wj = (long) j * LegacyInterleaved.STEP;
                long step = (long) ((j >> 1) + 8 * (j & 1)) * STEP_BYTES;
                ShortVector lo = (ShortVector) ByteVector.fromMemorySegment(BH, w, wg + wj, LE)
                        .convertShape(VectorOperators.B2S, SW, 0);
                ShortVector hi = (ShortVector) ByteVector.fromMemorySegment(BH, w, wg + wj + Q4_0Interleaved.BLOCKS, LE)
                        .convertShape(VectorOperators.B2S, SW, 0);
                ShortVector lo2 = (ShortVector) ByteVector.fromMemorySegment(BH, w, vg + wj, LE)
                        .convertShape(VectorOperators.B2S, SW, 0);
                ShortVector hi2 = (ShortVector) ByteVector.fromMemorySegment(BH, w, vg + wj + Q4_0Interleaved.BLOCKS, LE)
                        .convertShape(VectorOperators.B2S, SW, 0);
                // A token's high values are stored as q[i + 16] - 16 q[i] (Q8Activations): rebuilt once for both rows.
                ShortVector y = ShortVector.fromMemorySegment(SW, x, xa + step, NATIVE);
                ShortVector z = ShortVector.fromMemorySegment(SW, x, xa + step + HIGH, NATIVE)
                        .add(y.lanewise(VectorOperators.LSHL, 4));
                pa = lo.mul(y).add(pa);
                ra = hi.mul(z).add(ra);
                qa = lo2.mul(y).add(qa);
                ta = hi2.mul(z).add(ta);
                y = ShortVector.fromMemorySegment(SW, x, xb + step, NATIVE);
                z = ShortVector.fromMemorySegment(SW, x, xb + step + HIGH, NATIVE).add(y.lanewise(VectorOperators.LSHL, 4));
                pb = lo.mul(y).add(pb);
                rb = hi.mul(z).add(rb);
                qb = lo2.mul(y).add(qb);
                tb = hi2.mul(z).add(tb);
                y = ShortVector.fromMemorySegment(SW, x, xc + step, NATIVE);
                z = ShortVector.fromMemorySegment(SW, x, xc + step + HIGH, NATIVE).add(y.lanewise(VectorOperators.LSHL, 4));
                pc = lo.mul(y).add(pc);
                rc = hi.mul(z).add(rc);
                qc = lo2.mul(y).add(qc);
                tc = hi2.mul(z).add(tc);
                y = ShortVector.fromMemorySegment(SW, x, xd + step, NATIVE);
                z = ShortVector.fromMemorySegment(SW, x, xd + step + HIGH, NATIVE).add(y.lanewise(VectorOperators.LSHL, 4));
                pd = lo.mul(y).add(pd);
                rd = hi.mul(z).add(rd);
                qd = lo2.mul(y).add(qd);
                td = hi2.mul(z).add(td);
            }
            // Stored as they are (the epilogues widen them): 16 stores here against 48 more operations.
            long o = sumsAt + (g - g0) * 8L * vb;
            long o2 = sumsAt2 + (g - g0) * 8L * vb;
            ((ShortVector) SHORTS.cast(pa)).intoMemorySegment(sums, o, NATIVE);
            ((ShortVector) SHORTS.cast(ra)).intoMemorySegment(sums, o + vb, NATIVE);
            ((ShortVector) SHORTS.cast(pb)).intoMemorySegment(sums, o + 2 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(rb)).intoMemorySegment(sums, o + 3 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(pc)).intoMemorySegment(sums, o + 4 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(rc)).intoMemorySegment(sums, o + 5 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(pd)).intoMemorySegment(sums, o + 6 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(rd)).intoMemorySegment(sums, o + 7 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(qa)).intoMemorySegment(sums, o2, NATIVE);
            ((ShortVector) SHORTS.cast(ta)).intoMemorySegment(sums, o2 + vb, NATIVE);
            ((ShortVector) SHORTS.cast(qb)).intoMemorySegment(sums, o2 + 2 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(tb)).intoMemorySegment(sums, o2 + 3 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(qc)).intoMemorySegment(sums, o2 + 4 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(tc)).intoMemorySegment(sums, o2 + 5 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(qd)).intoMemorySegment(sums, o2 + 6 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(td)).intoMemorySegment(sums, o2 + 7 * vb, NATIVE);
        }
    }

    /**
     * {@link #sums2x4} over half the steps, for Q6_K and Q3_K written out a byte a value ({@link
     * VectorQ6KDot#expand}): their values reach 32 in magnitude, so an int16 lane holds the sum
     * of 8 steps, steps 0..7 ({@code odd} false: even slots) or 8..15 (odd slots), as {@link
     * VectorQ6KDot#dot1} splits them; the sums in sums2x4's layout. A method of its own: with
     * the steps as parameters of sums2x4, its 16-step loop (Q5_0, Q5_K, ...) ran 0.65-0.7x
     * (SmolLM2-135M Q4_K_M pp64).
     */
    static void sums2x4Split(MemorySegment w, long base, long base2, long groupBytes, MemorySegment x, long x0,
                             long xs, int g0, int g1, int c, MemorySegment sums, long sumsAt, long sumsAt2,
                             boolean odd) {
        w = NativeSegments.pin(w);
        x = NativeSegments.pin(x);
        sums = NativeSegments.pin(sums);
        if (g1 - g0 > GROUPS) {
            throw new IllegalArgumentException("at most " + GROUPS + " groups per call, got " + (g1 - g0));
        }
        long vb = SW.vectorByteSize();
        int half = odd ? 1 : 0;
        for (int g = g0; g < g1; g++) {
            long wg = base + g * groupBytes + (long) c * SL;
            long vg = base2 + g * groupBytes + (long) c * SL;
            long xa = x0 + (long) g * Q8Activations.BYTES + (long) c * SL * Short.BYTES;
            long xb = xa + xs;
            long xc = xb + xs;
            long xd = xc + xs;
            // Row 1, tokens a..d: pa..pd (elements 0..15), ra..rd (16..31); row 2: qa..qd, ta..td.
            ShortVector pa = ShortVector.zero(SW);
            ShortVector pb = pa, pc = pa, pd = pa, ra = pa, rb = pa, rc = pa, rd = pa;
            ShortVector qa = pa, qb = pa, qc = pa, qd = pa, ta = pa, tb = pa, tc = pa, td = pa;
            // In memory order: slot j holds step j / 2 + 8 (j % 2) (LegacyInterleaved.slot).
            // Step i + 8 h (h = 1 when odd) is in slot 2 i + h.
            for (int i = 0; i < Q4_0Interleaved.STEPS / 2; i++) {
                long wj = (long) (2 * i + half) * LegacyInterleaved.STEP;
                long step = (long) (i + 8 * half) * STEP_BYTES;
                ShortVector lo = (ShortVector) ByteVector.fromMemorySegment(BH, w, wg + wj, LE)
                        .convertShape(VectorOperators.B2S, SW, 0);
                ShortVector hi = (ShortVector) ByteVector.fromMemorySegment(BH, w, wg + wj + Q4_0Interleaved.BLOCKS, LE)
                        .convertShape(VectorOperators.B2S, SW, 0);
                ShortVector lo2 = (ShortVector) ByteVector.fromMemorySegment(BH, w, vg + wj, LE)
                        .convertShape(VectorOperators.B2S, SW, 0);
                ShortVector hi2 = (ShortVector) ByteVector.fromMemorySegment(BH, w, vg + wj + Q4_0Interleaved.BLOCKS, LE)
                        .convertShape(VectorOperators.B2S, SW, 0);
                // A token's high values are stored as q[i + 16] - 16 q[i] (Q8Activations): rebuilt once for both rows.
                ShortVector y = ShortVector.fromMemorySegment(SW, x, xa + step, NATIVE);
                ShortVector z = ShortVector.fromMemorySegment(SW, x, xa + step + HIGH, NATIVE)
                        .add(y.lanewise(VectorOperators.LSHL, 4));
                pa = lo.mul(y).add(pa);
                ra = hi.mul(z).add(ra);
                qa = lo2.mul(y).add(qa);
                ta = hi2.mul(z).add(ta);
                y = ShortVector.fromMemorySegment(SW, x, xb + step, NATIVE);
                z = ShortVector.fromMemorySegment(SW, x, xb + step + HIGH, NATIVE).add(y.lanewise(VectorOperators.LSHL, 4));
                pb = lo.mul(y).add(pb);
                rb = hi.mul(z).add(rb);
                qb = lo2.mul(y).add(qb);
                tb = hi2.mul(z).add(tb);
                y = ShortVector.fromMemorySegment(SW, x, xc + step, NATIVE);
                z = ShortVector.fromMemorySegment(SW, x, xc + step + HIGH, NATIVE).add(y.lanewise(VectorOperators.LSHL, 4));
                pc = lo.mul(y).add(pc);
                rc = hi.mul(z).add(rc);
                qc = lo2.mul(y).add(qc);
                tc = hi2.mul(z).add(tc);
                y = ShortVector.fromMemorySegment(SW, x, xd + step, NATIVE);
                z = ShortVector.fromMemorySegment(SW, x, xd + step + HIGH, NATIVE).add(y.lanewise(VectorOperators.LSHL, 4));
                pd = lo.mul(y).add(pd);
                rd = hi.mul(z).add(rd);
                qd = lo2.mul(y).add(qd);
                td = hi2.mul(z).add(td);
            }
            // Stored as they are (the epilogues widen them): 16 stores here against 48 more operations.
            long o = sumsAt + (g - g0) * 8L * vb;
            long o2 = sumsAt2 + (g - g0) * 8L * vb;
            ((ShortVector) SHORTS.cast(pa)).intoMemorySegment(sums, o, NATIVE);
            ((ShortVector) SHORTS.cast(ra)).intoMemorySegment(sums, o + vb, NATIVE);
            ((ShortVector) SHORTS.cast(pb)).intoMemorySegment(sums, o + 2 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(rb)).intoMemorySegment(sums, o + 3 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(pc)).intoMemorySegment(sums, o + 4 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(rc)).intoMemorySegment(sums, o + 5 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(pd)).intoMemorySegment(sums, o + 6 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(rd)).intoMemorySegment(sums, o + 7 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(qa)).intoMemorySegment(sums, o2, NATIVE);
            ((ShortVector) SHORTS.cast(ta)).intoMemorySegment(sums, o2 + vb, NATIVE);
            ((ShortVector) SHORTS.cast(qb)).intoMemorySegment(sums, o2 + 2 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(tb)).intoMemorySegment(sums, o2 + 3 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(qc)).intoMemorySegment(sums, o2 + 4 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(tc)).intoMemorySegment(sums, o2 + 5 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(qd)).intoMemorySegment(sums, o2 + 6 * vb, NATIVE);
            ((ShortVector) SHORTS.cast(td)).intoMemorySegment(sums, o2 + 7 * vb, NATIVE);
        }
    }

    /**
     * The epilogue for one row of {@link #sums2x4}, groups [g0, g1): per token, its two int16 half
     * sums widened and added in lane (even blocks from the low halves, odd from the high), then
     * {@code acc = fma(S, w * dx, acc)} and, with mins, {@code acc = fma(m, dx * sum(xq), acc)}
     * (the one-token kernels' operations) into the 8 accumulators at acc + at (zero when g0 is
     * 0; token t's even and odd blocks at vectors 2t, 2t + 1, as {@link VectorQ4Dot#dot1x4}'s).
     * The row's scales at sums + scalesAt, {@link #SCALE_VECTORS} per group: w of the even and of
     * the odd blocks, then their min factors m (read only with mins). Two tokens per call of
     * {@link #scale2}: with the four tokens' 8 accumulators in one method C1 runs out of virtual
     * registers, and a method whose tier-3 compile fails can stay in tier-2 code (SmolLM2 Q5_0
     * pp64 at 20 instead of 230 tok/s).
     */
    static void scale1x4(MemorySegment x, long x0, long xs, int g0, int g1, MemorySegment sums, long sumsAt,
                         long scalesAt, boolean mins, MemorySegment acc, long at) {
        long vb = SW.vectorByteSize();
        scale2(x, x0, xs, g0, g1, sums, sumsAt, scalesAt, mins, acc, at);
        scale2(x, x0 + 2 * xs, xs, g0, g1, sums, sumsAt + 4 * vb, scalesAt, mins, acc, at + 4 * VB);
    }

    /**
     * {@link #scale1x4} for the tokens at x0 and x0 + xs: their half sums from sums + sumsAt (the
     * second's two vectors on), 8 vectors per group; the group's scales loaded once for both.
     */
    private static void scale2(MemorySegment x, long x0, long xs, int g0, int g1, MemorySegment sums, long sumsAt,
                               long scalesAt, boolean mins, MemorySegment acc, long at) {
        x = NativeSegments.pin(x);
        sums = NativeSegments.pin(sums);
        acc = NativeSegments.pin(acc);
        long vb = SW.vectorByteSize();
        FloatVector a0 = g0 == 0 ? FloatVector.zero(F) : FloatVector.fromMemorySegment(F, acc, at, NATIVE);
        FloatVector a1 = g0 == 0 ? FloatVector.zero(F) : FloatVector.fromMemorySegment(F, acc, at + VB, NATIVE);
        FloatVector b0 = g0 == 0 ? FloatVector.zero(F) : FloatVector.fromMemorySegment(F, acc, at + 2 * VB, NATIVE);
        FloatVector b1 = g0 == 0 ? FloatVector.zero(F) : FloatVector.fromMemorySegment(F, acc, at + 3 * VB, NATIVE);
        for (int g = g0; g < g1; g++) {
            long so = scalesAt + (g - g0) * SCALE_VECTORS * VB;
            long o = sumsAt + (g - g0) * 8L * vb;
            long xa = x0 + (long) g * Q8Activations.BYTES;
            long xb = xa + xs;
            FloatVector w0 = FloatVector.fromMemorySegment(F, sums, so, NATIVE);
            FloatVector w1 = FloatVector.fromMemorySegment(F, sums, so + VB, NATIVE);
            IntVector p = IntVector.fromMemorySegment(I, sums, o, NATIVE);
            IntVector r = IntVector.fromMemorySegment(I, sums, o + vb, NATIVE);
            a0 = ((FloatVector) p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(r.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                    .convert(VectorOperators.I2F, 0))
                    .fma(w0.mul(FloatVector.fromMemorySegment(F, x, xa + Q8Activations.SCALES, NATIVE)), a0);
            a1 = ((FloatVector) p.lanewise(VectorOperators.ASHR, 16).add(r.lanewise(VectorOperators.ASHR, 16))
                    .convert(VectorOperators.I2F, 0))
                    .fma(w1.mul(FloatVector.fromMemorySegment(F, x, xa + Q8Activations.SCALES + VB, NATIVE)), a1);
            p = IntVector.fromMemorySegment(I, sums, o + 2 * vb, NATIVE);
            r = IntVector.fromMemorySegment(I, sums, o + 3 * vb, NATIVE);
            b0 = ((FloatVector) p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(r.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                    .convert(VectorOperators.I2F, 0))
                    .fma(w0.mul(FloatVector.fromMemorySegment(F, x, xb + Q8Activations.SCALES, NATIVE)), b0);
            b1 = ((FloatVector) p.lanewise(VectorOperators.ASHR, 16).add(r.lanewise(VectorOperators.ASHR, 16))
                    .convert(VectorOperators.I2F, 0))
                    .fma(w1.mul(FloatVector.fromMemorySegment(F, x, xb + Q8Activations.SCALES + VB, NATIVE)), b1);
            if (mins) {
                FloatVector m0 = FloatVector.fromMemorySegment(F, sums, so + 2 * VB, NATIVE);
                FloatVector m1 = FloatVector.fromMemorySegment(F, sums, so + 3 * VB, NATIVE);
                a0 = m0.fma(FloatVector.fromMemorySegment(F, x, xa + Q8Activations.DSUMS, NATIVE), a0);
                a1 = m1.fma(FloatVector.fromMemorySegment(F, x, xa + Q8Activations.DSUMS + VB, NATIVE), a1);
                b0 = m0.fma(FloatVector.fromMemorySegment(F, x, xb + Q8Activations.DSUMS, NATIVE), b0);
                b1 = m1.fma(FloatVector.fromMemorySegment(F, x, xb + Q8Activations.DSUMS + VB, NATIVE), b1);
            }
        }
        a0.intoMemorySegment(acc, at, NATIVE);
        a1.intoMemorySegment(acc, at + VB, NATIVE);
        b0.intoMemorySegment(acc, at + 2 * VB, NATIVE);
        b1.intoMemorySegment(acc, at + 3 * VB, NATIVE);
    }
}
