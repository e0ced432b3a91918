package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorQ4Dot.BH;
import static io.sparkinfer.kernels.VectorQ4Dot.HIGH;
import static io.sparkinfer.kernels.VectorQ4Dot.SHORTS;
import static io.sparkinfer.kernels.VectorQ4Dot.SL;
import static io.sparkinfer.kernels.VectorQ4Dot.STEP_BYTES;
import static io.sparkinfer.kernels.VectorQ4Dot.SW;
import static io.sparkinfer.kernels.VectorQ4Dot.VB;
import static io.sparkinfer.kernels.VectorWidth.F;
import static io.sparkinfer.kernels.VectorWidth.FLOATS;
import static io.sparkinfer.kernels.VectorWidth.I;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The four-token passes of the six-bit layout ({@link Q6_KInterleaved}: Q6_K, Q3_K): two rows
 * times four tokens, the int16 sums of each 16-element half per (row, token), in two passes of 8
 * steps (a product reaches 32 * 127, so an int16 lane holds 8), exactly as {@link
 * VectorQ6KDot#dot1} splits its sums; then {@link #scale1x4}, dot1's float operations per (row,
 * token), so a token's result does not depend on its batch. The scratch layout is {@link
 * VectorHalfSums}' (8 vectors per group and row, the second pass's after the first's).
 *
 * <p>These passes decode the six bits in registers, for every quad of tokens. From {@link
 * VectorQ4Matmul#SIX_BIT_EXPAND_TOKENS} tokens on, the rows are written out a byte a value once
 * per row block instead ({@link VectorQ6KDot#expand}) and {@link VectorHalfSums#sums2x4} sums
 * them (steps 0..7, then 8..15, into the same scratch), with {@link #scale1x4} after it: the
 * same integers and float operations, so the same bits. Expanding first paid back only over
 * three quads or more (session 19: pp64 1.06x, batched decode of 4 sequences 0.6-0.9x).
 *
 * <p>512 and 256 bits (a group's two chunks one after the other), as the byte layouts' passes.
 */
final class VectorSplitSums {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private VectorSplitSums() {
    }

    /**
     * Groups [g0, g1) (at most {@link VectorHalfSums#GROUPS}) of the rows at base and base2 times
     * the four tokens at x0, x0 + xs, x0 + 2 xs, x0 + 3 xs, steps 0..7 ({@code odd} false: each
     * iteration's v1 and v2, decoded from its shorts) or 8..15 (v3 and v4, from its shorts and
     * bytes). Group g's token t: the int16 sums of elements 0..15 at vector {@code 2 ((g - g0) * 4
     * + t)} from sums + sumsAt (row 1; sumsAt2 for row 2), those of elements 16..31 at the next.
     * base2 may equal base (an odd last row), with sumsAt2 equal to sumsAt. Chunk c (256 bits: 0
     * or 1) of each group: its lanes of the shorts, the bytes and the activations (x0 is the
     * tokens' start). One method for both passes: C2 unswitches the loop on {@code odd}.
     */
    static void sums2x4(MemorySegment w, long base, long base2, MemorySegment x, long x0, long xs,
                        int g0, int g1, int c, MemorySegment sums, long sumsAt, long sumsAt2, boolean odd) {
        w = NativeSegments.pin(w);
        x = NativeSegments.pin(x);
        sums = NativeSegments.pin(sums);
        if (g1 - g0 > VectorHalfSums.GROUPS) {
            throw new IllegalArgumentException("at most " + VectorHalfSums.GROUPS + " groups per call, got " + (g1 - g0));
        }
        long vb = SW.vectorByteSize();
        long cs = (long) c * SL * Short.BYTES; // the chunk's lanes of the shorts and of the activations
        long cb = (long) c * SL;               // and of the bytes
        long first = (odd ? 8L * STEP_BYTES : 0) + cs;
        for (int g = g0; g < g1; g++) {
            long wg = base + (long) g * Q6_KInterleaved.BYTES;
            long vg = base2 + (long) g * Q6_KInterleaved.BYTES;
            long xa = x0 + (long) g * Q8Activations.BYTES + first;
            long xb = xa + xs;
            long xc = xb + xs;
            long xd = xc + xs;
            // Row 1, tokens a..d: pa..pd (elements 0..15), ra..rd (16..31); row 2: qa..qd, ta..td.
            ShortVector pa = ShortVector.zero(SW);
            ShortVector pb = pa, pc = pa, pd = pa, ra = pa, rb = pa, rc = pa, rd = pa;
            ShortVector qa = pa, qb = pa, qc = pa, qd = pa, ta = pa, tb = pa, tc = pa, td = pa;
            for (int j = 0; j < Q6_KInterleaved.ITERATIONS; j++) {
                long ws = Q6_KInterleaved.shorts(j) + cs;
                long step = (long) j * STEP_BYTES;
                ShortVector s = ShortVector.fromMemorySegment(SW, w, wg + ws, LE);
                ShortVector s2 = ShortVector.fromMemorySegment(SW, w, vg + ws, LE);
                ShortVector lo, hi, lo2, hi2;
                if (odd) { // v3 = ((t << 14) >> 10) + (s & 15), v4 = t >> 2
                    long wt = Q6_KInterleaved.bytes(j) + cb;
                    ShortVector u = (ShortVector) ByteVector.fromMemorySegment(BH, w, wg + wt, LE)
                            .convertShape(VectorOperators.B2S, SW, 0);
                    ShortVector u2 = (ShortVector) ByteVector.fromMemorySegment(BH, w, vg + wt, LE)
                            .convertShape(VectorOperators.B2S, SW, 0);
                    lo = u.lanewise(VectorOperators.LSHL, 14).lanewise(VectorOperators.ASHR, 10).add(s.and((short) 15));
                    hi = u.lanewise(VectorOperators.ASHR, 2);
                    lo2 = u2.lanewise(VectorOperators.LSHL, 14).lanewise(VectorOperators.ASHR, 10).add(s2.and((short) 15));
                    hi2 = u2.lanewise(VectorOperators.ASHR, 2);
                } else { // v1 = s >> 10, v2 = (s << 6) >> 10
                    lo = s.lanewise(VectorOperators.ASHR, 10);
                    hi = s.lanewise(VectorOperators.LSHL, 6).lanewise(VectorOperators.ASHR, 10);
                    lo2 = s2.lanewise(VectorOperators.ASHR, 10);
                    hi2 = s2.lanewise(VectorOperators.LSHL, 6).lanewise(VectorOperators.ASHR, 10);
                }
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
     * The epilogue of {@link #sums2x4}'s two passes for one row, groups [g0, g1): per token, the halves' 8-step sums from sums + sumsAt (steps 0..7) and sumsAt1 (steps
     * 8..15) widened and added in lane, A (elements 0..15) and B (16..31), then {@link
     * VectorQ6KDot#dot1}'s operations, {@code acc = fma(fma(sa, A, sb * B), d * dx, acc)}, into
     * the 8 accumulators at acc + at (zero when g0 is 0). The row's scales at sums + scalesAt,
     * {@link VectorHalfSums#SCALE_VECTORS} per group: sa of the even and of the odd blocks, sb of each, then d.
     */
    static void scale1x4(MemorySegment x, long x0, long xs, int g0, int g1, MemorySegment sums, long sumsAt,
                              long sumsAt1, long scalesAt, MemorySegment acc, long at) {
        long vb = SW.vectorByteSize();
        scale2(x, x0, xs, g0, g1, sums, sumsAt, sumsAt1, scalesAt, acc, at);
        scale2(x, x0 + 2 * xs, xs, g0, g1, sums, sumsAt + 4 * vb, sumsAt1 + 4 * vb, scalesAt, acc, at + 4 * VB);
    }

    /** {@link #scale1x4} for the tokens at x0 and x0 + xs (two per call, as {@link VectorHalfSums#scale1x4}'s). */
    private static void scale2(MemorySegment x, long x0, long xs, int g0, int g1, MemorySegment sums, long sumsAt,
                                    long sumsAt1, long scalesAt, MemorySegment acc, long at) {
        x = NativeSegments.pin(x);
        sums = NativeSegments.pin(sums);
        acc = NativeSegments.pin(acc);
        long vb = SW.vectorByteSize();
        FloatVector a0 = g0 == 0 ? FloatVector.zero(F) : FloatVector.fromMemorySegment(F, acc, at, NATIVE);
        FloatVector a1 = g0 == 0 ? FloatVector.zero(F) : FloatVector.fromMemorySegment(F, acc, at + VB, NATIVE);
        FloatVector b0 = g0 == 0 ? FloatVector.zero(F) : FloatVector.fromMemorySegment(F, acc, at + 2 * VB, NATIVE);
        FloatVector b1 = g0 == 0 ? FloatVector.zero(F) : FloatVector.fromMemorySegment(F, acc, at + 3 * VB, NATIVE);
        for (int g = g0; g < g1; g++) {
            long so = scalesAt + (g - g0) * VectorHalfSums.SCALE_VECTORS * VB;
            FloatVector sa0 = FloatVector.fromMemorySegment(F, sums, so, NATIVE);
            FloatVector sa1 = FloatVector.fromMemorySegment(F, sums, so + VB, NATIVE);
            FloatVector sb0 = FloatVector.fromMemorySegment(F, sums, so + 2 * VB, NATIVE);
            FloatVector sb1 = FloatVector.fromMemorySegment(F, sums, so + 3 * VB, NATIVE);
            FloatVector dv = FloatVector.fromMemorySegment(F, sums, so + 4 * VB, NATIVE);
            for (int k = 0; k < 2; k++) { // the two tokens; C2 unrolls it
                long o = (g - g0) * 8L * vb + 2L * k * vb;
                long xg = x0 + k * xs + (long) g * Q8Activations.BYTES;
                IntVector p = IntVector.fromMemorySegment(I, sums, sumsAt + o, NATIVE);      // elements 0..15, steps 0..7
                IntVector q = IntVector.fromMemorySegment(I, sums, sumsAt1 + o, NATIVE);     // steps 8..15
                IntVector r = IntVector.fromMemorySegment(I, sums, sumsAt + o + vb, NATIVE); // elements 16..31
                IntVector u = IntVector.fromMemorySegment(I, sums, sumsAt1 + o + vb, NATIVE);
                FloatVector ae = (FloatVector) p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(q.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                        .convert(VectorOperators.I2F, 0);
                FloatVector ao = (FloatVector) p.lanewise(VectorOperators.ASHR, 16)
                        .add(q.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0);
                FloatVector be = (FloatVector) r.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(u.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                        .convert(VectorOperators.I2F, 0);
                FloatVector bo = (FloatVector) r.lanewise(VectorOperators.ASHR, 16)
                        .add(u.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0);
                FloatVector e0 = sa0.fma(ae, sb0.mul(be))
                        .fma(dv.mul(FloatVector.fromMemorySegment(F, x, xg + Q8Activations.SCALES, NATIVE)),
                                (FloatVector) FLOATS.cast(k == 0 ? a0 : b0));
                FloatVector e1 = sa1.fma(ao, sb1.mul(bo))
                        .fma(dv.mul(FloatVector.fromMemorySegment(F, x, xg + Q8Activations.SCALES + VB, NATIVE)),
                                (FloatVector) FLOATS.cast(k == 0 ? a1 : b1));
                if (k == 0) {
                    a0 = e0;
                    a1 = e1;
                } else {
                    b0 = e0;
                    b1 = e1;
                }
            }
        }
        ((FloatVector) FLOATS.cast(a0)).intoMemorySegment(acc, at, NATIVE);
        ((FloatVector) FLOATS.cast(a1)).intoMemorySegment(acc, at + VB, NATIVE);
        ((FloatVector) FLOATS.cast(b0)).intoMemorySegment(acc, at + 2 * VB, NATIVE);
        ((FloatVector) FLOATS.cast(b1)).intoMemorySegment(acc, at + 3 * VB, NATIVE);
    }
}
