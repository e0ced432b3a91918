package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorWidth.G;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The lane sum that ends every matmul dot: {@link VectorWidth#treeSum(float[], int)} must add in the documented
 * tree order, and the 3x4 tile (which folds its 12 sums together) must give each (row, token)
 * exactly what the one-row, one-token dot gives.
 */
class TreeSumTest {
    /** The documented order, written out in scalars: lane i += lane i + h for h = G/2 .. 1. */
    private static float scalarTree(float[] lanes) {
        float[] v = lanes.clone();
        for (int h = v.length / 2; h >= 1; h /= 2) {
            for (int i = 0; i < h; i++) {
                v[i] = v[i] + v[i + h];
            }
        }
        return v[0];
    }

    private static float[] randomLanes(Random rnd) {
        float[] v = new float[G];
        for (int i = 0; i < G; i++) {
            // Mixed magnitudes, so a different order of additions would round differently.
            v[i] = (float) ((rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(7) - 3));
        }
        return v;
    }

    @Test
    void treeSumAddsInTheDocumentedOrder() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 1000; trial++) {
            float[] v = randomLanes(rnd);
            assertEquals(Float.floatToIntBits(scalarTree(v)),
                    Float.floatToIntBits(VectorWidth.treeSum(v, 0)), "trial " + trial);
        }
    }

    @Test
    void tileOfThreeRowsByFourTokensEqualsOneDotPerPair() {
        Random rnd = new Random(13);
        for (int n : new int[] {G, 2 * G, 7 * G + 5, 2048 + 3}) {
            long stride = n + 16;
            MemorySegment w = Arena.ofAuto().allocate(3 * stride * Float.BYTES, 64);
            MemorySegment x = Arena.ofAuto().allocate(4 * stride * Float.BYTES, 64);
            for (long i = 0; i < 3 * stride; i++) {
                w.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) ((rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(5) - 2)));
            }
            for (long i = 0; i < 4 * stride; i++) {
                x.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (rnd.nextDouble() - 0.5));
            }
            int rows = 3;
            float[] out = new float[4 * rows];
            VectorFloatMatmul.dot3x4(w, stride, x, 0, stride, n, out, 0, rows, new float[VectorFloatMatmul.LANES]);
            for (int k = 0; k < 3; k++) {
                for (int t = 0; t < 4; t++) {
                    float one = VectorFloatMatmul.dot1(w, k * stride, x, t * stride, n, new float[G]);
                    assertEquals(Float.floatToIntBits(one), Float.floatToIntBits(out[t * rows + k]),
                            "n " + n + " row " + k + " token " + t);
                }
            }
        }
    }
}
