package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.Q5_1Codec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Q5_1 and Q4_1 x int8 path ({@link LegacyFiveBits}, {@link VectorLegacyDot}, {@link
 * ScalarKernels#legacyMatmul}): the reference against the dot with the quantized
 * activations, half-sums at the int16 limits, long rows. Scalar-vs-vector agreement on random
 * data and batch invariance: {@link KernelEquivalenceTest}, {@link BatchInvarianceTest}.
 */
class Q5_1IntegerDotTest {
    private static final int QK = 32;
    private static final GGMLType[] TYPES = {GGMLType.Q5_1, GGMLType.Q4_1};

    @Test
    void rejectsANonFiniteMinNamingRowAndBlock() {
        WeightMatrix w = KernelTestData.matrix(new Random(1), GGMLType.Q5_1, 2, 64, 0);
        w.data().set(ValueLayout.JAVA_SHORT_UNALIGNED, (long) 3 * Q5_1Codec.BYTES + 2, (short) 0x7E00);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LegacyFiveBits.pack(w));
        assertTrue(e.getMessage().contains("row 1 block 1") && e.getMessage().contains("min"), e.getMessage());
    }

    @Test
    void referenceIsTheDotWithTheQuantizedActivations() {
        for (GGMLType type : TYPES) {
            Random rnd = new Random(9);
            WeightMatrix w = KernelTestData.matrix(rnd, type, 13, 1216, 0);
            KernelTestData.assertIntegerReference(w, KernelTestData.floats(rnd, 4 * 1216, 0), 4);
        }
    }

    /**
     * Q5_1 values 0 (q - 16 = -16) or 31 (15) in one block (d 1, m -0.5), the other blocks with d
     * and m 0, times activations quantized to +-127: half-sums of -+32512 and +-30480; vector and
     * scalar bits equal.
     */
    @Test
    void halfSumsAtTheInt16LimitsAreExact() {
        int[] fill = {0, 31, 0, 31};
        int[] block = {0, 3, 4, 7};
        int cols = 8 * QK;
        WeightMatrix w = KernelTestData.matrix(new Random(3), GGMLType.Q5_1, 4, cols, 0);
        MemorySegment data = w.data();
        for (int r = 0; r < 4; r++) {
            for (int b = 0; b < 8; b++) {
                long o = ((long) r * 8 + b) * Q5_1Codec.BYTES;
                boolean hot = b == block[r];
                data.set(ValueLayout.JAVA_SHORT_UNALIGNED, o, hot ? Float.floatToFloat16(1f) : 0);
                data.set(ValueLayout.JAVA_SHORT_UNALIGNED, o + 2, hot ? Float.floatToFloat16(-0.5f) : 0);
                if (hot) {
                    data.set(ValueLayout.JAVA_INT_UNALIGNED, o + 4, fill[r] >= 16 ? -1 : 0);
                    for (int j = 0; j < 16; j++) {
                        data.set(ValueLayout.JAVA_BYTE, o + 8 + j, (byte) ((fill[r] & 15) * 17));
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
        assertEquals(-0.5f * 2f * 32, s[0], 1e-3f); // weights 1 * 0 - 0.5, activations 2 (127 * 2/127)
        assertEquals(30.5f * -2f * 32, s[4 + 1], 1e-2f); // weights 31 - 0.5
    }

    @Test
    void longRowsGiveEachTokenItsSingleTokenBits() {
        for (GGMLType type : TYPES) {
            Random rnd = new Random(17);
            int cols = 289 * QK;
            WeightMatrix w = new VectorKernels().prepare(KernelTestData.matrix(rnd, type, 21, cols, 0));
            KernelTestData.assertBatchedBitsEqualSingle(new VectorKernels(), w, KernelTestData.floats(rnd, 9 * cols, 1), 9);
        }
    }
}
