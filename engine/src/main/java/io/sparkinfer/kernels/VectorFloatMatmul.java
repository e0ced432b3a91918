package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorWidth.F;
import static io.sparkinfer.kernels.VectorWidth.G;
import static io.sparkinfer.kernels.VectorWidth.sumLanes;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * Matmul computed in floats for every weight type. Rows are decoded two at a time into an aligned
 * native scratch (they stay in L1 while the tokens use them) and multiplied, against an aligned
 * copy of the activations ({@link AlignedFloats}: 1.5x the FMA rate of unaligned float[] loads),
 * by tiles of 2 rows x 4 tokens: each step of 2G elements loads 4 weight and 8 activation vectors for 16 FMAs, where a
 * 1-row tile needs 10 loads for 8. Every (row, token) dot has two accumulators, even G-chunks and
 * odd G-chunks, summed at the end: {@link #dot1} (one row, one token), {@link #dot2x4} and the
 * fused decode kernels of {@link VectorQuantDot} do exactly the same float operations per
 * (row, token), so results do not depend on the batch or on how rows are split among threads.
 *
 * <p>Decode steps of Q8_0/Q4_0 (fewer than 4 tokens) skip the scratch row and read the mapping
 * directly ({@link VectorQuantDot}): the decoded row would be written and read back for one use.
 */
final class VectorFloatMatmul {
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private VectorFloatMatmul() {
    }

    /**
     * Whether a matmul of w over nTokens tokens runs the fused decode kernels, which read the
     * activations where they are, rather than the tiles, which read an aligned copy.
     */
    static boolean fused(WeightMatrix w, int nTokens) {
        return nTokens < 4 && (w.type() == GGMLType.Q8_0 || w.type() == GGMLType.Q4_0);
    }

    /** Rows [from, to) of out for all tokens with the fused decode kernels (see {@link #fused}). */
    static void fusedRows(WeightMatrix w, float[] x, int nTokens, float[] out, int from, int to, float[] lanes) {
        int rows = w.rows();
        int cols = w.cols();
        long rowBytes = w.rowBytes();
        boolean q8 = w.type() == GGMLType.Q8_0;
        int r = from;
        if (q8) {
            for (; r + 2 <= to; r += 2) {
                for (int t = 0; t < nTokens; t++) {
                    VectorQuantDot.q8_0x2(w.data(), r * rowBytes, (r + 1) * rowBytes, x, t * cols, cols, out,
                            t * rows + r, t * rows + r + 1, lanes);
                }
            }
        }
        for (; r < to; r++) {
            for (int t = 0; t < nTokens; t++) {
                out[t * rows + r] = q8
                        ? VectorQuantDot.q8_0(w.data(), r * rowBytes, x, t * cols, cols, lanes)
                        : VectorQuantDot.q4_0(w.data(), r * rowBytes, x, t * cols, cols, lanes);
            }
        }
    }

    /**
     * Rows [from, to) of out for all tokens with the tiles. {@code xs}: the activations, token t
     * at float {@code t * AlignedFloats.stride(cols)}; scratch: {@code row} (aligned, at least 2
     * strides), {@code tmp} (cols floats), {@code raw} (row bytes), {@code lanes} (G floats).
     */
    static void tiledRows(WeightMatrix w, MemorySegment xs, int nTokens, float[] out, int from, int to,
                          MemorySegment row, float[] tmp, byte[] raw, float[] lanes) {
        int block = tokenBlock(w.cols());
        for (int t0 = 0; t0 < nTokens; t0 += block) {
            rowsForTokens(w, xs, t0, Math.min(nTokens, t0 + block), out, from, to, row, tmp, raw, lanes);
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

    /** Tokens [t0, t1) for rows [from, to). */
    private static void rowsForTokens(WeightMatrix w, MemorySegment xs, int t0, int t1, float[] out, int from, int to,
                                      MemorySegment row, float[] tmp, byte[] raw, float[] lanes) {
        int rows = w.rows();
        int cols = w.cols();
        long stride = AlignedFloats.stride(cols);
        long rowBytes = w.rowBytes();
        GGMLType type = w.type();
        int r = from;
        for (; r + 2 <= to; r += 2) {
            VectorRowDecoder.decode(type, w.data(), r * rowBytes, row, 0, cols, tmp, raw);
            VectorRowDecoder.decode(type, w.data(), (r + 1) * rowBytes, row, stride, cols, tmp, raw);
            int t = t0;
            for (; t + 4 <= t1; t += 4) {
                dot2x4(row, stride, xs, t * stride, stride, cols, out, t * rows + r, rows, lanes);
            }
            for (; t < t1; t++) {
                out[t * rows + r] = dot1(row, 0, xs, t * stride, cols, lanes);
                out[t * rows + r + 1] = dot1(row, stride, xs, t * stride, cols, lanes);
            }
        }
        if (r < to) {
            VectorRowDecoder.decode(type, w.data(), r * rowBytes, row, 0, cols, tmp, raw);
            for (int t = t0; t < t1; t++) {
                out[t * rows + r] = dot1(row, 0, xs, t * stride, cols, lanes);
            }
        }
    }

    private static FloatVector load(MemorySegment s, long index) {
        return FloatVector.fromMemorySegment(F, s, index * Float.BYTES, NATIVE);
    }

    private static float get(MemorySegment s, long index) {
        return s.get(AlignedFloats.FLOAT, index * Float.BYTES);
    }

    /** Row w[w0 ..) dotted with x[x0 ..), n elements (float indexes into the segments). */
    static float dot1(MemorySegment w, long w0, MemorySegment x, long x0, int n, float[] lanes) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int i = 0;
        int bound2 = n - n % (2 * G);
        for (; i < bound2; i += 2 * G) {
            a0 = load(w, w0 + i).fma(load(x, x0 + i), a0);
            a1 = load(w, w0 + i + G).fma(load(x, x0 + i + G), a1);
        }
        for (; i < F.loopBound(n); i += G) {
            a0 = load(w, w0 + i).fma(load(x, x0 + i), a0);
        }
        a0.add(a1).intoArray(lanes, 0);
        return tail(sumLanes(lanes), w, w0, x, x0, i, n);
    }

    /**
     * Rows w[0 ..) and w[w1 ..) times four tokens (activations at x0, x0 + xs, ...), n elements;
     * results at out[o + t * stride] (first row) and out[o + t * stride + 1] (second row).
     * Written out by hand: 16 accumulators, 4 weight vectors and 2 activation vectors fit in
     * AVX-512's 32 registers.
     */
    static void dot2x4(MemorySegment w, long w1, MemorySegment x, long x0, long xs, int n, float[] out, int o,
                       int stride, float[] lanes) {
        long x1 = x0 + xs;
        long x2 = x1 + xs;
        long x3 = x2 + xs;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        FloatVector e0 = a0, e1 = a0, f0 = a0, f1 = a0, g0 = a0, g1 = a0, h0 = a0, h1 = a0;
        int i = 0;
        int bound2 = n - n % (2 * G);
        for (; i < bound2; i += 2 * G) {
            FloatVector u0 = load(w, i);
            FloatVector u1 = load(w, i + G);
            FloatVector v0 = load(w, w1 + i);
            FloatVector v1 = load(w, w1 + i + G);
            FloatVector y0 = load(x, x0 + i);
            FloatVector y1 = load(x, x0 + i + G);
            a0 = u0.fma(y0, a0);
            a1 = u1.fma(y1, a1);
            e0 = v0.fma(y0, e0);
            e1 = v1.fma(y1, e1);
            y0 = load(x, x1 + i);
            y1 = load(x, x1 + i + G);
            b0 = u0.fma(y0, b0);
            b1 = u1.fma(y1, b1);
            f0 = v0.fma(y0, f0);
            f1 = v1.fma(y1, f1);
            y0 = load(x, x2 + i);
            y1 = load(x, x2 + i + G);
            c0 = u0.fma(y0, c0);
            c1 = u1.fma(y1, c1);
            g0 = v0.fma(y0, g0);
            g1 = v1.fma(y1, g1);
            y0 = load(x, x3 + i);
            y1 = load(x, x3 + i + G);
            d0 = u0.fma(y0, d0);
            d1 = u1.fma(y1, d1);
            h0 = v0.fma(y0, h0);
            h1 = v1.fma(y1, h1);
        }
        if (i < F.loopBound(n)) {
            // One G-chunk left (even index): into the first accumulators, as dot1 does.
            FloatVector u0 = load(w, i);
            FloatVector v0 = load(w, w1 + i);
            FloatVector y0 = load(x, x0 + i);
            a0 = u0.fma(y0, a0);
            e0 = v0.fma(y0, e0);
            y0 = load(x, x1 + i);
            b0 = u0.fma(y0, b0);
            f0 = v0.fma(y0, f0);
            y0 = load(x, x2 + i);
            c0 = u0.fma(y0, c0);
            g0 = v0.fma(y0, g0);
            y0 = load(x, x3 + i);
            d0 = u0.fma(y0, d0);
            h0 = v0.fma(y0, h0);
            i += G;
        }
        // Lane sums here, not in a helper: a vector passed to a method C2 does not inline (a
        // cold call site inlines 35 bytecodes at most) is boxed, and the boxes were allocated
        // inside the loop (2.5x slower).
        a0.add(a1).intoArray(lanes, 0);
        out[o] = tail(sumLanes(lanes), w, 0, x, x0, i, n);
        b0.add(b1).intoArray(lanes, 0);
        out[o + stride] = tail(sumLanes(lanes), w, 0, x, x1, i, n);
        c0.add(c1).intoArray(lanes, 0);
        out[o + 2 * stride] = tail(sumLanes(lanes), w, 0, x, x2, i, n);
        d0.add(d1).intoArray(lanes, 0);
        out[o + 3 * stride] = tail(sumLanes(lanes), w, 0, x, x3, i, n);
        e0.add(e1).intoArray(lanes, 0);
        out[o + 1] = tail(sumLanes(lanes), w, w1, x, x0, i, n);
        f0.add(f1).intoArray(lanes, 0);
        out[o + stride + 1] = tail(sumLanes(lanes), w, w1, x, x1, i, n);
        g0.add(g1).intoArray(lanes, 0);
        out[o + 2 * stride + 1] = tail(sumLanes(lanes), w, w1, x, x2, i, n);
        h0.add(h1).intoArray(lanes, 0);
        out[o + 3 * stride + 1] = tail(sumLanes(lanes), w, w1, x, x3, i, n);
    }

    /** s plus the scalar products of elements [i, n): dot1's ending. */
    private static float tail(float s, MemorySegment w, long w0, MemorySegment x, long x0, int i, int n) {
        for (; i < n; i++) {
            s += get(w, w0 + i) * get(x, x0 + i);
        }
        return s;
    }
}
