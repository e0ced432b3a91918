package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorWidth.F;
import static io.sparkinfer.kernels.VectorWidth.G;
import static io.sparkinfer.kernels.VectorWidth.sumLanes;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.WeightMatrix;
import jdk.incubator.vector.FloatVector;

/**
 * Matmul computed in floats for every weight type. Rows are decoded two at a time into a float
 * scratch (they stay in L1 while the tokens use them) and multiplied by tiles of 2 rows x 4
 * tokens: each step of 2G elements loads 4 weight and 8 activation vectors for 16 FMAs, where a
 * 1-row tile needs 10 loads for 8. Every (row, token) dot has two accumulators, even G-chunks and
 * odd G-chunks, summed at the end: {@link #dot1} (one row, one token), {@link #dot2x4} and the
 * fused decode kernels of {@link VectorQuantDot} do exactly the same float operations per
 * (row, token), so results do not depend on the batch or on how rows are split among threads.
 *
 * <p>Decode steps of Q8_0/Q4_0 (fewer than 4 tokens) skip the scratch row and read the mapping
 * directly ({@link VectorQuantDot}): the decoded row would be written and read back for one use.
 */
final class VectorFloatMatmul {
    private VectorFloatMatmul() {
    }

    /**
     * Rows [from, to) of out for all tokens; scratch: {@code row} (>= 2 * cols floats),
     * {@code raw} (>= row bytes), {@code lanes} (G floats).
     */
    static void rows(WeightMatrix w, float[] x, int nTokens, float[] out, int from, int to, float[] row, byte[] raw,
                     float[] lanes) {
        int rows = w.rows();
        int cols = w.cols();
        long rowBytes = w.rowBytes();
        GGMLType type = w.type();
        if (nTokens < 4 && (type == GGMLType.Q8_0 || type == GGMLType.Q4_0)) {
            boolean q8 = type == GGMLType.Q8_0;
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
            return;
        }
        int block = tokenBlock(cols);
        for (int t0 = 0; t0 < nTokens; t0 += block) {
            rowsForTokens(w, x, t0, Math.min(nTokens, t0 + block), out, from, to, row, raw, lanes);
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
    private static void rowsForTokens(WeightMatrix w, float[] x, int t0, int t1, float[] out, int from, int to,
                                      float[] row, byte[] raw, float[] lanes) {
        int rows = w.rows();
        int cols = w.cols();
        long rowBytes = w.rowBytes();
        GGMLType type = w.type();
        int r = from;
        for (; r + 2 <= to; r += 2) {
            VectorRowDecoder.decode(type, w.data(), r * rowBytes, row, 0, cols, raw);
            VectorRowDecoder.decode(type, w.data(), (r + 1) * rowBytes, row, cols, cols, raw);
            int t = t0;
            for (; t + 4 <= t1; t += 4) {
                dot2x4(row, cols, x, t * cols, cols, out, t * rows + r, rows, lanes);
            }
            for (; t < t1; t++) {
                out[t * rows + r] = dot1(row, 0, x, t * cols, cols, lanes);
                out[t * rows + r + 1] = dot1(row, cols, x, t * cols, cols, lanes);
            }
        }
        if (r < to) {
            VectorRowDecoder.decode(type, w.data(), r * rowBytes, row, 0, cols, raw);
            for (int t = t0; t < t1; t++) {
                out[t * rows + r] = dot1(row, 0, x, t * cols, cols, lanes);
            }
        }
    }

    /** Row w[w0 ..) dotted with x[x0 ..), n elements. */
    static float dot1(float[] w, int w0, float[] x, int x0, int n, float[] lanes) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int i = 0;
        int bound2 = n - n % (2 * G);
        for (; i < bound2; i += 2 * G) {
            a0 = FloatVector.fromArray(F, w, w0 + i).fma(FloatVector.fromArray(F, x, x0 + i), a0);
            a1 = FloatVector.fromArray(F, w, w0 + i + G).fma(FloatVector.fromArray(F, x, x0 + i + G), a1);
        }
        for (; i < F.loopBound(n); i += G) {
            a0 = FloatVector.fromArray(F, w, w0 + i).fma(FloatVector.fromArray(F, x, x0 + i), a0);
        }
        a0.add(a1).intoArray(lanes, 0);
        float s = sumLanes(lanes);
        for (; i < n; i++) {
            s += w[w0 + i] * x[x0 + i];
        }
        return s;
    }

    /**
     * Rows w[0 ..) and w[n ..) times four consecutive tokens (activations at x0, x0 + n, ...);
     * results at out[o + t * stride] (first row) and out[o + t * stride + 1] (second row).
     * Written out by hand: 16 accumulators, 4 weight vectors and 2 activation vectors fit in
     * AVX-512's 32 registers.
     */
    static void dot2x4(float[] w, int n, float[] x, int x0, int xs, float[] out, int o, int stride, float[] lanes) {
        int x1 = x0 + xs;
        int x2 = x1 + xs;
        int x3 = x2 + xs;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        FloatVector e0 = a0, e1 = a0, f0 = a0, f1 = a0, g0 = a0, g1 = a0, h0 = a0, h1 = a0;
        int i = 0;
        int bound2 = n - n % (2 * G);
        for (; i < bound2; i += 2 * G) {
            FloatVector u0 = FloatVector.fromArray(F, w, i);
            FloatVector u1 = FloatVector.fromArray(F, w, i + G);
            FloatVector v0 = FloatVector.fromArray(F, w, n + i);
            FloatVector v1 = FloatVector.fromArray(F, w, n + i + G);
            FloatVector y0 = FloatVector.fromArray(F, x, x0 + i);
            FloatVector y1 = FloatVector.fromArray(F, x, x0 + i + G);
            a0 = u0.fma(y0, a0);
            a1 = u1.fma(y1, a1);
            e0 = v0.fma(y0, e0);
            e1 = v1.fma(y1, e1);
            y0 = FloatVector.fromArray(F, x, x1 + i);
            y1 = FloatVector.fromArray(F, x, x1 + i + G);
            b0 = u0.fma(y0, b0);
            b1 = u1.fma(y1, b1);
            f0 = v0.fma(y0, f0);
            f1 = v1.fma(y1, f1);
            y0 = FloatVector.fromArray(F, x, x2 + i);
            y1 = FloatVector.fromArray(F, x, x2 + i + G);
            c0 = u0.fma(y0, c0);
            c1 = u1.fma(y1, c1);
            g0 = v0.fma(y0, g0);
            g1 = v1.fma(y1, g1);
            y0 = FloatVector.fromArray(F, x, x3 + i);
            y1 = FloatVector.fromArray(F, x, x3 + i + G);
            d0 = u0.fma(y0, d0);
            d1 = u1.fma(y1, d1);
            h0 = v0.fma(y0, h0);
            h1 = v1.fma(y1, h1);
        }
        if (i < F.loopBound(n)) {
            // One G-chunk left (even index): into the first accumulators, as dot1 does.
            FloatVector u0 = FloatVector.fromArray(F, w, i);
            FloatVector v0 = FloatVector.fromArray(F, w, n + i);
            FloatVector y0 = FloatVector.fromArray(F, x, x0 + i);
            a0 = u0.fma(y0, a0);
            e0 = v0.fma(y0, e0);
            y0 = FloatVector.fromArray(F, x, x1 + i);
            b0 = u0.fma(y0, b0);
            f0 = v0.fma(y0, f0);
            y0 = FloatVector.fromArray(F, x, x2 + i);
            c0 = u0.fma(y0, c0);
            g0 = v0.fma(y0, g0);
            y0 = FloatVector.fromArray(F, x, x3 + i);
            d0 = u0.fma(y0, d0);
            h0 = v0.fma(y0, h0);
            i += G;
        }
        out[o] = finish(a0, a1, w, 0, x, x0, i, n, lanes);
        out[o + stride] = finish(b0, b1, w, 0, x, x1, i, n, lanes);
        out[o + 2 * stride] = finish(c0, c1, w, 0, x, x2, i, n, lanes);
        out[o + 3 * stride] = finish(d0, d1, w, 0, x, x3, i, n, lanes);
        out[o + 1] = finish(e0, e1, w, n, x, x0, i, n, lanes);
        out[o + stride + 1] = finish(f0, f1, w, n, x, x1, i, n, lanes);
        out[o + 2 * stride + 1] = finish(g0, g1, w, n, x, x2, i, n, lanes);
        out[o + 3 * stride + 1] = finish(h0, h1, w, n, x, x3, i, n, lanes);
    }

    /** Sum of the two accumulators' lanes in order, plus the scalar tail from i: dot1's ending. */
    private static float finish(FloatVector a0, FloatVector a1, float[] w, int w0, float[] x, int x0, int i, int n,
                                float[] lanes) {
        a0.add(a1).intoArray(lanes, 0);
        float s = sumLanes(lanes);
        for (; i < n; i++) {
            s += w[w0 + i] * x[x0 + i];
        }
        return s;
    }
}
