package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.TensorCodec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The bfloat16 rounding of Q8_0's activations, its packing for the tiles, and the matmuls it defines. */
class Bf16ActivationsTest {

    private static float bits(int b) {
        return Float.intBitsToFloat(b);
    }

    @Test
    void roundsToNearestBfloat16TiesToEven() {
        assertEquals(1f, Bf16Activations.round(1f));
        // Halfway between 0x3F80 and 0x3F81: to the even 0x3F80; between 0x3F81 and 0x3F82: to 0x3F82.
        assertEquals(bits(0x3F800000), Bf16Activations.round(bits(0x3F808000)));
        assertEquals(bits(0x3F820000), Bf16Activations.round(bits(0x3F818000)));
        assertEquals(bits(0x3F810000), Bf16Activations.round(bits(0x3F808001)));
        assertEquals(bits(0x3F800000), Bf16Activations.round(bits(0x3F807FFF)));
        assertEquals(bits(0xBF820000), Bf16Activations.round(bits(0xBF818000)));
        assertEquals(Float.POSITIVE_INFINITY, Bf16Activations.round(Float.POSITIVE_INFINITY));
        assertEquals(Float.NEGATIVE_INFINITY, Bf16Activations.round(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, Bf16Activations.round(Float.MAX_VALUE)); // as bfloat16 itself
        assertTrue(Float.isNaN(Bf16Activations.round(Float.NaN)));
        // A NaN whose payload is all in the low half: still a NaN (quiet), not infinity.
        assertEquals(0x7FC00000, Float.floatToRawIntBits(Bf16Activations.round(bits(0x7F800001))));
        assertEquals(0xFFC00000, Float.floatToRawIntBits(Bf16Activations.round(bits(0xFF800001))));
        assertEquals(0, Float.floatToRawIntBits(Bf16Activations.round(0f)));
        assertEquals(0x80000000, Float.floatToRawIntBits(Bf16Activations.round(-0f)));
        assertEquals(bits(0x00010000), Bf16Activations.round(bits(0x00010000))); // a subnormal that fits
    }

    @Test
    void vectorRoundingMatchesScalarAtEverySize() {
        Random rnd = new Random(5);
        for (int n : KernelTestData.SIZES) {
            float[] x = KernelTestData.floats(rnd, n, 1);
            x[0] = Float.NaN;
            if (n > 2) {
                x[1] = bits(0x7F800001);
                x[2] = bits(0x3F818000);
            }
            float[] out = new float[n];
            Bf16Activations.round(x, n, out);
            for (int i = 0; i < n; i++) {
                int expected = Float.floatToRawIntBits(Bf16Activations.round(x[i]));
                int actual = Float.floatToRawIntBits(out[i]);
                assertEquals(expected, actual, "n " + n + " [" + i + "] of " + x[i]);
                assertEquals(0, actual & 0xFFFF, "low half cleared, n " + n + " [" + i + "]");
            }
        }
    }

    @Test
    void packHoldsEachWholeChunkPairOfEveryToken() {
        Random rnd = new Random(6);
        int g = VectorWidth.G;
        for (int cols : new int[] {2 * g, 5 * g, 544, 2 * g + 7}) {
            int tokens = 3;
            float[] x = KernelTestData.floats(rnd, tokens * cols, 0);
            float[] r = new float[x.length];
            Bf16Activations.round(x, x.length, r);
            int stride = Bf16Activations.strideInts(cols);
            MemorySegment packed = Arena.ofAuto().allocate((long) tokens * stride * Integer.BYTES, 64);
            Bf16Activations.pack(r, tokens, cols, packed);
            int pairs = cols - cols % (2 * g);
            for (int t = 0; t < tokens; t++) {
                for (int c = 0; c < pairs; c++) {
                    int chunkStart = c / (2 * g) * 2 * g;
                    boolean odd = c - chunkStart >= g;
                    long index = (long) t * stride + chunkStart / 2 + (c - chunkStart) % g;
                    assertEquals(r[t * cols + c], Bf16Activations.unpack(packed, index, odd),
                            "cols " + cols + " token " + t + " column " + c);
                }
            }
        }
    }

    /**
     * Every Q8_0 kernel (1-token, 4-token groups, tiles with leftovers) multiplies the exact
     * weights by the rounded activations: the result is that product's dot to float rounding, for
     * any count.
     */
    @Test
    void roundingTypesMultiplyTheRoundedActivations() {
        assertMatmulIsTheDotWithRoundedActivations(GGMLType.Q8_0, 544);
    }

    @Test
    void onlyQ8_0Rounds() {
        assertTrue(Bf16Activations.roundsFor(GGMLType.Q8_0));
        for (GGMLType type : new GGMLType[] {GGMLType.F32, GGMLType.F16, GGMLType.BF16, GGMLType.Q4_0, GGMLType.Q4_K,
                GGMLType.Q6_K}) {
            assertTrue(!Bf16Activations.roundsFor(type), type.toString());
        }
    }

    private static void assertMatmulIsTheDotWithRoundedActivations(GGMLType type, int cols) {
        Random rnd = new Random(7);
        int rows = 11;
        WeightMatrix w = KernelTestData.matrix(rnd, type, rows, cols, 0);
        float[] weights = new float[rows * cols];
        TensorCodec.dequantize(type, w.data(), 0, weights, 0, rows * cols);
        for (Kernels k : new Kernels[] {new ScalarKernels(), KernelsProvider.get()}) {
            for (int n : new int[] {1, 3, 4, 5, 8, 13}) {
                float[] x = KernelTestData.floats(rnd, n * cols, 0);
                float[] out = new float[n * rows];
                k.matmul(w, x, n, out);
                for (int t = 0; t < n; t++) {
                    for (int r = 0; r < rows; r++) {
                        double exact = 0;
                        double plain = 0;
                        double magnitude = 0;
                        for (int c = 0; c < cols; c++) {
                            double wv = weights[r * cols + c];
                            exact += wv * Bf16Activations.round(x[t * cols + c]);
                            plain += wv * x[t * cols + c];
                            magnitude += Math.abs(wv * x[t * cols + c]);
                        }
                        double tol = 1e-6 * magnitude;
                        assertEquals(exact, out[t * rows + r], tol, type + " " + k.name() + " n " + n + " token " + t + " row " + r);
                        // And the rounding is there: the unrounded dot differs by far more than tol.
                        if (t == 0 && r == 0) {
                            assertTrue(Math.abs(plain - exact) > tol, type + " " + k.name() + ": activations not rounded?");
                        }
                    }
                }
            }
        }
    }

    /**
     * Rows long enough that a batch spans several blocks of packed tokens (1 MiB of bfloat16 per
     * block: 8 tokens at 65536 columns): each token's results are still those it gets alone.
     */
    @Test
    void tokensAcrossPackedBlocksMatchTokensAlone() {
        Random rnd = new Random(8);
        int rows = 7;
        int cols = 65536;
        int n = 13;
        WeightMatrix w = KernelTestData.matrix(rnd, GGMLType.Q8_0, rows, cols, 0);
        Kernels k = KernelsProvider.get();
        float[] x = KernelTestData.floats(rnd, n * cols, 0);
        float[] batch = new float[n * rows];
        k.matmul(w, x, n, batch);
        for (int t = 0; t < n; t++) {
            float[] alone = new float[rows];
            k.matmul(w, java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1, alone);
            for (int r = 0; r < rows; r++) {
                assertEquals(Float.floatToRawIntBits(alone[r]), Float.floatToRawIntBits(batch[t * rows + r]),
                        "token " + t + " row " + r);
            }
        }
    }
}
