package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.WeightMatrix;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The exactly-once contract needs batch-invariant kernels: a token's matmul output must be
 * bit-identical alone or inside a batch of 16, and with 1, 2 or 3 threads.
 */
class BatchInvarianceTest {
    private static final GGMLType[] TYPES = {
            GGMLType.F32, GGMLType.F16, GGMLType.BF16, GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.Q4_K, GGMLType.Q6_K,
            GGMLType.Q3_K, GGMLType.Q2_K, GGMLType.Q5_0, GGMLType.Q5_1, GGMLType.Q4_1, GGMLType.Q5_K};
    private static final Parallel ONE = new Parallel(1);
    private static final Parallel TWO = new Parallel(2);
    private static final Parallel THREE = new Parallel(3);

    @Test
    void vectorMatmulIsBatchAndThreadInvariant() {
        check(new VectorKernels(ONE), new VectorKernels(TWO), new VectorKernels(THREE));
    }

    @Test
    void scalarMatmulIsBatchAndThreadInvariant() {
        check(new ScalarKernels(ONE), new ScalarKernels(TWO), new ScalarKernels(THREE));
    }

    private static void check(Kernels one, Kernels two, Kernels three) {
        Random rnd = new Random(11);
        int rows = 37;
        int nTokens = 24;
        for (GGMLType type : TYPES) {
            int cols = type.blockSize == 256 ? 512 : 544;
            WeightMatrix w = KernelTestData.matrix(rnd, type, rows, cols, 0);
            float[] x = KernelTestData.floats(rnd, nTokens * cols, 1);
            float[] batch = new float[nTokens * rows];
            two.matmul(w, x, nTokens, batch);
            for (Kernels k : new Kernels[] {one, two, three}) {
                float[] again = new float[nTokens * rows];
                k.matmul(w, x, nTokens, again);
                assertBitEqual(batch, again, type + " batch of 24, threads differ");
                for (int t = 0; t < nTokens; t++) {
                    float[] single = new float[rows];
                    k.matmul(w, Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1, single);
                    assertBitEqual(Arrays.copyOfRange(batch, t * rows, (t + 1) * rows), single,
                            type + " token " + t + " alone vs in a batch");
                }
                // 24, 16, 13 and 8 tokens run the tiles (13: three 4-token tiles and one token
                // alone); 3 the 1-token kernels; 4 and 5 the small-batch kernels of Q8_0 (a group
                // of 4, then a 1-token kernel for the one left over)
                for (int n : new int[] {3, 4, 5, 8, 13, 16}) {
                    float[] part = new float[n * rows];
                    k.matmul(w, Arrays.copyOfRange(x, 5 * cols, (5 + n) * cols), n, part);
                    assertBitEqual(Arrays.copyOfRange(batch, 5 * rows, (5 + n) * rows), part, type + " batch of " + n);
                }
            }
        }
    }

    private static void assertBitEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            int idx = i;
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    () -> what + " at " + idx + ": " + expected[idx] + " vs " + actual[idx]);
        }
    }
}
