package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.Q5_KCodec;
import io.sparkinfer.tensor.TensorCodec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Q5_K x int8 path ({@link Q5_KInterleaved}, {@link VectorQ5KDot}, {@link
 * ScalarKernels#q5_KMatmul}): the packed values and their expansion, the reference against the dot with the quantized
 * activations, half-sums at the int16 limits, long rows and prepared vs unprepared matrices.
 * Scalar-vs-vector agreement on random data and batch invariance: {@link KernelEquivalenceTest},
 * {@link BatchInvarianceTest}.
 */
class Q5_KIntegerDotTest {
    private static final int QK = 32;

    @Test
    void packsValuesAtFiveBitsThenScalesAndD() {
        assertEquals(736, Q5_KInterleaved.BYTES, "ggml's 704 bytes per 1024 weights, d and -dmin as floats");
        Random rnd = new Random(2);
        int cols = 5 * Q5_KCodec.BLOCK;
        WeightMatrix w = KernelTestData.matrix(rnd, GGMLType.Q5_K, 2, cols, 0);
        MemorySegment p = Q5_KInterleaved.pack(w);
        long rowBytes = Q5_KInterleaved.rowBytes(cols);
        assertEquals(2 * rowBytes + Q5_KInterleaved.TAIL, p.byteSize());
        for (int r = 0; r < 2; r++) {
            for (int sb = 0; sb < 8; sb++) {
                long group = r * rowBytes + (sb / 4) * (long) Q5_KInterleaved.BYTES;
                long o = ((long) r * 5 + sb) * Q5_KCodec.BYTES;
                float d = p.get(ValueLayout.JAVA_FLOAT_UNALIGNED, group + Q5_KInterleaved.D + 4L * (sb % 4));
                assertEquals(sb < 5 ? Float.float16ToFloat(w.data().get(ValueLayout.JAVA_SHORT_UNALIGNED, o)) : 0f, d);
                for (int j = 0; j < 8; j++) {
                    int lane = (sb % 4) * 8 + j;
                    for (int i = 0; i < 32; i++) {
                        int want = sb < 5 ? Q5_KCodec.quant(w.data(), o, 32 * j + i) - 16 : 0;
                        assertEquals(want, LegacyFiveBits.packedValue(p, group, i, lane),
                                "row " + r + " sb " + sb + " j " + j + " i " + i);
                    }
                }
            }
        }
    }

    /** What the four-token passes read: values a byte each in step slots, scales and d moved along. */
    @Test
    void expandsValuesToBytesAndMovesScalesAndD() {
        assumeTrue(VectorQ4Dot.SUPPORTED, "the vector kernels run at 256 and 512 bits");
        Random rnd = new Random(4);
        int cols = 5 * Q5_KCodec.BLOCK;
        WeightMatrix w = KernelTestData.matrix(rnd, GGMLType.Q5_K, 2, cols, 0);
        MemorySegment p = Q5_KInterleaved.pack(w);
        long rowBytes = 2L * Q5_KInterleaved.EXPANDED_BYTES;
        assertEquals(1024 + 64, Q5_KInterleaved.D + LegacyFiveBits.EXPANSION, "values a byte each, then scales, mins");
        MemorySegment out = Arena.ofAuto().allocate(2 * rowBytes, 64);
        VectorLegacyDot.expand(p, 0, 4, Q5_KInterleaved.BYTES, out, 0);
        for (int r = 0; r < 2; r++) {
            for (int sb = 0; sb < 8; sb++) {
                long group = r * rowBytes + (sb / 4) * (long) Q5_KInterleaved.EXPANDED_BYTES;
                long packed = r * Q5_KInterleaved.rowBytes(cols) + (sb / 4) * (long) Q5_KInterleaved.BYTES;
                long o = ((long) r * 5 + sb) * Q5_KCodec.BYTES;
                long d = Q5_KInterleaved.D + LegacyFiveBits.EXPANSION;
                for (int k = 0; k < 8; k++) { // d, -dmin
                    assertEquals(p.get(ValueLayout.JAVA_INT_UNALIGNED, packed + Q5_KInterleaved.D + 4L * k),
                            out.get(ValueLayout.JAVA_INT_UNALIGNED, group + d + 4L * k));
                }
                for (int j = 0; j < 8; j++) {
                    int lane = (sb % 4) * 8 + j;
                    int slot = Q8Activations.scaleSlot(lane);
                    assertEquals(p.get(ValueLayout.JAVA_BYTE, packed + Q5_KInterleaved.SC + slot),
                            out.get(ValueLayout.JAVA_BYTE, group + Q5_KInterleaved.SC + LegacyFiveBits.EXPANSION + slot));
                    assertEquals(p.get(ValueLayout.JAVA_BYTE, packed + Q5_KInterleaved.MINS + slot),
                            out.get(ValueLayout.JAVA_BYTE, group + Q5_KInterleaved.MINS + LegacyFiveBits.EXPANSION + slot));
                    for (int i = 0; i < 32; i++) {
                        long at = group + LegacyInterleaved.slot(i % 16) * (long) LegacyInterleaved.STEP + (i / 16) * 32L + lane;
                        int want = sb < 5 ? Q5_KCodec.quant(w.data(), o, 32 * j + i) - 16 : 0;
                        assertEquals(want, out.get(ValueLayout.JAVA_BYTE, at), "row " + r + " sb " + sb + " j " + j + " i " + i);
                    }
                }
            }
        }
    }

    @Test
    void referenceIsTheDotWithTheQuantizedActivations() {
        Random rnd = new Random(9);
        WeightMatrix w = KernelTestData.matrix(rnd, GGMLType.Q5_K, 13, 1536, 0);
        KernelTestData.assertIntegerReference(w, KernelTestData.floats(rnd, 3 * 1536, 0), 3);
    }

    /**
     * Values 0 (q - 16 = -16) or 31 (15) in one sub-block (the others with scale and min 0) times
     * activations quantized to +-127: half-sums of -+32512 and +-30480; vector and scalar bits equal.
     */
    @Test
    void halfSumsAtTheInt16LimitsAreExact() {
        int[] fill = {0, 31, 0, 31};
        int[] sub = {0, 3, 4, 7};
        float[] src = new float[4 * Q5_KCodec.BLOCK];
        WeightMatrix w = TensorCodec.quantize("w", GGMLType.Q5_K, src, 4, Q5_KCodec.BLOCK);
        MemorySegment data = w.data();
        for (int r = 0; r < 4; r++) {
            long o = (long) r * Q5_KCodec.BYTES;
            data.set(ValueLayout.JAVA_SHORT_UNALIGNED, o, Float.floatToFloat16(1f));
            data.set(ValueLayout.JAVA_SHORT_UNALIGNED, o + 2, Float.floatToFloat16(0.5f));
            for (int k = 4; k < Q5_KCodec.BYTES; k++) {
                data.set(ValueLayout.JAVA_BYTE, o + k, (byte) 0);
            }
            int j = sub[r];
            if (j < 4) { // scale and min 63 for sub-block j, ggml's 12-byte packing
                data.set(ValueLayout.JAVA_BYTE, o + 4 + j, (byte) 63);
                data.set(ValueLayout.JAVA_BYTE, o + 8 + j, (byte) 63);
            } else {
                data.set(ValueLayout.JAVA_BYTE, o + 4 + j - 4, (byte) (3 << 6));
                data.set(ValueLayout.JAVA_BYTE, o + 8 + j - 4, (byte) (3 << 6));
                data.set(ValueLayout.JAVA_BYTE, o + 12 + j - 4, (byte) 0xFF);
            }
            for (int l = 0; l < 32; l++) { // sub-block j: nibbles at qs[32 (j/2) + l], fifth bit j of qh[l]
                long qs = o + 48 + 32L * (j / 2) + l;
                int nib = fill[r] & 15;
                data.set(ValueLayout.JAVA_BYTE, qs, (byte) (j % 2 == 0 ? nib : nib << 4));
                data.set(ValueLayout.JAVA_BYTE, o + 16 + l, (byte) ((fill[r] >> 4) << j));
            }
        }
        for (int r = 0; r < 4; r++) {
            for (int e = 0; e < Q5_KCodec.BLOCK; e++) {
                assertEquals(e / 32 == sub[r] ? fill[r] : 0, Q5_KCodec.quant(data, (long) r * Q5_KCodec.BYTES, e));
            }
        }
        float[] x = new float[4 * Q5_KCodec.BLOCK];
        for (int e = 0; e < Q5_KCodec.BLOCK; e++) {
            x[e] = 2f;
            x[Q5_KCodec.BLOCK + e] = -2f;
            x[2 * Q5_KCodec.BLOCK + e] = e % 2 == 0 ? 3f : -3f;
            x[3 * Q5_KCodec.BLOCK + e] = e % 32 < 16 ? -1f : 1f;
        }
        float[] s = new float[16];
        new ScalarKernels().matmul(w, x, 4, s);
        VectorKernels k = new VectorKernels();
        WeightMatrix prepared = k.prepare(w);
        float[] v = new float[16];
        k.matmul(prepared, x, 4, v);
        float[] u = new float[16];
        k.matmul(w, x, 4, u);
        for (int i = 0; i < 16; i++) {
            assertEquals(Float.floatToRawIntBits(s[i]), Float.floatToRawIntBits(v[i]), "prepared, result " + i);
            assertEquals(Float.floatToRawIntBits(s[i]), Float.floatToRawIntBits(u[i]), "unprepared, result " + i);
        }
        assertEquals(-31.5f * 2f * 32, s[0], 1e-3f); // 63 * 0 - 0.5 * 63, times 32 activations of 2
        assertTrue(Math.abs(s[4 + 1] - (63 * 31 - 31.5f) * -2f * 32) < 1e-1f, "row 1 token 1: " + s[5]);
    }

    @Test
    void longRowsGiveEachTokenItsSingleTokenBits() {
        Random rnd = new Random(17);
        int cols = 38 * Q5_KCodec.BLOCK;
        WeightMatrix w = new VectorKernels().prepare(KernelTestData.matrix(rnd, GGMLType.Q5_K, 21, cols, 0));
        KernelTestData.assertBatchedBitsEqualSingle(new VectorKernels(), w, KernelTestData.floats(rnd, 9 * cols, 1), 9);
    }
}
