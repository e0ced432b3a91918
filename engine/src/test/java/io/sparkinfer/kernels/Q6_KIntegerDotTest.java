package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.Q6_KCodec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Q6_K x int8 path ({@link Q6_KInterleaved}, {@link VectorQ6KDot}, {@link
 * ScalarKernels#q6_KMatmul}): the packed layout, the reference's formula against the dot of the
 * decoded weights with the quantized activations (negative scales included), int16 sums at their
 * extremes, long rows, prepared vs unprepared matrices. Scalar-vs-vector agreement on random data
 * and batch invariance are in {@link KernelEquivalenceTest} and {@link BatchInvarianceTest}.
 */
class Q6_KIntegerDotTest {
    private static final int QK = 32;

    interface Values {
        /** The 6-bit value (0..63) of element e of super-block sb of row r. */
        int of(int r, int sb, int e);
    }

    interface Scales {
        /** The int8 scale of sub-block j (16 elements) of super-block sb of row r. */
        int of(int r, int sb, int j);
    }

    /** A Q6_K matrix laid out as ggml's, with d (f16 bits) in every super-block. */
    private static WeightMatrix matrix(int rows, int cols, short d, Values values, Scales scales) {
        int supers = cols / Q6_KCodec.BLOCK;
        byte[] data = new byte[rows * supers * Q6_KCodec.BYTES];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < supers; b++) {
                int o = (r * supers + b) * Q6_KCodec.BYTES;
                for (int e = 0; e < Q6_KCodec.BLOCK; e++) { // the inverse of Q6_KCodec.quant
                    int q = values.of(r, b, e);
                    int half = e / 128;
                    int l = e % 32;
                    int quarter = e % 128 / 32;
                    int ql = o + 64 * half + l + (quarter % 2) * 32;
                    data[ql] |= (byte) (quarter < 2 ? q & 15 : (q & 15) << 4);
                    data[o + 128 + 32 * half + l] |= (byte) ((q >> 4) << (2 * quarter));
                }
                for (int j = 0; j < 16; j++) {
                    data[o + 192 + j] = (byte) scales.of(r, b, j);
                }
                data[o + 208] = (byte) d;
                data[o + 209] = (byte) (d >> 8);
            }
        }
        return new WeightMatrix("test.q6_k", GGMLType.Q6_K, rows, cols, MemorySegment.ofArray(data));
    }

    @Test
    void packsBlocksLaneByLaneAndPadsTheLastGroup() {
        Random rnd = new Random(3);
        int[][][] v = new int[3][5][Q6_KCodec.BLOCK];
        for (int[][] row : v) {
            for (int[] sb : row) {
                Arrays.setAll(sb, i -> rnd.nextInt(64));
            }
        }
        int cols = 5 * Q6_KCodec.BLOCK; // two groups, the second with 3 padded super-blocks
        WeightMatrix w = matrix(3, cols, (short) 0x3555, (r, sb, e) -> v[r][sb][e],
                (r, sb, j) -> (r * 80 + sb * 16 + j) - 100);
        for (int e = 0; e < Q6_KCodec.BLOCK; e++) {
            assertEquals(v[1][2][e], Q6_KCodec.quant(w.data(), (long) (5 + 2) * Q6_KCodec.BYTES, e), "test matrix");
        }
        MemorySegment p = Q6_KInterleaved.pack(w);
        long rowBytes = Q6_KInterleaved.rowBytes(GGMLType.Q6_K, cols);
        assertEquals(2 * 864, rowBytes);
        assertEquals(3 * rowBytes + Q6_KInterleaved.TAIL, p.byteSize());
        assertEquals(0, p.address() % 64, "packed rows start on a cache line");
        for (int r = 0; r < 3; r++) {
            for (int sb = 0; sb < 8; sb++) {
                long group = r * rowBytes + (sb / 4) * (long) Q6_KInterleaved.BYTES;
                boolean real = sb < 5;
                float d = p.get(ValueLayout.JAVA_FLOAT_UNALIGNED, group + Q6_KInterleaved.D + 4L * (sb % 4));
                assertEquals(real ? Float.float16ToFloat((short) 0x3555) : 0f, d, "d of super-block " + sb);
                for (int j = 0; j < 8; j++) {
                    int lane = (sb % 4) * 8 + j;
                    int slot = Q8Activations.scaleSlot(lane);
                    String where = "row " + r + " super-block " + sb + " block " + j;
                    assertEquals(real ? (byte) (r * 80 + sb * 16 + 2 * j - 100) : 0,
                            p.get(ValueLayout.JAVA_BYTE, group + Q6_KInterleaved.SA + slot), where + " first scale");
                    assertEquals(real ? (byte) (r * 80 + sb * 16 + 2 * j + 1 - 100) : 0,
                            p.get(ValueLayout.JAVA_BYTE, group + Q6_KInterleaved.SB + slot), where + " second scale");
                    for (int e = 0; e < 32; e++) {
                        assertEquals(real ? v[r][sb][32 * j + e] - 32 : 0, Q6_KInterleaved.packedValue(p, group, e, lane),
                                where + " element " + e);
                    }
                    // The bits where the kernels read them: iteration 3's short and byte.
                    int v1 = real ? v[r][sb][32 * j + 3] - 32 : 0;
                    int v2 = real ? v[r][sb][32 * j + 19] - 32 : 0;
                    int v3 = real ? v[r][sb][32 * j + 11] - 32 : 0;
                    int v4 = real ? v[r][sb][32 * j + 27] - 32 : 0;
                    assertEquals((short) ((v1 << 10) | ((v2 & 63) << 4) | (v3 & 15)),
                            p.get(ValueLayout.JAVA_SHORT_UNALIGNED, group + 192 + 64 + 2L * lane),
                            where + " iteration 3's short");
                    assertEquals((byte) ((v4 << 2) | ((v3 >> 4) & 3)),
                            p.get(ValueLayout.JAVA_BYTE, group + 192 + 128 + 32 + lane),
                            where + " iteration 3's byte");
                }
            }
        }
    }

    /**
     * The reference is the dot of the exactly decoded weights with the quantized activations
     * ({@code dx * xq}) to float rounding (random ggml bytes: negative scales too), and within
     * the int8 rounding of the activations of the dot with the float activations.
     */
    @Test
    void referenceIsTheDotWithTheQuantizedActivations() {
        Random rnd = new Random(9);
        WeightMatrix w = matrix(13, 1536, (short) 0x2000, (r, sb, e) -> rnd.nextInt(64),
                (r, sb, j) -> rnd.nextInt(256) - 128);
        KernelTestData.assertIntegerReference(w, KernelTestData.floats(rnd, 5 * 1536, 0), 5);
    }

    /**
     * One block at the int16 limits: values 0 (q - 32 = -32) or 63 (31) with activations
     * quantized to +-127 give 8-step sums of -+32512 and +-31496 (16-step sums would wrap), with
     * scales 127 and -128; the other blocks have scales 0, so the vector kernel has nothing to
     * reorder and must give the reference's bits, for one token and for several.
     */
    @Test
    void sumsAtTheInt16LimitsAreExact() {
        int[] fill = {0, 63, 0, 63};
        int[] block = {0, 3, 4, 7};
        WeightMatrix w = matrix(4, Q6_KCodec.BLOCK, (short) 0x3C00,
                (r, sb, e) -> e / 32 == block[r] ? fill[r] : (e * 7) % 64,
                (r, sb, j) -> j / 2 == block[r] ? (j % 2 == 0 ? 127 : -128) : 0);
        float[] x = new float[5 * Q6_KCodec.BLOCK];
        for (int e = 0; e < Q6_KCodec.BLOCK; e++) {
            x[e] = 2f;
            x[Q6_KCodec.BLOCK + e] = -2f;
            x[2 * Q6_KCodec.BLOCK + e] = e % 2 == 0 ? 3f : -3f;
            x[3 * Q6_KCodec.BLOCK + e] = e % 32 < 16 ? -1f : 1f;
            x[4 * Q6_KCodec.BLOCK + e] = e % 32 < 16 ? 1f : -1f;
        }
        float[] s = new float[5 * 4];
        new ScalarKernels().matmul(w, x, 5, s);
        VectorKernels k = new VectorKernels();
        WeightMatrix prepared = k.prepare(w);
        float[] v = new float[5 * 4];
        k.matmul(prepared, x, 5, v);
        float[] one = new float[4];
        for (int t = 0; t < 5; t++) {
            k.matmul(prepared, Arrays.copyOfRange(x, t * Q6_KCodec.BLOCK, (t + 1) * Q6_KCodec.BLOCK), 1, one);
            for (int r = 0; r < 4; r++) {
                int i = t * 4 + r;
                assertEquals(Float.floatToRawIntBits(s[i]), Float.floatToRawIntBits(v[i]), "5 tokens, result " + i);
                assertEquals(Float.floatToRawIntBits(s[i]), Float.floatToRawIntBits(one[r]), "1 token, result " + i);
            }
        }
        // Row 0, token 0: 16 weights -32 * 127 and 16 of -32 * -128, times activations 2 (127 * 2/127).
        assertEquals((16 * -32 * 127 + 16 * -32 * -128) * 2f, s[0], 1e-2f);
        // Row 1, token 4: 16 weights 31 * 127 times +1, 16 of 31 * -128 times -1.
        assertEquals(16 * 31 * 127 + 16 * 31 * 128, s[16 + 1], 1e-2f);
    }

    /**
     * Long rows (10 groups, the last with 2 super-blocks), 9 and 13 tokens (passes that decode the
     * six bits in registers; rows written out a byte a value first, {@link
     * VectorQ4Matmul#SIX_BIT_EXPAND_TOKENS}): each token gets its bits alone.
     */
    @ParameterizedTest
    @ValueSource(ints = {9, 13})
    void longRowsGiveEachTokenItsSingleTokenBits(int tokens) {
        Random rnd = new Random(17);
        int cols = 38 * Q6_KCodec.BLOCK;
        WeightMatrix w = new VectorKernels().prepare(KernelTestData.matrix(rnd, GGMLType.Q6_K, 37, cols, 0));
        assertNotNull(VectorQ4Dot.SUPPORTED ? w.packed() : w);
        float[] x = KernelTestData.floats(rnd, tokens * cols, 1);
        VectorKernels k = new VectorKernels();
        float[] batch = new float[tokens * 37];
        k.matmul(w, x, tokens, batch);
        float[] one = new float[37];
        float[] unprepared = new float[tokens * 37];
        k.matmul(KernelTestData.matrix(new Random(17), GGMLType.Q6_K, 37, cols, 0), x, tokens, unprepared);
        for (int t = 0; t < tokens; t++) {
            k.matmul(w, Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1, one);
            for (int r = 0; r < 37; r++) {
                assertEquals(Float.floatToRawIntBits(one[r]), Float.floatToRawIntBits(batch[t * 37 + r]),
                        "token " + t + " row " + r);
                assertEquals(Float.floatToRawIntBits(one[r]), Float.floatToRawIntBits(unprepared[t * 37 + r]),
                        "unprepared, token " + t + " row " + r);
            }
        }
    }
}
