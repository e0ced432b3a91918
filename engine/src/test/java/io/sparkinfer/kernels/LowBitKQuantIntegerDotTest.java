package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.Q2_KCodec;
import io.sparkinfer.tensor.Q3_KCodec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Q3_K and Q2_K run Q6_K's integer path ({@link Q6_KInterleaved} re-lays their values and
 * sub-block scales, and Q2_K's mins, as bytes; {@link VectorQ6KDot}, {@link VectorQ2KDot}, {@link
 * ScalarKernels#q6_KMatmul}): the packed layout, the reference against the dot of the decoded
 * weights with the quantized activations, long rows. Scalar-vs-vector agreement and batch
 * invariance are in {@link KernelEquivalenceTest} and {@link BatchInvarianceTest}.
 */
class LowBitKQuantIntegerDotTest {
    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"Q3_K", "Q2_K"})
    void packsValuesScalesAndMinsInQ6_KSlots(GGMLType type) {
        Random rnd = new Random(4);
        int cols = 5 * 256; // two groups, the second with three padded super-blocks
        WeightMatrix w = KernelTestData.matrix(rnd, type, 2, cols, 0);
        MemorySegment packed = Q6_KInterleaved.pack(w);
        long rowBytes = Q6_KInterleaved.rowBytes(type, cols);
        int groupBytes = type == GGMLType.Q2_K ? Q6_KInterleaved.BYTES_WITH_MINS : Q6_KInterleaved.BYTES;
        for (int r = 0; r < 2; r++) {
            for (int b = 0; b < cols / 32; b++) {
                long group = r * rowBytes + (b / 32) * (long) groupBytes;
                int lane = b % 32;
                long o = r * w.rowBytes() + (long) (b / 8) * type.typeSize;
                int j = b % 8;
                int slot = Q8Activations.scaleSlot(lane);
                String where = type + " row " + r + " block " + b;
                assertEquals(scale(type, w, o, 2 * j), packed.get(ValueLayout.JAVA_BYTE, group + Q6_KInterleaved.SA + slot),
                        where);
                assertEquals(scale(type, w, o, 2 * j + 1),
                        packed.get(ValueLayout.JAVA_BYTE, group + Q6_KInterleaved.SB + slot), where);
                if (type == GGMLType.Q2_K) {
                    assertEquals(Q2_KCodec.min(w.data(), o, 2 * j),
                            packed.get(ValueLayout.JAVA_BYTE, group + Q6_KInterleaved.MA + slot), where);
                    assertEquals(Q2_KCodec.min(w.data(), o, 2 * j + 1),
                            packed.get(ValueLayout.JAVA_BYTE, group + Q6_KInterleaved.MB + slot), where);
                }
                for (int e = 0; e < 32; e++) {
                    assertEquals(quant(type, w, o, 32 * j + e), Q6_KInterleaved.packedValue(packed, group, e, lane),
                            where + " element " + e);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"Q3_K", "Q2_K"})
    void referenceIsTheDotWithTheQuantizedActivations(GGMLType type) {
        Random rnd = new Random(5);
        WeightMatrix w = KernelTestData.matrix(rnd, type, 13, 1536, 0);
        KernelTestData.assertIntegerReference(w, KernelTestData.floats(rnd, 3 * 1536, 1), 3);
    }

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"Q3_K", "Q2_K"})
    void longRowsGiveEachTokenItsSingleTokenBits(GGMLType type) {
        Random rnd = new Random(6);
        int cols = 36 * 256;
        WeightMatrix w = new VectorKernels().prepare(KernelTestData.matrix(rnd, type, 21, cols, 0));
        KernelTestData.assertBatchedBitsEqualSingle(new VectorKernels(), w, KernelTestData.floats(rnd, 9 * cols, 1), 9);
    }

    private static int scale(GGMLType type, WeightMatrix w, long o, int k) {
        return type == GGMLType.Q2_K ? Q2_KCodec.scale(w.data(), o, k) : Q3_KCodec.scale(w.data(), o, k);
    }

    private static int quant(GGMLType type, WeightMatrix w, long o, int e) {
        return type == GGMLType.Q2_K ? Q2_KCodec.quant(w.data(), o, e) : Q3_KCodec.quant(w.data(), o, e);
    }
}
