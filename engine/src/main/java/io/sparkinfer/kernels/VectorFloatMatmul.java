package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorWidth.F;
import static io.sparkinfer.kernels.VectorWidth.G;
import static io.sparkinfer.kernels.VectorWidth.HIGH1;
import static io.sparkinfer.kernels.VectorWidth.HIGH2;
import static io.sparkinfer.kernels.VectorWidth.HIGH4;
import static io.sparkinfer.kernels.VectorWidth.HIGH8;
import static io.sparkinfer.kernels.VectorWidth.I;
import static io.sparkinfer.kernels.VectorWidth.XOR1;
import static io.sparkinfer.kernels.VectorWidth.XOR2;
import static io.sparkinfer.kernels.VectorWidth.XOR4;
import static io.sparkinfer.kernels.VectorWidth.XOR8;
import static io.sparkinfer.kernels.VectorWidth.treeSum;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Matmul computed in floats for every weight type. Rows are decoded three at a time into an aligned
 * native scratch (they stay in L1 while the tokens use them) and multiplied, against an aligned
 * copy of the activations ({@link AlignedFloats}: 1.5x the FMA rate of unaligned float[] loads),
 * by tiles of 3 rows x 4 tokens: each step of 2G elements loads 6 weight and 8 activation vectors
 * for 24 FMAs, where a 1-row tile needs 10 loads for 8. Every (row, token) dot has two accumulators, even G-chunks and
 * odd G-chunks, summed at the end: {@link #dot1} (one row, one token), {@link #dot3x4} and the
 * fused decode kernels of {@link VectorQuantDot} do exactly the same float operations per
 * (row, token), so results do not depend on the batch or on how rows are split among threads.
 *
 * <p>Decode steps of Q8_0 (fewer than 4 tokens) skip the scratch row and read the weights
 * directly ({@link VectorQuantDot}): the decoded row would be written and read back for one use.
 * Q4_0 does not come here: it has integer kernels ({@link VectorQ4Matmul}).
 */
final class VectorFloatMatmul {
    /*
     * Loads are written out, `FloatVector.fromMemorySegment(F, s, index * 4L, NATIVE)` with the
     * index in floats, not in a load helper: C2 left such a helper un-inlined once its own
     * compile had grown ("already compiled into a medium method"), boxing every vector
     * (KernelVectorCallsTest, session 22).
     */
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private VectorFloatMatmul() {
    }

    /** Floats of the lanes scratch that the tiles and the fused kernels take: 12 vectors. */
    static final int LANES = 12 * G;

    /**
     * Whether a matmul of w over nTokens tokens runs the fused decode kernels, which read the
     * activations where they are, rather than the tiles, which read an aligned copy.
     */
    static boolean fused(WeightMatrix w, int nTokens) {
        return nTokens < 4 && w.type() == GGMLType.Q8_0;
    }

    /**
     * Most tokens for which Q8_0 matmuls decode in registers ({@link #fusedRows} with 4-token
     * groups) rather than tile. Measured (A/B both orders, batched decode on a 1B Q8_0): 4 tokens
     * 23-24.6 vs 20-20.4 tok/s; 6 tokens equal; 8 and 16 tokens the tiles win (32 vs 24 tok/s at
     * 8): with two token groups the activations no longer fit L1, and the decoded-row tiles share
     * one decode among more tokens.
     */
    static final int SMALL_BATCH_TOKENS = Integer.getInteger("sparkinfer.matmul.smallBatch", 5);

    /**
     * Whether a matmul of w over nTokens tokens runs {@link #fusedRows} with 4-token groups, which
     * read the aligned copy of the activations.
     */
    static boolean smallBatch(WeightMatrix w, int nTokens) {
        return nTokens >= 4 && nTokens <= SMALL_BATCH_TOKENS && w.type() == GGMLType.Q8_0;
    }

    /**
     * Rows [from, to) of out for all tokens with the Q8_0 kernels that decode the weights in
     * registers (see {@link #fused} and {@link #smallBatch}). Rows go in pairs half the range
     * apart: groups of 4 tokens with {@link VectorQuantDot#q8_0x2x4} when {@code xs} (the aligned
     * copy of x, as for {@link #tiledRows}) is given, the other tokens one at a time; an odd last
     * row alone. lanes: a scratch of {@link #LANES} floats.
     */
    static void fusedRows(WeightMatrix w, float[] x, MemorySegment xs, int nTokens, float[] out, int from, int to,
                          float[] lanes) {
        int rows = w.rows();
        int cols = w.cols();
        long stride = AlignedFloats.stride(cols);
        long rowBytes = w.rowBytes();
        int groups = xs == null ? 0 : nTokens & ~3;
        // Pairs of rows half the range apart, not neighbours: each of the two read streams
        // then runs through its half of the range without a jump, which the hardware
        // prefetcher follows better (2 threads, 440 MB of Q8_0 rows: 23-29 vs 20-26 GB/s).
        int half = (to - from) / 2;
        for (int k = 0; k < half; k++) {
            int r0 = from + k;
            int r1 = r0 + half;
            for (int t = 0; t < groups; t += 4) {
                VectorQuantDot.q8_0x2x4(w.data(), r0 * rowBytes, r1 * rowBytes, xs, t * stride, stride, cols,
                        out, t * rows + r0, t * rows + r1, rows, lanes);
            }
            for (int t = groups; t < nTokens; t++) {
                VectorQuantDot.q8_0x2(w.data(), r0 * rowBytes, r1 * rowBytes, x, t * cols, cols, out,
                        t * rows + r0, t * rows + r1, lanes);
            }
        }
        for (int r = from + 2 * half; r < to; r++) {
            for (int t = 0; t < nTokens; t++) {
                out[t * rows + r] = VectorQuantDot.q8_0(w.data(), r * rowBytes, x, t * cols, cols, lanes);
            }
        }
    }

    /**
     * Rows [from, to) of out for all tokens with the tiles. {@code xs}: the activations, token t
     * at float {@code t * AlignedFloats.stride(cols)}; scratch: {@code row} (aligned, at least 3
     * strides), {@code tmp} (cols floats), {@code raw} (row bytes), {@code lanes} ({@link #LANES} floats).
     */
    static void tiledRows(WeightMatrix w, MemorySegment xs, MemorySegment xp, int nTokens, float[] out, int from,
                          int to, MemorySegment row, float[] tmp, byte[] raw, float[] lanes) {
        xs = NativeSegments.pin(xs);
        row = NativeSegments.pin(row);
        int block = xp != null ? packedTokenBlock(w.cols()) : tokenBlock(w.cols());
        for (int t0 = 0; t0 < nTokens; t0 += block) {
            rowsForTokens(w, xs, xp, t0, Math.min(nTokens, t0 + block), out, from, to, row, tmp, raw, lanes);
        }
    }

    /** Floats of activations per token block: the block stays in L2 (1 MiB on Zen 5) while rows stream past it. */
    private static final int BLOCK_FLOATS = Integer.getInteger("sparkinfer.matmul.blockFloats", 1 << 17);

    /**
     * Tokens per block, a multiple of 4: all of a long prompt's activations would not fit in L2,
     * and every row pair would stream them from L3 again.
     */
    private static int tokenBlock(int cols) {
        return Math.max(4, BLOCK_FLOATS / cols & ~3);
    }

    /**
     * Bytes of packed bfloat16 activations per token block ({@link Bf16Activations}): 1 MiB, the
     * size of L2, where float blocks stay at half of it. Half the bytes per token let a block take
     * four times the tokens of a float block, and every block re-reads the weights from DRAM and
     * decodes them again: 1B Q8_0, all 16 layers' matrices, 2 threads, in-JVM A/Bs against the
     * float block's token count: ffn_down (8192 columns, 64 rather than 16 tokens per block) at
     * 64 tokens 1.25-1.38x for twice the tokens and 1.10-1.15x more for four times, at 256 tokens
     * 1.40x; gate at 256 tokens (256 rather than 64 per block) 1.11x. Larger still: ffn_down at
     * 256 tokens 1.04-1.08x, but gate at 512 tokens (512 per block) 0.94x.
     */
    private static final long PACKED_BLOCK_BYTES = Long.getLong("sparkinfer.matmul.packedBlockBytes", 1L << 20);

    /** Tokens per block of packed activations, a multiple of 4. */
    private static int packedTokenBlock(int cols) {
        return (int) Math.max(4, PACKED_BLOCK_BYTES / (2L * cols) & ~3);
    }

    /**
     * Bytes of weight rows that the tiles sweep into cache ({@link CacheSweep}) before decoding
     * them: the sweep streams from DRAM at full speed where the row decoder, one row at a time
     * between tiles, stalls on it. 1B Q8_0, in-JVM A/Bs: batched decode of 8 sequences
     * 1.08-1.14x (64 KiB to 512 KiB blocks alike), prefill of 64 tokens 1.04x.
     */
    private static final long SWEEP_BYTES = 1L << 17;

    /** Tokens [t0, t1) for rows [from, to): rows three at a time, then one at a time. */
    private static void rowsForTokens(WeightMatrix w, MemorySegment xs, MemorySegment xp, int t0, int t1, float[] out,
                                      int from, int to, MemorySegment row, float[] tmp, byte[] raw, float[] lanes) {
        xs = NativeSegments.pin(xs);
        row = NativeSegments.pin(row);
        int rows = w.rows();
        int cols = w.cols();
        long stride = AlignedFloats.stride(cols);
        long rowBytes = w.rowBytes();
        GGMLType type = w.type();
        int r = from;
        // Sweep only when a 4-token tile runs: a decode step (1-3 tokens, types other than Q8_0)
        // reads each row once, and the sweep then costs more than it saves (smollm2-135m F16,
        // one token: 0.82, 0.86x in in-JVM A/Bs).
        boolean sweep = t1 - t0 >= 4;
        int swept = from;
        int sweepRows = (int) Math.max(3, SWEEP_BYTES / rowBytes / 3 * 3);
        for (; r + 3 <= to; r += 3) {
            if (sweep && r >= swept) {
                swept = Math.min(to, r + sweepRows);
                CacheSweep.read(w.data(), r * rowBytes, swept * rowBytes);
            }
            for (int k = 0; k < 3; k++) {
                VectorRowDecoder.decode(type, w.data(), (r + k) * rowBytes, row, k * stride, cols, tmp, raw);
            }
            int t = t0;
            if (xp != null) {
                long ps = Bf16Activations.strideInts(cols);
                for (; t + 4 <= t1; t += 4) {
                    dot3x4bf(row, stride, xp, t * ps, ps, xs, t * stride, stride, cols, out, t * rows + r, rows, lanes);
                }
            }
            for (; t + 4 <= t1; t += 4) {
                dot3x4(row, stride, xs, t * stride, stride, cols, out, t * rows + r, rows, lanes);
            }
            for (; t < t1; t++) {
                for (int k = 0; k < 3; k++) {
                    out[t * rows + r + k] = dot1(row, k * stride, xs, t * stride, cols, lanes);
                }
            }
        }
        for (; r < to; r++) {
            VectorRowDecoder.decode(type, w.data(), r * rowBytes, row, 0, cols, tmp, raw);
            for (int t = t0; t < t1; t++) {
                out[t * rows + r] = dot1(row, 0, xs, t * stride, cols, lanes);
            }
        }
    }

    private static float get(MemorySegment s, long index) {
        return s.get(AlignedFloats.FLOAT, index * Float.BYTES);
    }

    /**
     * Row w[w0 ..) dotted with x[x0 ..), n elements (float indexes into the segments); lanes: a
     * scratch of at least G floats for the lane sum.
     */
    static float dot1(MemorySegment w, long w0, MemorySegment x, long x0, int n, float[] lanes) {
        w = NativeSegments.pin(w);
        x = NativeSegments.pin(x);
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int i = 0;
        int bound2 = n - n % (2 * G);
        for (; i < bound2; i += 2 * G) {
            a0 = FloatVector.fromMemorySegment(F, w, (w0 + i) * 4L, NATIVE)
                    .fma(FloatVector.fromMemorySegment(F, x, (x0 + i) * 4L, NATIVE), a0);
            a1 = FloatVector.fromMemorySegment(F, w, (w0 + i + G) * 4L, NATIVE)
                    .fma(FloatVector.fromMemorySegment(F, x, (x0 + i + G) * 4L, NATIVE), a1);
        }
        for (; i < F.loopBound(n); i += G) {
            a0 = FloatVector.fromMemorySegment(F, w, (w0 + i) * 4L, NATIVE)
                    .fma(FloatVector.fromMemorySegment(F, x, (x0 + i) * 4L, NATIVE), a0);
        }
        a0.add(a1).intoArray(lanes, 0);
        return tail(treeSum(lanes, 0), w, w0, x, x0, i, n);
    }

    /**
     * Three rows (w[0 ..), w[ws ..), w[2 ws ..)) times four tokens (activations at x0, x0 + xs,
     * ...), n elements; row k's result for token t goes to out[o + t * stride + k]. Written out
     * by hand: 24 accumulators, 3 weight vectors and an activation vector fit in AVX-512's 32
     * registers. Three rows rather than two: the activations come from L2 (a token block is too
     * big for L1), and 3 rows load them once per 24 FMAs instead of 16 (one Zen 5 core, 64
     * tokens: 125 vs 105 GFLOP/s).
     */
    static void dot3x4(MemorySegment w, long ws, MemorySegment x, long x0, long xs, int n, float[] out, int o,
                       int stride, float[] lanes) {
        w = NativeSegments.pin(w);
        x = NativeSegments.pin(x);
        long w1 = ws;
        long w2 = 2 * ws;
        long x1 = x0 + xs;
        long x2 = x1 + xs;
        long x3 = x2 + xs;
        // Accumulators: row 0 a..d, row 1 e..h, row 2 p..s (tokens 0..3); even G-chunks in *0, odd in *1.
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        FloatVector e0 = a0, e1 = a0, f0 = a0, f1 = a0, g0 = a0, g1 = a0, h0 = a0, h1 = a0;
        FloatVector p0 = a0, p1 = a0, q0 = a0, q1 = a0, r0 = a0, r1 = a0, s0 = a0, s1 = a0;
        int i = 0;
        int bound2 = n - n % (2 * G);
        for (; i < bound2; i += 2 * G) {
            // The even chunk for all 12 (row, token) pairs, then the odd one: 3 weight vectors
            // live at a time rather than 6, so the 24 accumulators are not spilled.
            FloatVector u = FloatVector.fromMemorySegment(F, w, i * 4L, NATIVE);
            FloatVector v = FloatVector.fromMemorySegment(F, w, (w1 + i) * 4L, NATIVE);
            FloatVector m = FloatVector.fromMemorySegment(F, w, (w2 + i) * 4L, NATIVE);
            FloatVector y = FloatVector.fromMemorySegment(F, x, (x0 + i) * 4L, NATIVE);
            a0 = u.fma(y, a0);
            e0 = v.fma(y, e0);
            p0 = m.fma(y, p0);
            y = FloatVector.fromMemorySegment(F, x, (x1 + i) * 4L, NATIVE);
            b0 = u.fma(y, b0);
            f0 = v.fma(y, f0);
            q0 = m.fma(y, q0);
            y = FloatVector.fromMemorySegment(F, x, (x2 + i) * 4L, NATIVE);
            c0 = u.fma(y, c0);
            g0 = v.fma(y, g0);
            r0 = m.fma(y, r0);
            y = FloatVector.fromMemorySegment(F, x, (x3 + i) * 4L, NATIVE);
            d0 = u.fma(y, d0);
            h0 = v.fma(y, h0);
            s0 = m.fma(y, s0);
            int j = i + G;
            u = FloatVector.fromMemorySegment(F, w, j * 4L, NATIVE);
            v = FloatVector.fromMemorySegment(F, w, (w1 + j) * 4L, NATIVE);
            m = FloatVector.fromMemorySegment(F, w, (w2 + j) * 4L, NATIVE);
            y = FloatVector.fromMemorySegment(F, x, (x0 + j) * 4L, NATIVE);
            a1 = u.fma(y, a1);
            e1 = v.fma(y, e1);
            p1 = m.fma(y, p1);
            y = FloatVector.fromMemorySegment(F, x, (x1 + j) * 4L, NATIVE);
            b1 = u.fma(y, b1);
            f1 = v.fma(y, f1);
            q1 = m.fma(y, q1);
            y = FloatVector.fromMemorySegment(F, x, (x2 + j) * 4L, NATIVE);
            c1 = u.fma(y, c1);
            g1 = v.fma(y, g1);
            r1 = m.fma(y, r1);
            y = FloatVector.fromMemorySegment(F, x, (x3 + j) * 4L, NATIVE);
            d1 = u.fma(y, d1);
            h1 = v.fma(y, h1);
            s1 = m.fma(y, s1);
        }
        if (i < F.loopBound(n)) {
            // One G-chunk left (even index): into the first accumulators, as dot1 does. A copy of
            // the loop's even half on purpose: the loop with a mid-body exit instead measured
            // ~3% slower at pp128 (3 of 4 A/B pairs), and a helper would take 12 vectors.
            FloatVector u0 = FloatVector.fromMemorySegment(F, w, i * 4L, NATIVE);
            FloatVector v0 = FloatVector.fromMemorySegment(F, w, (w1 + i) * 4L, NATIVE);
            FloatVector m0 = FloatVector.fromMemorySegment(F, w, (w2 + i) * 4L, NATIVE);
            FloatVector y0 = FloatVector.fromMemorySegment(F, x, (x0 + i) * 4L, NATIVE);
            a0 = u0.fma(y0, a0);
            e0 = v0.fma(y0, e0);
            p0 = m0.fma(y0, p0);
            y0 = FloatVector.fromMemorySegment(F, x, (x1 + i) * 4L, NATIVE);
            b0 = u0.fma(y0, b0);
            f0 = v0.fma(y0, f0);
            q0 = m0.fma(y0, q0);
            y0 = FloatVector.fromMemorySegment(F, x, (x2 + i) * 4L, NATIVE);
            c0 = u0.fma(y0, c0);
            g0 = v0.fma(y0, g0);
            r0 = m0.fma(y0, r0);
            y0 = FloatVector.fromMemorySegment(F, x, (x3 + i) * 4L, NATIVE);
            d0 = u0.fma(y0, d0);
            h0 = v0.fma(y0, h0);
            s0 = m0.fma(y0, s0);
            i += G;
        }
        // Lane sums: the 12 tree sums (VectorWidth.treeSum) folded together level by level where
        // the vectors have 16 or 8 lanes (4 instructions per vector pair and level), one tree per
        // stored vector otherwise. Same additions either way, so results match dot1 and the fused
        // kernels bit for bit. Written out here, not in a fold(x, y, mask, shuffle) helper: C2
        // compiled that helper on its own, with the vectors boxed (pp64 60 -> 40 tok/s).
        FloatVector a = a0.add(a1), b = b0.add(b1), c = c0.add(c1), d = d0.add(d1);
        FloatVector e = e0.add(e1), f = f0.add(f1), g = g0.add(g1), h = h0.add(h1);
        FloatVector p = p0.add(p1), q = q0.add(q1), r = r0.add(r1), s = s0.add(s1);
        float sa, sb, sc, sd, se, sf, sg, sh, sp, sq, sr, ss;
        if (G == 16) {
            // fold(x, y) at level h: lanes with bit h clear get x[i] + x[i ^ h], set get y's.
            FloatVector ab = a.blend(b, HIGH8).add(b.blend(a, HIGH8).rearrange(XOR8));
            FloatVector cd = c.blend(d, HIGH8).add(d.blend(c, HIGH8).rearrange(XOR8));
            FloatVector ef = e.blend(f, HIGH8).add(f.blend(e, HIGH8).rearrange(XOR8));
            FloatVector gh = g.blend(h, HIGH8).add(h.blend(g, HIGH8).rearrange(XOR8));
            FloatVector pq = p.blend(q, HIGH8).add(q.blend(p, HIGH8).rearrange(XOR8));
            FloatVector rs = r.blend(s, HIGH8).add(s.blend(r, HIGH8).rearrange(XOR8));
            FloatVector ad = ab.blend(cd, HIGH4).add(cd.blend(ab, HIGH4).rearrange(XOR4));
            FloatVector eh = ef.blend(gh, HIGH4).add(gh.blend(ef, HIGH4).rearrange(XOR4));
            FloatVector ps = pq.blend(rs, HIGH4).add(rs.blend(pq, HIGH4).rearrange(XOR4));
            FloatVector ah = ad.blend(eh, HIGH2).add(eh.blend(ad, HIGH2).rearrange(XOR2));
            ps = ps.add(ps.rearrange(XOR2));
            ah.blend(ps, HIGH1).add(ps.blend(ah, HIGH1).rearrange(XOR1)).intoArray(lanes, 0);
            // Lane of each sum: bit 3 from the level-8 pair, bit 2 level 4, bit 1 level 2, bit 0 level 1.
            sa = lanes[0]; sb = lanes[8]; sc = lanes[4]; sd = lanes[12];
            se = lanes[2]; sf = lanes[10]; sg = lanes[6]; sh = lanes[14];
            sp = lanes[1]; sq = lanes[9]; sr = lanes[5]; ss = lanes[13];
        } else if (G == 8) {
            // The same folds from level 4 (AVX2): 12 sums in two vectors.
            FloatVector ab = a.blend(b, HIGH4).add(b.blend(a, HIGH4).rearrange(XOR4));
            FloatVector cd = c.blend(d, HIGH4).add(d.blend(c, HIGH4).rearrange(XOR4));
            FloatVector ef = e.blend(f, HIGH4).add(f.blend(e, HIGH4).rearrange(XOR4));
            FloatVector gh = g.blend(h, HIGH4).add(h.blend(g, HIGH4).rearrange(XOR4));
            FloatVector pq = p.blend(q, HIGH4).add(q.blend(p, HIGH4).rearrange(XOR4));
            FloatVector rs = r.blend(s, HIGH4).add(s.blend(r, HIGH4).rearrange(XOR4));
            FloatVector ad = ab.blend(cd, HIGH2).add(cd.blend(ab, HIGH2).rearrange(XOR2));
            FloatVector eh = ef.blend(gh, HIGH2).add(gh.blend(ef, HIGH2).rearrange(XOR2));
            FloatVector ps = pq.blend(rs, HIGH2).add(rs.blend(pq, HIGH2).rearrange(XOR2));
            ad.blend(eh, HIGH1).add(eh.blend(ad, HIGH1).rearrange(XOR1)).intoArray(lanes, 0);
            ps.add(ps.rearrange(XOR1)).intoArray(lanes, G);
            // Lane of each sum: bit 2 from the level-4 pair, bit 1 level 2, bit 0 level 1.
            sa = lanes[0]; sb = lanes[4]; sc = lanes[2]; sd = lanes[6];
            se = lanes[1]; sf = lanes[5]; sg = lanes[3]; sh = lanes[7];
            sp = lanes[8]; sq = lanes[12]; sr = lanes[10]; ss = lanes[14];
        } else {
            // Stored, then one tree each from the scratch: passed to treeSum as vectors, the 12
            // were boxed per tile at 256 bits (Q8_0 pp64 43 tok/s, 4 GB of garbage).
            a.intoArray(lanes, 0); b.intoArray(lanes, G); c.intoArray(lanes, 2 * G); d.intoArray(lanes, 3 * G);
            e.intoArray(lanes, 4 * G); f.intoArray(lanes, 5 * G); g.intoArray(lanes, 6 * G); h.intoArray(lanes, 7 * G);
            p.intoArray(lanes, 8 * G); q.intoArray(lanes, 9 * G); r.intoArray(lanes, 10 * G); s.intoArray(lanes, 11 * G);
            sa = treeSum(lanes, 0); sb = treeSum(lanes, G); sc = treeSum(lanes, 2 * G); sd = treeSum(lanes, 3 * G);
            se = treeSum(lanes, 4 * G); sf = treeSum(lanes, 5 * G); sg = treeSum(lanes, 6 * G);
            sh = treeSum(lanes, 7 * G); sp = treeSum(lanes, 8 * G); sq = treeSum(lanes, 9 * G);
            sr = treeSum(lanes, 10 * G); ss = treeSum(lanes, 11 * G);
        }
        // C2 does not inline tail here (NodeCountInliningCutoff): call it only when columns are
        // left over (never for real model widths; the 12 empty calls were 1.5% of Q8_0 pp64).
        out[o] = i < n ? tail(sa, w, 0, x, x0, i, n) : sa;
        out[o + stride] = i < n ? tail(sb, w, 0, x, x1, i, n) : sb;
        out[o + 2 * stride] = i < n ? tail(sc, w, 0, x, x2, i, n) : sc;
        out[o + 3 * stride] = i < n ? tail(sd, w, 0, x, x3, i, n) : sd;
        out[o + 1] = i < n ? tail(se, w, w1, x, x0, i, n) : se;
        out[o + stride + 1] = i < n ? tail(sf, w, w1, x, x1, i, n) : sf;
        out[o + 2 * stride + 1] = i < n ? tail(sg, w, w1, x, x2, i, n) : sg;
        out[o + 3 * stride + 1] = i < n ? tail(sh, w, w1, x, x3, i, n) : sh;
        out[o + 2] = i < n ? tail(sp, w, w2, x, x0, i, n) : sp;
        out[o + stride + 2] = i < n ? tail(sq, w, w2, x, x1, i, n) : sq;
        out[o + 2 * stride + 2] = i < n ? tail(sr, w, w2, x, x2, i, n) : sr;
        out[o + 3 * stride + 2] = i < n ? tail(ss, w, w2, x, x3, i, n) : ss;
    }

    /**
     * {@link #dot3x4} with the activations' 2G-column chunks read from their bfloat16 packing
     * ({@link Bf16Activations#pack}, token t's at int z0 + t * zs) and widened in registers: the
     * same FMAs on the same values when x (the float copy, read for the columns past the last
     * whole 2G) holds the rounded activations. Half the bytes from L2 per tile (one core, 64
     * tokens: 95-97 against 67-68 GMAC/s).
     */
    static void dot3x4bf(MemorySegment w, long ws, MemorySegment xp, long z0, long zs, MemorySegment x, long x0, long xs,
                         int n, float[] out, int o, int stride, float[] lanes) {
        w = NativeSegments.pin(w);
        xp = NativeSegments.pin(xp);
        x = NativeSegments.pin(x);
        long z1 = z0 + zs;
        long z2 = z1 + zs;
        long z3 = z2 + zs;
        long w1 = ws;
        long w2 = 2 * ws;
        long x1 = x0 + xs;
        long x2 = x1 + xs;
        long x3 = x2 + xs;
        // Accumulators: row 0 a..d, row 1 e..h, row 2 p..s (tokens 0..3); even G-chunks in *0, odd in *1.
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        FloatVector e0 = a0, e1 = a0, f0 = a0, f1 = a0, g0 = a0, g1 = a0, h0 = a0, h1 = a0;
        FloatVector p0 = a0, p1 = a0, q0 = a0, q1 = a0, r0 = a0, r1 = a0, s0 = a0, s1 = a0;
        int i = 0;
        int bound2 = n - n % (2 * G);
        for (; i < bound2; i += 2 * G) {
            // The even chunk for all 12 (row, token) pairs, then the odd one: 3 weight vectors
            // live at a time rather than 6, so the 24 accumulators are not spilled.
            FloatVector u = FloatVector.fromMemorySegment(F, w, i * 4L, NATIVE);
            FloatVector v = FloatVector.fromMemorySegment(F, w, (w1 + i) * 4L, NATIVE);
            FloatVector m = FloatVector.fromMemorySegment(F, w, (w2 + i) * 4L, NATIVE);
            FloatVector y = IntVector.fromMemorySegment(I, xp, (z0 + i / 2) * Integer.BYTES, NATIVE)
                    .and(Bf16Activations.HIGH).reinterpretAsFloats();
            a0 = u.fma(y, a0);
            e0 = v.fma(y, e0);
            p0 = m.fma(y, p0);
            y = IntVector.fromMemorySegment(I, xp, (z1 + i / 2) * Integer.BYTES, NATIVE)
                    .and(Bf16Activations.HIGH).reinterpretAsFloats();
            b0 = u.fma(y, b0);
            f0 = v.fma(y, f0);
            q0 = m.fma(y, q0);
            y = IntVector.fromMemorySegment(I, xp, (z2 + i / 2) * Integer.BYTES, NATIVE)
                    .and(Bf16Activations.HIGH).reinterpretAsFloats();
            c0 = u.fma(y, c0);
            g0 = v.fma(y, g0);
            r0 = m.fma(y, r0);
            y = IntVector.fromMemorySegment(I, xp, (z3 + i / 2) * Integer.BYTES, NATIVE)
                    .and(Bf16Activations.HIGH).reinterpretAsFloats();
            d0 = u.fma(y, d0);
            h0 = v.fma(y, h0);
            s0 = m.fma(y, s0);
            int j = i + G;
            u = FloatVector.fromMemorySegment(F, w, j * 4L, NATIVE);
            v = FloatVector.fromMemorySegment(F, w, (w1 + j) * 4L, NATIVE);
            m = FloatVector.fromMemorySegment(F, w, (w2 + j) * 4L, NATIVE);
            y = IntVector.fromMemorySegment(I, xp, (z0 + i / 2) * Integer.BYTES, NATIVE)
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            a1 = u.fma(y, a1);
            e1 = v.fma(y, e1);
            p1 = m.fma(y, p1);
            y = IntVector.fromMemorySegment(I, xp, (z1 + i / 2) * Integer.BYTES, NATIVE)
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            b1 = u.fma(y, b1);
            f1 = v.fma(y, f1);
            q1 = m.fma(y, q1);
            y = IntVector.fromMemorySegment(I, xp, (z2 + i / 2) * Integer.BYTES, NATIVE)
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            c1 = u.fma(y, c1);
            g1 = v.fma(y, g1);
            r1 = m.fma(y, r1);
            y = IntVector.fromMemorySegment(I, xp, (z3 + i / 2) * Integer.BYTES, NATIVE)
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            d1 = u.fma(y, d1);
            h1 = v.fma(y, h1);
            s1 = m.fma(y, s1);
        }
        if (i < F.loopBound(n)) {
            // One G-chunk left (even index): into the first accumulators, as dot1 does. A copy of
            // the loop's even half on purpose: the loop with a mid-body exit instead measured
            // ~3% slower at pp128 (3 of 4 A/B pairs), and a helper would take 12 vectors.
            FloatVector u0 = FloatVector.fromMemorySegment(F, w, i * 4L, NATIVE);
            FloatVector v0 = FloatVector.fromMemorySegment(F, w, (w1 + i) * 4L, NATIVE);
            FloatVector m0 = FloatVector.fromMemorySegment(F, w, (w2 + i) * 4L, NATIVE);
            FloatVector y0 = FloatVector.fromMemorySegment(F, x, (x0 + i) * 4L, NATIVE);
            a0 = u0.fma(y0, a0);
            e0 = v0.fma(y0, e0);
            p0 = m0.fma(y0, p0);
            y0 = FloatVector.fromMemorySegment(F, x, (x1 + i) * 4L, NATIVE);
            b0 = u0.fma(y0, b0);
            f0 = v0.fma(y0, f0);
            q0 = m0.fma(y0, q0);
            y0 = FloatVector.fromMemorySegment(F, x, (x2 + i) * 4L, NATIVE);
            c0 = u0.fma(y0, c0);
            g0 = v0.fma(y0, g0);
            r0 = m0.fma(y0, r0);
            y0 = FloatVector.fromMemorySegment(F, x, (x3 + i) * 4L, NATIVE);
            d0 = u0.fma(y0, d0);
            h0 = v0.fma(y0, h0);
            s0 = m0.fma(y0, s0);
            i += G;
        }
        // Lane sums: the 12 tree sums (VectorWidth.treeSum) folded together level by level where
        // the vectors have 16 or 8 lanes (4 instructions per vector pair and level), one tree per
        // stored vector otherwise. Same additions either way, so results match dot1 and the fused
        // kernels bit for bit. Written out here, not in a fold(x, y, mask, shuffle) helper: C2
        // compiled that helper on its own, with the vectors boxed (pp64 60 -> 40 tok/s).
        FloatVector a = a0.add(a1), b = b0.add(b1), c = c0.add(c1), d = d0.add(d1);
        FloatVector e = e0.add(e1), f = f0.add(f1), g = g0.add(g1), h = h0.add(h1);
        FloatVector p = p0.add(p1), q = q0.add(q1), r = r0.add(r1), s = s0.add(s1);
        float sa, sb, sc, sd, se, sf, sg, sh, sp, sq, sr, ss;
        if (G == 16) {
            // fold(x, y) at level h: lanes with bit h clear get x[i] + x[i ^ h], set get y's.
            FloatVector ab = a.blend(b, HIGH8).add(b.blend(a, HIGH8).rearrange(XOR8));
            FloatVector cd = c.blend(d, HIGH8).add(d.blend(c, HIGH8).rearrange(XOR8));
            FloatVector ef = e.blend(f, HIGH8).add(f.blend(e, HIGH8).rearrange(XOR8));
            FloatVector gh = g.blend(h, HIGH8).add(h.blend(g, HIGH8).rearrange(XOR8));
            FloatVector pq = p.blend(q, HIGH8).add(q.blend(p, HIGH8).rearrange(XOR8));
            FloatVector rs = r.blend(s, HIGH8).add(s.blend(r, HIGH8).rearrange(XOR8));
            FloatVector ad = ab.blend(cd, HIGH4).add(cd.blend(ab, HIGH4).rearrange(XOR4));
            FloatVector eh = ef.blend(gh, HIGH4).add(gh.blend(ef, HIGH4).rearrange(XOR4));
            FloatVector ps = pq.blend(rs, HIGH4).add(rs.blend(pq, HIGH4).rearrange(XOR4));
            FloatVector ah = ad.blend(eh, HIGH2).add(eh.blend(ad, HIGH2).rearrange(XOR2));
            ps = ps.add(ps.rearrange(XOR2));
            ah.blend(ps, HIGH1).add(ps.blend(ah, HIGH1).rearrange(XOR1)).intoArray(lanes, 0);
            // Lane of each sum: bit 3 from the level-8 pair, bit 2 level 4, bit 1 level 2, bit 0 level 1.
            sa = lanes[0]; sb = lanes[8]; sc = lanes[4]; sd = lanes[12];
            se = lanes[2]; sf = lanes[10]; sg = lanes[6]; sh = lanes[14];
            sp = lanes[1]; sq = lanes[9]; sr = lanes[5]; ss = lanes[13];
        } else if (G == 8) {
            // The same folds from level 4 (AVX2): 12 sums in two vectors.
            FloatVector ab = a.blend(b, HIGH4).add(b.blend(a, HIGH4).rearrange(XOR4));
            FloatVector cd = c.blend(d, HIGH4).add(d.blend(c, HIGH4).rearrange(XOR4));
            FloatVector ef = e.blend(f, HIGH4).add(f.blend(e, HIGH4).rearrange(XOR4));
            FloatVector gh = g.blend(h, HIGH4).add(h.blend(g, HIGH4).rearrange(XOR4));
            FloatVector pq = p.blend(q, HIGH4).add(q.blend(p, HIGH4).rearrange(XOR4));
            FloatVector rs = r.blend(s, HIGH4).add(s.blend(r, HIGH4).rearrange(XOR4));
            FloatVector ad = ab.blend(cd, HIGH2).add(cd.blend(ab, HIGH2).rearrange(XOR2));
            FloatVector eh = ef.blend(gh, HIGH2).add(gh.blend(ef, HIGH2).rearrange(XOR2));
            FloatVector ps = pq.blend(rs, HIGH2).add(rs.blend(pq, HIGH2).rearrange(XOR2));
            ad.blend(eh, HIGH1).add(eh.blend(ad, HIGH1).rearrange(XOR1)).intoArray(lanes, 0);
            ps.add(ps.rearrange(XOR1)).intoArray(lanes, G);
            // Lane of each sum: bit 2 from the level-4 pair, bit 1 level 2, bit 0 level 1.
            sa = lanes[0]; sb = lanes[4]; sc = lanes[2]; sd = lanes[6];
            se = lanes[1]; sf = lanes[5]; sg = lanes[3]; sh = lanes[7];
            sp = lanes[8]; sq = lanes[12]; sr = lanes[10]; ss = lanes[14];
        } else {
            // Stored, then one tree each from the scratch: passed to treeSum as vectors, the 12
            // were boxed per tile at 256 bits (Q8_0 pp64 43 tok/s, 4 GB of garbage).
            a.intoArray(lanes, 0); b.intoArray(lanes, G); c.intoArray(lanes, 2 * G); d.intoArray(lanes, 3 * G);
            e.intoArray(lanes, 4 * G); f.intoArray(lanes, 5 * G); g.intoArray(lanes, 6 * G); h.intoArray(lanes, 7 * G);
            p.intoArray(lanes, 8 * G); q.intoArray(lanes, 9 * G); r.intoArray(lanes, 10 * G); s.intoArray(lanes, 11 * G);
            sa = treeSum(lanes, 0); sb = treeSum(lanes, G); sc = treeSum(lanes, 2 * G); sd = treeSum(lanes, 3 * G);
            se = treeSum(lanes, 4 * G); sf = treeSum(lanes, 5 * G); sg = treeSum(lanes, 6 * G);
            sh = treeSum(lanes, 7 * G); sp = treeSum(lanes, 8 * G); sq = treeSum(lanes, 9 * G);
            sr = treeSum(lanes, 10 * G); ss = treeSum(lanes, 11 * G);
        }
        // C2 does not inline tail here (NodeCountInliningCutoff): call it only when columns are
        // left over (never for real model widths; the 12 empty calls were 1.5% of Q8_0 pp64).
        out[o] = i < n ? tail(sa, w, 0, x, x0, i, n) : sa;
        out[o + stride] = i < n ? tail(sb, w, 0, x, x1, i, n) : sb;
        out[o + 2 * stride] = i < n ? tail(sc, w, 0, x, x2, i, n) : sc;
        out[o + 3 * stride] = i < n ? tail(sd, w, 0, x, x3, i, n) : sd;
        out[o + 1] = i < n ? tail(se, w, w1, x, x0, i, n) : se;
        out[o + stride + 1] = i < n ? tail(sf, w, w1, x, x1, i, n) : sf;
        out[o + 2 * stride + 1] = i < n ? tail(sg, w, w1, x, x2, i, n) : sg;
        out[o + 3 * stride + 1] = i < n ? tail(sh, w, w1, x, x3, i, n) : sh;
        out[o + 2] = i < n ? tail(sp, w, w2, x, x0, i, n) : sp;
        out[o + stride + 2] = i < n ? tail(sq, w, w2, x, x1, i, n) : sq;
        out[o + 2 * stride + 2] = i < n ? tail(sr, w, w2, x, x2, i, n) : sr;
        out[o + 3 * stride + 2] = i < n ? tail(ss, w, w2, x, x3, i, n) : ss;
    }

    /** s plus the scalar products of elements [i, n): dot1's ending. */
    private static float tail(float s, MemorySegment w, long w0, MemorySegment x, long x0, int i, int n) {
        for (; i < n; i++) {
            s += get(w, w0 + i) * get(x, x0 + i);
        }
        return s;
    }
}
