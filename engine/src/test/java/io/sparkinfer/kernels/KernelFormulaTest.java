package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Both implementations against direct double-precision formulas. */
class KernelFormulaTest {
    private final Kernels[] impls = {new ScalarKernels(), new VectorKernels()};

    @Test
    void ropeRotatesTheDocumentedPairs() {
        Random rnd = new Random(21);
        int headDim = 64;
        for (Kernels k : impls) {
            for (int ropeDim : new int[] {64, 32}) {
                for (boolean neox : new boolean[] {false, true}) {
                    int half = ropeDim / 2;
                    float[] cos = new float[half];
                    float[] sin = new float[half];
                    int pos = 7;
                    for (int i = 0; i < half; i++) {
                        double theta = pos * Math.pow(10000, -2.0 * i / ropeDim);
                        cos[i] = (float) Math.cos(theta);
                        sin[i] = (float) Math.sin(theta);
                    }
                    float[] x = KernelTestData.floats(rnd, headDim, 0);
                    float[] y = x.clone();
                    k.rope(y, 0, ropeDim, cos, sin, 0, neox);
                    for (int i = 0; i < half; i++) {
                        int a = neox ? i : 2 * i;
                        int b = neox ? i + half : 2 * i + 1;
                        double ea = (double) x[a] * cos[i] - (double) x[b] * sin[i];
                        double eb = (double) x[a] * sin[i] + (double) x[b] * cos[i];
                        String what = k.name() + " neox=" + neox + " ropeDim=" + ropeDim + " pair " + i;
                        assertEquals(ea, y[a], 1e-5, what);
                        assertEquals(eb, y[b], 1e-5, what);
                    }
                    for (int i = ropeDim; i < headDim; i++) {
                        assertEquals(x[i], y[i], 0f, k.name() + ": elements past ropeDim stay");
                    }
                }
            }
        }
    }

    @Test
    void softmaxSumsToOne() {
        Random rnd = new Random(22);
        for (Kernels k : impls) {
            for (int n : KernelTestData.SIZES) {
                float[] x = KernelTestData.floats(rnd, n, 0);
                for (int i = 0; i < n; i++) {
                    x[i] = x[i] * 20 + 1000; // large offset: only max-subtraction keeps exp finite
                }
                k.softmax(x, 0, n);
                double sum = 0;
                for (float v : x) {
                    sum += v;
                    assertEquals(true, v >= 0 && v <= 1, k.name() + " softmax value " + v);
                }
                assertEquals(1.0, sum, 1e-5, k.name() + " softmax sum, n=" + n);
            }
        }
    }

    @Test
    void rmsnormMatchesDoublePrecision() {
        Random rnd = new Random(23);
        for (Kernels k : impls) {
            for (int n : KernelTestData.SIZES) {
                float[] x = KernelTestData.floats(rnd, n, 0);
                float[] w = KernelTestData.floats(rnd, n, 0);
                double ss = 0;
                for (float v : x) {
                    ss += (double) v * v;
                }
                double scale = 1 / Math.sqrt(ss / n + 1e-6);
                float[] out = x.clone();
                k.rmsnorm(out, 0, out, 0, w, n, 1e-6f); // out aliases x, as the contract allows
                for (int i = 0; i < n; i++) {
                    double expected = x[i] * scale * w[i];
                    assertEquals(expected, out[i], 1e-5 * Math.abs(expected) + 1e-6, k.name() + " rmsnorm n=" + n);
                }
            }
        }
    }

    @Test
    void swigluIsSiluTimesUp() {
        Random rnd = new Random(24);
        for (Kernels k : impls) {
            for (int n : KernelTestData.SIZES) {
                float[] g = KernelTestData.floats(rnd, n, 0);
                float[] up = KernelTestData.floats(rnd, n, 0);
                float[] out = g.clone();
                k.swiglu(out, 0, up, 0, n);
                for (int i = 0; i < n; i++) {
                    double expected = g[i] / (1 + Math.exp(-g[i])) * up[i];
                    assertEquals(expected, out[i], 1e-5 * Math.abs(expected) + 1e-7, k.name() + " swiglu");
                }
            }
        }
    }
}
