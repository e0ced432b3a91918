package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.TensorCodec;
import io.sparkinfer.tensor.WeightMatrix;
import java.util.Arrays;
import java.util.Random;

/** Random and extreme inputs shared by the kernel tests. */
final class KernelTestData {
    /** Sizes every element-wise kernel is checked at (STYLE.md 5). */
    static final int[] SIZES = {1, 31, 32, 33, 207, 4098};

    private KernelTestData() {
    }

    /** Gaussian values, or with {@code kind} 1 a mix of huge, tiny, zero and negative ones. */
    static float[] floats(Random rnd, int n, int kind) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (kind) {
                case 0 -> (float) rnd.nextGaussian();
                default -> switch (rnd.nextInt(5)) {
                    case 0 -> 0f;
                    case 1 -> (float) (rnd.nextGaussian() * 1e4);
                    case 2 -> (float) (rnd.nextGaussian() * 1e-20);
                    case 3 -> -Math.abs((float) rnd.nextGaussian());
                    default -> (float) rnd.nextGaussian();
                };
            };
        }
        return v;
    }

    static WeightMatrix matrix(Random rnd, GGMLType type, int rows, int cols, int kind) {
        return TensorCodec.quantize("w", type, floats(rnd, rows * cols, kind), rows, cols);
    }

    /** {@code sum |w[r][c] * x[t][c]|} of the dequantized weights: the scale of a dot's rounding error. */
    static double magnitude(float[] wRow, float[] x, int xOff) {
        double m = 0;
        for (int c = 0; c < wRow.length; c++) {
            m += Math.abs((double) wRow[c] * x[xOff + c]);
        }
        return m;
    }

    /**
     * The scalar reference of an integer type (Q4_K, Q5_K, Q6_K) on n tokens of x: the dot of the
     * exactly decoded weights with the quantized activations {@code dx * xq} to float rounding
     * (1e-5 of the terms' magnitude), and within half an int8 step per element of the dot with
     * the float activations.
     */
    static void assertIntegerReference(WeightMatrix w, float[] x, int n) {
        int rows = w.rows();
        int cols = w.cols();
        float[] weights = new float[rows * cols];
        TensorCodec.dequantize(w.type(), w.data(), 0, weights, 0, rows * cols);
        float[] out = new float[n * rows];
        new ScalarKernels().matmul(w, x, n, out);
        int[] q = new int[32];
        for (int t = 0; t < n; t++) {
            double[] xq = new double[cols];
            double[] halfStep = new double[cols];
            for (int b = 0; b < cols / 32; b++) {
                float dx = Q8Activations.quantizeBlock(x, t * cols + b * 32, q);
                for (int e = 0; e < 32; e++) {
                    xq[b * 32 + e] = (double) dx * q[e];
                    halfStep[b * 32 + e] = dx / 2.0;
                }
            }
            for (int r = 0; r < rows; r++) {
                double quantized = 0;
                double plain = 0;
                double magnitude = 0;
                double bound = 0;
                for (int c = 0; c < cols; c++) {
                    double wv = weights[r * cols + c];
                    quantized += wv * xq[c];
                    plain += wv * x[t * cols + c];
                    magnitude += Math.abs(wv * xq[c]);
                    bound += Math.abs(wv) * halfStep[c];
                }
                float got = out[t * rows + r];
                String where = w.type() + " token " + t + " row " + r;
                assertEquals(quantized, got, 1e-5 * magnitude, where + ": not the dot with dx * xq");
                assertTrue(Math.abs(plain - got) <= bound + 1e-5 * magnitude, where + ": beyond the int8 rounding");
            }
        }
    }

    /**
     * vector's matmul of x's n tokens against scalar's, per (token, row) within rel of the terms'
     * magnitude (and of the min term's, {@link #minTermMagnitude}): float summation order is the
     * only difference between the tiers.
     */
    static void assertMatchesScalar(Kernels scalar, Kernels vector, WeightMatrix w, float[] x, int n, double rel) {
        int rows = w.rows();
        int cols = w.cols();
        float[] s = new float[n * rows];
        float[] v = new float[n * rows];
        scalar.matmul(w, x, n, s);
        vector.matmul(w, x, n, v);
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            scalar.dequantizeRow(w, r, row, 0);
            for (int t = 0; t < n; t++) {
                double tol = rel * (magnitude(row, x, t * cols) + minTermMagnitude(w, r, x, t * cols)) + 1e-30;
                int i = t * rows + r;
                assertTrue(Math.abs(s[i] - v[i]) <= tol, () -> w.type() + " " + rows + "x" + cols + " tokens " + n
                        + " [" + i + "]: scalar " + s[i] + " vector " + v[i] + " tol " + tol);
            }
        }
    }

    /** Each of x's n tokens gets, inside one matmul of all n through k, the bits it gets alone. */
    static void assertBatchedBitsEqualSingle(Kernels k, WeightMatrix w, float[] x, int n) {
        int rows = w.rows();
        int cols = w.cols();
        float[] batch = new float[n * rows];
        k.matmul(w, x, n, batch);
        float[] one = new float[rows];
        for (int t = 0; t < n; t++) {
            k.matmul(w, Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1, one);
            for (int r = 0; r < rows; r++) {
                assertEquals(Float.floatToRawIntBits(one[r]), Float.floatToRawIntBits(batch[t * rows + r]),
                        w.type() + " token " + t + " row " + r);
            }
        }
    }

    /**
     * For the types whose integer dots carry a min term ({@code c * dx * sum(xq)} per 32-element
     * block: Q4_1, Q5_1, Q4_K, Q5_K; Q2_K per 16), {@code sum over blocks of |c| * sum |x|}; 0 for the others.
     * That term and the block's {@code d * S} part can each be far larger than {@code sum |w x|}
     * and cancel (large |x| where |w| is small), so a reordered sum's rounding scales with it
     * (llama.cpp's Q4_1 / K-quant dots have the same terms).
     */
    static double minTermMagnitude(WeightMatrix w, int row, float[] x, int xOff) {
        double m = 0;
        long base = row * w.rowBytes();
        for (int b = 0; b < w.cols() / 32; b++) {
            double c = switch (w.type()) {
                case Q4_1, Q5_1 -> {
                    long o = base + (long) b * w.type().typeSize;
                    float d = Float.float16ToFloat(w.data().get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, o));
                    float min = Float.float16ToFloat(w.data().get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, o + 2));
                    yield (w.type() == GGMLType.Q5_1 ? 16 : 8) * (double) d + min;
                }
                case Q4_K, Q5_K -> {
                    long o = base + (long) (b / 8) * w.type().typeSize;
                    int j = b % 8;
                    float d = Float.float16ToFloat(w.data().get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, o));
                    float dmin = Float.float16ToFloat(w.data().get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, o + 2));
                    int center = w.type() == GGMLType.Q5_K ? 16 : 8;
                    yield center * (double) d * io.sparkinfer.tensor.Q4_KCodec.scale(w.data(), o + 4, j)
                            - (double) dmin * io.sparkinfer.tensor.Q4_KCodec.min(w.data(), o + 4, j);
                }
                case Q2_K -> { // the larger of the block's two sub-block mins
                    long o = base + (long) (b / 8) * w.type().typeSize;
                    int j = b % 8;
                    yield (double) io.sparkinfer.tensor.Q2_KCodec.dmin(w.data(), o)
                            * Math.max(io.sparkinfer.tensor.Q2_KCodec.min(w.data(), o, 2 * j),
                                    io.sparkinfer.tensor.Q2_KCodec.min(w.data(), o, 2 * j + 1));
                }
                default -> 0;
            };
            double sx = 0;
            for (int e = 0; e < 32; e++) {
                sx += Math.abs(x[xOff + b * 32 + e]);
            }
            m += Math.abs(c) * sx;
        }
        return m;
    }
}
