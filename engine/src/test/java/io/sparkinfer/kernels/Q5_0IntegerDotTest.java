package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.Q5_0Codec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Q5_0 x int8 path ({@link LegacyFiveBits}, {@link VectorLegacyDot}, {@link
 * ScalarKernels#legacyMatmul}): the reference against the dot with the quantized
 * activations, half-sums at the int16 limits, long rows. Scalar-vs-vector agreement on random
 * data and batch invariance: {@link KernelEquivalenceTest}, {@link BatchInvarianceTest}.
 */
class Q5_0IntegerDotTest {
    private static final int QK = 32;

    @Test
    void rejectsANonFiniteScaleNamingRowAndBlock() {
        WeightMatrix w = KernelTestData.matrix(new Random(1), GGMLType.Q5_0, 2, 64, 0);
        w.data().set(ValueLayout.JAVA_SHORT_UNALIGNED, (long) 3 * Q5_0Codec.BYTES, (short) 0x7C00);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LegacyFiveBits.pack(w));
        assertTrue(e.getMessage().contains("row 1 block 1"), e.getMessage());
    }

    @Test
    void referenceIsTheDotWithTheQuantizedActivations() {
        Random rnd = new Random(9);
        WeightMatrix w = KernelTestData.matrix(rnd, GGMLType.Q5_0, 13, 1216, 0);
        KernelTestData.assertIntegerReference(w, KernelTestData.floats(rnd, 4 * 1216, 0), 4);
    }

    /**
     * Values 0 (q - 16 = -16) or 31 (15) in one block, the other blocks with scale 0, times
     * activations quantized to +-127: half-sums of -+32512 and +-30480; vector and scalar bits equal.
     */
    @Test
    void halfSumsAtTheInt16LimitsAreExact() {
        int[] fill = {0, 31, 0, 31};
        int[] block = {0, 3, 4, 7};
        int cols = 8 * QK;
        WeightMatrix w = KernelTestData.matrix(new Random(3), GGMLType.Q5_0, 4, cols, 0);
        MemorySegment data = w.data();
        for (int r = 0; r < 4; r++) {
            for (int b = 0; b < 8; b++) {
                long o = ((long) r * 8 + b) * Q5_0Codec.BYTES;
                boolean hot = b == block[r];
                data.set(ValueLayout.JAVA_SHORT_UNALIGNED, o, hot ? Float.floatToFloat16(1f) : 0);
                if (hot) {
                    data.set(ValueLayout.JAVA_INT_UNALIGNED, o + 2, fill[r] >= 16 ? -1 : 0);
                    for (int j = 0; j < 16; j++) {
                        data.set(ValueLayout.JAVA_BYTE, o + 6 + j, (byte) ((fill[r] & 15) * 17));
                    }
                }
            }
        }
        float[] x = new float[4 * cols];
        for (int e = 0; e < cols; e++) {
            x[e] = 2f;
            x[cols + e] = -2f;
            x[2 * cols + e] = e % 2 == 0 ? 3f : -3f;
            x[3 * cols + e] = e % 32 < 16 ? -1f : 1f;
        }
        float[] s = new float[16];
        new ScalarKernels().matmul(w, x, 4, s);
        VectorKernels k = new VectorKernels();
        float[] v = new float[16];
        k.matmul(k.prepare(w), x, 4, v);
        for (int i = 0; i < 16; i++) {
            assertEquals(Float.floatToRawIntBits(s[i]), Float.floatToRawIntBits(v[i]), "result " + i);
        }
        assertEquals(-16f * 2f * 32, s[0], 1e-3f); // 32 weights -16 times activations 2 (127 * 2/127)
        assertEquals(15f * -2f * 32, s[4 + 1], 1e-3f);
    }

    @Test
    void longRowsGiveEachTokenItsSingleTokenBits() {
        Random rnd = new Random(17);
        int cols = 289 * QK;
        WeightMatrix w = new VectorKernels().prepare(KernelTestData.matrix(rnd, GGMLType.Q5_0, 21, cols, 0));
        KernelTestData.assertBatchedBitsEqualSingle(new VectorKernels(), w, KernelTestData.floats(rnd, 9 * cols, 1), 9);
    }
}
