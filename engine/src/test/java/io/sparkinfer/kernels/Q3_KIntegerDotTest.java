package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.Q3_KCodec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Q3_K runs Q6_K's integer path ({@link Q6_KInterleaved} re-lays its values and 6-bit scales as
 * signed bytes, {@link VectorQ6KDot}, {@link ScalarKernels#q6_KMatmul}): the packed layout, the
 * reference against the dot of the decoded weights with the quantized activations, long rows.
 * Scalar-vs-vector agreement and batch invariance are in {@link KernelEquivalenceTest} and
 * {@link BatchInvarianceTest}.
 */
class Q3_KIntegerDotTest {
    @Test
    void packsValuesAndScalesAsQ6_K() {
        Random rnd = new Random(4);
        int cols = 5 * Q3_KCodec.BLOCK; // two groups, the second with three padded super-blocks
        WeightMatrix w = KernelTestData.matrix(rnd, GGMLType.Q3_K, 2, cols, 0);
        var packed = Q6_KInterleaved.pack(w);
        long rowBytes = Q6_KInterleaved.rowBytes(cols);
        for (int r = 0; r < 2; r++) {
            for (int b = 0; b < cols / 32; b++) {
                long group = r * rowBytes + (b / 32) * (long) Q6_KInterleaved.BYTES;
                int lane = b % 32;
                long o = r * w.rowBytes() + (long) (b / 8) * Q3_KCodec.BYTES;
                int j = b % 8;
                int slot = Q8Activations.scaleSlot(lane);
                assertEquals(Q3_KCodec.scale(w.data(), o, 2 * j), packed.get(ValueLayout.JAVA_BYTE, group + Q6_KInterleaved.SA + slot));
                assertEquals(Q3_KCodec.scale(w.data(), o, 2 * j + 1),
                        packed.get(ValueLayout.JAVA_BYTE, group + Q6_KInterleaved.SB + slot));
                for (int i = 0; i < 16; i++) {
                    long step = group + Q6_KInterleaved.slot(i) * (long) Q6_KInterleaved.STEP;
                    assertEquals(Q3_KCodec.quant(w.data(), o, 32 * j + i), packed.get(ValueLayout.JAVA_BYTE, step + lane),
                            "row " + r + " block " + b + " element " + i);
                    assertEquals(Q3_KCodec.quant(w.data(), o, 32 * j + 16 + i),
                            packed.get(ValueLayout.JAVA_BYTE, step + 32 + lane));
                }
            }
        }
    }

    @Test
    void referenceIsTheDotWithTheQuantizedActivations() {
        Random rnd = new Random(5);
        WeightMatrix w = KernelTestData.matrix(rnd, GGMLType.Q3_K, 13, 1536, 0);
        KernelTestData.assertIntegerReference(w, KernelTestData.floats(rnd, 3 * 1536, 1), 3);
    }

    @Test
    void longRowsGiveEachTokenItsSingleTokenBits() {
        Random rnd = new Random(6);
        int cols = 36 * Q3_KCodec.BLOCK;
        WeightMatrix w = new VectorKernels().prepare(KernelTestData.matrix(rnd, GGMLType.Q3_K, 21, cols, 0));
        KernelTestData.assertBatchedBitsEqualSingle(new VectorKernels(), w, KernelTestData.floats(rnd, 9 * cols, 1), 9);
    }
}
