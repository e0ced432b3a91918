package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.WeightMatrix;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * VectorKernels against ScalarKernels for every method and tensor type at awkward sizes, random
 * and extreme values. Element-wise kernels must agree bit for bit; reductions within
 * {@code REL * sum|terms|} (float summation order is the only difference, see VectorKernels;
 * for the types with a min term its terms count too, {@link KernelTestData#minTermMagnitude}).
 */
class KernelEquivalenceTest {
    /** Relative tolerance of a reordered float sum, against the sum of the absolute terms. */
    private static final double REL = 1e-5;
    /** exp differs by a few ulp between Math.exp and the Vector API's. */
    private static final double EXP_REL = 1e-6;

    private static final GGMLType[] TYPES = {
            GGMLType.F32, GGMLType.F16, GGMLType.BF16, GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.Q4_K, GGMLType.Q6_K,
            GGMLType.Q3_K, GGMLType.Q2_K, GGMLType.Q5_0, GGMLType.Q5_1, GGMLType.Q4_1, GGMLType.Q5_K};
    private static final int[] ROWS = {1, 31, 33, 207};
    private static final int[] TOKENS = {1, 3, 16};

    private final ScalarKernels scalar = new ScalarKernels();
    private final VectorKernels vector = new VectorKernels();

    private static int[] colsFor(GGMLType type) {
        return type.blockSize == 256 ? new int[] {256, 4096, 4352}
                : type.blockSize == 32 ? new int[] {32, 64, 256, 4096, 4352}
                : new int[] {1, 31, 32, 33, 207, 4098};
    }

    @Test
    void matmulMatchesScalarForEveryType() {
        Random rnd = new Random(1);
        for (GGMLType type : TYPES) {
            for (int cols : colsFor(type)) {
                for (int rows : ROWS) {
                    if ((long) rows * cols > 400_000 && rows > 33) {
                        continue; // 207 x 4096+ adds time, not coverage
                    }
                    for (int nTokens : TOKENS) {
                        int kind = (rows + nTokens) % 2; // alternate plain and extreme values
                        WeightMatrix w = KernelTestData.matrix(rnd, type, rows, cols, kind);
                        float[] x = KernelTestData.floats(rnd, nTokens * cols, kind);
                        checkMatmul(w, x, nTokens);
                    }
                }
            }
        }
    }

    @Test
    void matmulOnTallMatrix() {
        Random rnd = new Random(2);
        for (GGMLType type : TYPES) {
            int cols = type.blockSize == 1 ? 4098 : 4352;
            checkMatmul(KernelTestData.matrix(rnd, type, 207, cols, 0), KernelTestData.floats(rnd, 3 * cols, 0), 3);
        }
    }

    private void checkMatmul(WeightMatrix w, float[] x, int nTokens) {
        KernelTestData.assertMatchesScalar(scalar, vector, w, x, nTokens, REL);
    }

    @Test
    void dequantizeRowIsBitIdentical() {
        Random rnd = new Random(3);
        for (GGMLType type : TYPES) {
            for (int cols : colsFor(type)) {
                WeightMatrix w = KernelTestData.matrix(rnd, type, 3, cols, 1);
                float[] s = new float[cols + 5];
                float[] v = new float[cols + 5];
                for (int r = 0; r < 3; r++) {
                    scalar.dequantizeRow(w, r, s, 5);
                    vector.dequantizeRow(w, r, v, 5);
                    assertArrayEquals(s, v, type + " cols " + cols);
                }
            }
        }
    }

    @Test
    void f16DecodeCoversEveryBitPattern() {
        int n = 65536;
        byte[] bytes = new byte[2 * n];
        for (int i = 0; i < n; i++) {
            bytes[2 * i] = (byte) i;
            bytes[2 * i + 1] = (byte) (i >>> 8);
        }
        WeightMatrix w = new WeightMatrix("all-f16", GGMLType.F16, 1, n,
                java.lang.foreign.MemorySegment.ofArray(bytes));
        float[] v = new float[n];
        vector.dequantizeRow(w, 0, v, 0);
        for (int i = 0; i < n; i++) {
            float expected = Float.float16ToFloat((short) i);
            int bits = i;
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(v[i]),
                    () -> "f16 bits 0x" + Integer.toHexString(bits));
        }
    }

    @Test
    void elementwiseKernelsAreBitIdentical() {
        Random rnd = new Random(4);
        for (int n : KernelTestData.SIZES) {
            for (int kind = 0; kind < 2; kind++) {
                float[] x = KernelTestData.floats(rnd, n + 3, kind);
                float[] y = KernelTestData.floats(rnd, n + 2, kind);
                float[] ys = y.clone();
                float[] yv = y.clone();
                scalar.axpy(ys, 2, 0.37f, x, 3, n);
                vector.axpy(yv, 2, 0.37f, x, 3, n);
                assertArrayEquals(ys, yv, "axpy " + n);
                scalar.add(ys, 1, x, 2, n);
                vector.add(yv, 1, x, 2, n);
                assertArrayEquals(ys, yv, "add " + n);
            }
        }
    }

    @Test
    void dotMatches() {
        Random rnd = new Random(5);
        for (int n : KernelTestData.SIZES) {
            for (int kind = 0; kind < 2; kind++) {
                float[] a = KernelTestData.floats(rnd, n + 1, kind);
                float[] b = KernelTestData.floats(rnd, n + 2, kind);
                double mag = 0;
                for (int i = 0; i < n; i++) {
                    mag += Math.abs((double) a[1 + i] * b[2 + i]);
                }
                float s = scalar.dot(a, 1, b, 2, n);
                float v = vector.dot(a, 1, b, 2, n);
                assertEquals(s, v, REL * mag + 1e-30, "dot " + n);
            }
        }
    }

    @Test
    void rmsnormMatches() {
        Random rnd = new Random(6);
        for (int n : KernelTestData.SIZES) {
            float[] x = KernelTestData.floats(rnd, n + 1, 0);
            float[] wt = KernelTestData.floats(rnd, n, 0);
            float[] s = new float[n + 2];
            float[] v = new float[n + 2];
            scalar.rmsnorm(s, 2, x, 1, wt, n, 1e-5f);
            vector.rmsnorm(v, 2, x, 1, wt, n, 1e-5f);
            for (int i = 0; i < n + 2; i++) {
                assertEquals(s[i], v[i], 1e-5 * Math.abs(s[i]) + 1e-30, "rmsnorm " + n + " [" + i + "]");
            }
        }
    }

    @Test
    void softmaxAndSwigluMatch() {
        Random rnd = new Random(7);
        for (int n : KernelTestData.SIZES) {
            float[] x = KernelTestData.floats(rnd, n + 1, 0);
            for (int i = 0; i < x.length; i++) {
                x[i] *= 8; // logits spread wide enough that exp underflows for some
            }
            float[] s = x.clone();
            float[] v = x.clone();
            scalar.softmax(s, 1, n);
            vector.softmax(v, 1, n);
            for (int i = 0; i < n + 1; i++) {
                assertEquals(s[i], v[i], 1e-5 * Math.abs(s[i]) + 1e-30, "softmax " + n + " [" + i + "]");
            }
            float[] up = KernelTestData.floats(rnd, n, 0);
            float[] gs = x.clone();
            float[] gv = x.clone();
            scalar.swiglu(gs, 1, up, 0, n);
            vector.swiglu(gv, 1, up, 0, n);
            for (int i = 0; i < n + 1; i++) {
                assertEquals(gs[i], gv[i], EXP_REL * Math.abs(gs[i]) + 1e-30, "swiglu " + n + " [" + i + "]");
            }
        }
    }

    @Test
    void ropeIsBitIdentical() {
        Random rnd = new Random(8);
        for (boolean neox : new boolean[] {false, true}) {
            for (int headDim : new int[] {2, 32, 64, 66, 128}) {
                for (int ropeDim : new int[] {headDim, headDim / 2}) {
                    float[] cos = KernelTestData.floats(rnd, 200, 0);
                    float[] sin = KernelTestData.floats(rnd, 200, 0);
                    float[] x = KernelTestData.floats(rnd, headDim + 3, 0);
                    float[] s = x.clone();
                    float[] v = x.clone();
                    scalar.rope(s, 3, ropeDim, cos, sin, 7, neox);
                    vector.rope(v, 3, ropeDim, cos, sin, 7, neox);
                    assertArrayEquals(s, v, "rope neox=" + neox + " " + headDim + "/" + ropeDim);
                }
            }
        }
    }
}
