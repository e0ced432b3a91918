package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorWidth.F;
import static io.sparkinfer.kernels.VectorWidth.G;
import static io.sparkinfer.kernels.VectorWidth.sumLanes;

import io.sparkinfer.tensor.WeightMatrix;
import jdk.incubator.vector.FloatVector;

/**
 * Matmul for weights computed in floats (F32, F16, BF16, Q4_K, Q6_K): each row is decoded once
 * into a float scratch row (it stays in L1 while every token uses it), then dotted with 4 tokens
 * at a time. Each token has two accumulators (even and odd vectors) to hide FMA latency; the
 * single-token kernel has the same two, so results do not depend on the batch.
 */
final class VectorFloatMatmul {
    private VectorFloatMatmul() {
    }

    /** Rows [from, to) of out for all tokens; scratch: {@code row} (>= cols floats), {@code raw} (>= row bytes), {@code lanes}. */
    static void rows(WeightMatrix w, float[] x, int nTokens, float[] out, int from, int to, float[] row, byte[] raw,
                     float[] lanes) {
        int rows = w.rows();
        int cols = w.cols();
        long rowBytes = w.rowBytes();
        for (int r = from; r < to; r++) {
            VectorRowDecoder.decode(w.type(), w.data(), r * rowBytes, row, 0, cols, raw);
            int t = 0;
            for (; t + 4 <= nTokens; t += 4) {
                dot4(row, x, t * cols, cols, out, t * rows + r, rows, lanes);
            }
            for (; t < nTokens; t++) {
                out[t * rows + r] = dot1(row, x, t * cols, cols, lanes);
            }
        }
    }

    static float dot1(float[] w, float[] x, int x0, int n, float[] lanes) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int i = 0;
        int bound2 = n - n % (2 * G);
        for (; i < bound2; i += 2 * G) {
            FloatVector w0 = FloatVector.fromArray(F, w, i);
            FloatVector w1 = FloatVector.fromArray(F, w, i + G);
            a0 = w0.fma(FloatVector.fromArray(F, x, x0 + i), a0);
            a1 = w1.fma(FloatVector.fromArray(F, x, x0 + i + G), a1);
        }
        for (; i < F.loopBound(n); i += G) {
            a0 = FloatVector.fromArray(F, w, i).fma(FloatVector.fromArray(F, x, x0 + i), a0);
        }
        a0.add(a1).intoArray(lanes, 0);
        float s = sumLanes(lanes);
        for (; i < n; i++) {
            s += w[i] * x[x0 + i];
        }
        return s;
    }

    /** Four consecutive tokens (activations at x0, x0 + n, ...), results at out[o], out[o + stride], ... */
    static void dot4(float[] w, float[] x, int x0, int n, float[] out, int o, int stride, float[] lanes) {
        int x1 = x0 + n;
        int x2 = x1 + n;
        int x3 = x2 + n;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector b0 = FloatVector.zero(F);
        FloatVector b1 = FloatVector.zero(F);
        FloatVector c0 = FloatVector.zero(F);
        FloatVector c1 = FloatVector.zero(F);
        FloatVector d0 = FloatVector.zero(F);
        FloatVector d1 = FloatVector.zero(F);
        int i = 0;
        int bound2 = n - n % (2 * G);
        for (; i < bound2; i += 2 * G) {
            FloatVector w0 = FloatVector.fromArray(F, w, i);
            FloatVector w1 = FloatVector.fromArray(F, w, i + G);
            a0 = w0.fma(FloatVector.fromArray(F, x, x0 + i), a0);
            a1 = w1.fma(FloatVector.fromArray(F, x, x0 + i + G), a1);
            b0 = w0.fma(FloatVector.fromArray(F, x, x1 + i), b0);
            b1 = w1.fma(FloatVector.fromArray(F, x, x1 + i + G), b1);
            c0 = w0.fma(FloatVector.fromArray(F, x, x2 + i), c0);
            c1 = w1.fma(FloatVector.fromArray(F, x, x2 + i + G), c1);
            d0 = w0.fma(FloatVector.fromArray(F, x, x3 + i), d0);
            d1 = w1.fma(FloatVector.fromArray(F, x, x3 + i + G), d1);
        }
        for (; i < F.loopBound(n); i += G) {
            FloatVector w0 = FloatVector.fromArray(F, w, i);
            a0 = w0.fma(FloatVector.fromArray(F, x, x0 + i), a0);
            b0 = w0.fma(FloatVector.fromArray(F, x, x1 + i), b0);
            c0 = w0.fma(FloatVector.fromArray(F, x, x2 + i), c0);
            d0 = w0.fma(FloatVector.fromArray(F, x, x3 + i), d0);
        }
        a0.add(a1).intoArray(lanes, 0);
        float sa = sumLanes(lanes);
        b0.add(b1).intoArray(lanes, 0);
        float sb = sumLanes(lanes);
        c0.add(c1).intoArray(lanes, 0);
        float sc = sumLanes(lanes);
        d0.add(d1).intoArray(lanes, 0);
        float sd = sumLanes(lanes);
        for (int j = i; j < n; j++) {
            sa += w[j] * x[x0 + j];
            sb += w[j] * x[x1 + j];
            sc += w[j] * x[x2 + j];
            sd += w[j] * x[x3 + j];
        }
        out[o] = sa;
        out[o + stride] = sb;
        out[o + 2 * stride] = sc;
        out[o + 3 * stride] = sd;
    }
}
