package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.TensorCodec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The vector kernels against the scalar reference at awkward sizes, random and extreme values.
 * Tolerances: Q8_0 / Q4_0 matmul 0 (bit-identical by construction: both run the same integer
 * products and the same float operations in the same order); float matmul and reductions
 * 1e-4 relative to the magnitude of the terms (the vector code sums in a different order);
 * element-wise kernels 1e-6 relative.
 */
class KernelEquivalenceTest {
    static final int[] SIZES = {1, 31, 32, 33, 207, 4098};
    static final int[] TOKENS = {1, 3, 16};
    final Kernels scalar = new ScalarKernels();
    final Kernels vector = new VectorKernels();
    final SplittableRandom rnd = new SplittableRandom(42);

    float[] random(int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian() * scale);
        }
        return a;
    }

    WeightMatrix matrix(GGMLType type, int rows, int cols, float[] values) {
        return new WeightMatrix("w", type, rows, cols, TensorCodec.quantizeMatrix(type, values, rows, cols));
    }

    WeightMatrix randomKQuant(GGMLType type, int rows, int cols) {
        // Random bytes are valid K-quant blocks once the f16 scales are made finite and small.
        byte[] b = new byte[Math.toIntExact(rows * type.byteSize(cols))];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        MemorySegment s = MemorySegment.ofArray(b);
        int blocks = rows * cols / 256;
        for (int k = 0; k < blocks; k++) {
            long base = (long) k * type.typeSize;
            if (type == GGMLType.Q4_K) {
                s.set(VectorKernels.LE_SHORT, base, Float.floatToFloat16(0.01f));
                s.set(VectorKernels.LE_SHORT, base + 2, Float.floatToFloat16(0.002f));
            } else {
                s.set(VectorKernels.LE_SHORT, base + 208, Float.floatToFloat16(0.001f));
            }
        }
        return new WeightMatrix("k", type, rows, cols, s);
    }

    @Test
    void quantizedMatmulIsBitIdentical() {
        for (GGMLType type : new GGMLType[] {GGMLType.Q8_0, GGMLType.Q4_0}) {
            for (int cols : new int[] {32, 64, 256, 4096, 4352}) {
                for (int rows : new int[] {1, 31, 33, 207}) {
                    if ((long) rows * cols > 300_000) {
                        continue;
                    }
                    WeightMatrix w = matrix(type, rows, cols, random(rows * cols, 0.1));
                    for (int n : TOKENS) {
                        float[] x = random(n * cols, 1.0);
                        float[] a = new float[n * rows], b = new float[n * rows];
                        scalar.matmul(w, x, n, a);
                        vector.matmul(w, x, n, b);
                        assertArrayEquals(a, b, 0f, type + " " + rows + "x" + cols + " n=" + n);
                    }
                }
            }
        }
    }

    @Test
    void quantizedMatmulIsCloseToTheFloatProduct() {
        // The int8 activations cost accuracy; bound it against dequantized weights x float activations.
        int rows = 33, cols = 256;
        for (GGMLType type : new GGMLType[] {GGMLType.Q8_0, GGMLType.Q4_0}) {
            WeightMatrix w = matrix(type, rows, cols, random(rows * cols, 0.1));
            float[] x = random(cols, 1.0);
            float[] got = new float[rows];
            vector.matmul(w, x, 1, got);
            float[] row = new float[cols];
            for (int r = 0; r < rows; r++) {
                scalar.dequantizeRow(w, r, row, 0);
                double exact = 0, mag = 0;
                for (int c = 0; c < cols; c++) {
                    exact += row[c] * x[c];
                    mag += Math.abs(row[c] * x[c]);
                }
                assertEquals(exact, got[r], 0.01 * mag, type + " row " + r);
            }
        }
    }

    @Test
    void floatAndKQuantMatmulsAgree() {
        for (GGMLType type : new GGMLType[] {GGMLType.F32, GGMLType.F16, GGMLType.BF16, GGMLType.Q4_K, GGMLType.Q6_K}) {
            int[] colsList = type.blockSize == 256 ? new int[] {256, 4352} : SIZES;
            for (int cols : colsList) {
                for (int rows : new int[] {1, 31, 33, 207}) {
                    if ((long) rows * cols > 300_000) {
                        continue;
                    }
                    WeightMatrix w = type.blockSize == 256 ? randomKQuant(type, rows, cols)
                            : matrix(type, rows, cols, random(rows * cols, 0.1));
                    for (int n : TOKENS) {
                        float[] x = random(n * cols, 1.0);
                        float[] a = new float[n * rows], b = new float[n * rows];
                        scalar.matmul(w, x, n, a);
                        vector.matmul(w, x, n, b);
                        float[] row = new float[cols];
                        for (int t = 0; t < n; t++) {
                            for (int r = 0; r < rows; r++) {
                                scalar.dequantizeRow(w, r, row, 0);
                                double mag = 0;
                                for (int c = 0; c < cols; c++) {
                                    mag += Math.abs(row[c] * x[t * cols + c]);
                                }
                                assertEquals(a[t * rows + r], b[t * rows + r], 1e-4 * mag + 1e-6,
                                        type + " " + rows + "x" + cols + " n=" + n);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void matmulIsBatchInvariant() {
        for (Kernels k : new Kernels[] {scalar, vector}) {
            for (GGMLType type : new GGMLType[] {GGMLType.F32, GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.F16}) {
                int rows = 207, cols = 256;
                WeightMatrix w = matrix(type, rows, cols, random(rows * cols, 0.1));
                float[] x = random(16 * cols, 1.0);
                float[] batch = new float[16 * rows];
                k.matmul(w, x, 16, batch);
                for (int t = 0; t < 16; t++) {
                    float[] one = new float[rows];
                    k.matmul(w, java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1, one);
                    assertArrayEquals(one, java.util.Arrays.copyOfRange(batch, t * rows, (t + 1) * rows), 0f,
                            k.name() + " " + type + " token " + t);
                }
            }
        }
    }

    @Test
    void elementwiseKernelsAgree() {
        for (int n : SIZES) {
            float[] x = random(n, 3.0), y = random(n, 3.0), wgt = random(n, 1.0);
            assertEquals(scalar.dot(x, 0, y, 0, n), vector.dot(x, 0, y, 0, n), 1e-4 * n);

            float[] a = new float[n], b = new float[n];
            scalar.rmsnorm(a, 0, x, 0, wgt, n, 1e-5f);
            vector.rmsnorm(b, 0, x, 0, wgt, n, 1e-5f);
            assertArrayEquals(a, b, 1e-4f);
            double ss = 0;
            for (float v : x) {
                ss += (double) v * v;
            }
            double inv = 1 / Math.sqrt(ss / n + 1e-5);
            for (int i = 0; i < n; i++) {
                assertEquals(x[i] * inv * wgt[i], b[i], 1e-4 * (1 + Math.abs(b[i])));
            }

            float[] s1 = x.clone(), s2 = x.clone();
            scalar.softmax(s1, 0, n);
            vector.softmax(s2, 0, n);
            assertArrayEquals(s1, s2, 1e-6f);
            double sum = 0;
            for (float v : s2) {
                sum += v;
            }
            assertEquals(1.0, sum, 1e-4);

            float[] g1 = x.clone(), g2 = x.clone();
            scalar.swiglu(g1, 0, y, 0, n);
            vector.swiglu(g2, 0, y, 0, n);
            for (int i = 0; i < n; i++) {
                assertEquals(g1[i], g2[i], 1e-5 * (1 + Math.abs(g1[i])));
            }

            float[] p1 = y.clone(), p2 = y.clone();
            scalar.axpy(p1, 0, 0.75f, x, 0, n);
            vector.axpy(p2, 0, 0.75f, x, 0, n);
            assertArrayEquals(p1, p2, 1e-5f);
            scalar.add(p1, 0, x, 0, n);
            vector.add(p2, 0, x, 0, n);
            assertArrayEquals(p1, p2, 1e-5f);
        }
    }

    @Test
    void extremeValuesStayFinite() {
        int n = 4098;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i % 2 == 0 ? 1e30f : -1e30f;
        }
        float[] s = x.clone();
        vector.softmax(s, 0, n);
        for (float v : s) {
            org.junit.jupiter.api.Assertions.assertTrue(Float.isFinite(v));
        }
        float[] out = new float[n];
        vector.rmsnorm(out, 0, new float[n], 0, x, n, 1e-5f); // all-zero input: no NaN
        for (float v : out) {
            assertEquals(0.0, v, 0.0);
        }
    }

    @Test
    void ropeLayoutsMatchTheFormula() {
        int dim = 16, half = 8, pos = 5;
        float[] cos = new float[half], sin = new float[half];
        for (int i = 0; i < half; i++) {
            double a = pos * Math.pow(10000, -2.0 * i / dim);
            cos[i] = (float) Math.cos(a);
            sin[i] = (float) Math.sin(a);
        }
        for (Kernels k : new Kernels[] {scalar, vector}) {
            float[] base = random(dim, 1.0);
            float[] normal = base.clone(), neox = base.clone();
            k.rope(normal, 0, dim, cos, sin, 0, false);
            k.rope(neox, 0, dim, cos, sin, 0, true);
            for (int i = 0; i < half; i++) {
                assertEquals(base[2 * i] * cos[i] - base[2 * i + 1] * sin[i], normal[2 * i], 1e-6);
                assertEquals(base[2 * i] * sin[i] + base[2 * i + 1] * cos[i], normal[2 * i + 1], 1e-6);
                assertEquals(base[i] * cos[i] - base[i + half] * sin[i], neox[i], 1e-6);
                assertEquals(base[i] * sin[i] + base[i + half] * cos[i], neox[i + half], 1e-6);
            }
        }
    }
}
