package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.Q4_KCodec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Q4_K x int8 path ({@link Q4_KInterleaved}, {@link VectorQ4KDot}, {@link
 * ScalarKernels#q4_KMatmul}): the packed layout, the reference's formula against the dot of
 * the decoded weights with the quantized activations, int16 block sums at their extremes,
 * long rows in chunks, prepared vs unprepared matrices. Scalar-vs-vector agreement on random
 * data and batch invariance are in {@link KernelEquivalenceTest} and {@link BatchInvarianceTest}.
 */
class Q4_KIntegerDotTest {
    private static final int QK = 32;

    /** Sub-block j's scale, min and nibbles of a super-block, by row and super-block. */
    interface SuperBlock {
        int scale(int row, int sb, int j);

        int min(int row, int sb, int j);

        int nibble(int row, int sb, int j, int l);
    }

    /** A Q4_K matrix with the given d and dmin (f16 bits) in every super-block. */
    private static WeightMatrix matrix(int rows, int cols, short d, short dmin, SuperBlock f) {
        int supers = cols / Q4_KCodec.BLOCK;
        byte[] data = new byte[rows * supers * Q4_KCodec.BYTES];
        MemorySegment m = MemorySegment.ofArray(data);
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < supers; b++) {
                long o = ((long) r * supers + b) * Q4_KCodec.BYTES;
                m.set(ValueLayout.JAVA_SHORT_UNALIGNED, o, d);
                m.set(ValueLayout.JAVA_SHORT_UNALIGNED, o + 2, dmin);
                int[] sc = new int[8];
                int[] mn = new int[8];
                for (int j = 0; j < 8; j++) {
                    sc[j] = f.scale(r, b, j);
                    mn[j] = f.min(r, b, j);
                }
                for (int j = 0; j < 4; j++) { // ggml's packing of eight 6-bit scales and mins
                    data[(int) o + 4 + j] = (byte) (sc[j] | (sc[j + 4] >>> 4) << 6);
                    data[(int) o + 8 + j] = (byte) (mn[j] | (mn[j + 4] >>> 4) << 6);
                    data[(int) o + 12 + j] = (byte) ((sc[j + 4] & 15) | (mn[j + 4] & 15) << 4);
                }
                for (int c = 0; c < 4; c++) {
                    for (int l = 0; l < QK; l++) {
                        data[(int) o + 16 + 32 * c + l] =
                                (byte) (f.nibble(r, b, 2 * c, l) | f.nibble(r, b, 2 * c + 1, l) << 4);
                    }
                }
            }
        }
        return new WeightMatrix("test.q4_k", GGMLType.Q4_K, rows, cols, m);
    }

    @Test
    void packsSubBlocksLaneByLaneAndPadsTheLastGroup() {
        Random rnd = new Random(3);
        int[][][][] nibbles = new int[3][5][8][QK];
        for (int[][][] row : nibbles) {
            for (int[][] sb : row) {
                for (int[] sub : sb) {
                    Arrays.setAll(sub, i -> rnd.nextInt(16));
                }
            }
        }
        int cols = 5 * Q4_KCodec.BLOCK; // two groups, the second with 3 padded super-blocks
        WeightMatrix w = matrix(3, cols, (short) 0x3555, (short) 0x2C00, new SuperBlock() {
            public int scale(int r, int sb, int j) {
                return (r * 40 + sb * 8 + j) % 64;
            }

            public int min(int r, int sb, int j) {
                return 63 - (r * 40 + sb * 8 + j) % 64;
            }

            public int nibble(int r, int sb, int j, int l) {
                return nibbles[r][sb][j][l];
            }
        });
        MemorySegment p = Q4_KInterleaved.pack(w);
        long rowBytes = Q4_KInterleaved.rowBytes(cols);
        assertEquals(2 * 608, rowBytes);
        assertEquals(3 * rowBytes + Q4_KInterleaved.TAIL, p.byteSize());
        assertEquals(0, p.address() % 64, "packed rows start on a cache line");
        for (int r = 0; r < 3; r++) {
            for (int sb = 0; sb < 8; sb++) {
                long group = r * rowBytes + (sb / 4) * (long) Q4_KInterleaved.BYTES;
                boolean real = sb < 5;
                float d = p.get(ValueLayout.JAVA_FLOAT_UNALIGNED, group + Q4_KInterleaved.D + 4L * (sb % 4));
                float negMin = p.get(ValueLayout.JAVA_FLOAT_UNALIGNED, group + Q4_KInterleaved.D + 16L + 4L * (sb % 4));
                assertEquals(real ? Float.float16ToFloat((short) 0x3555) : 0f, d, "d of super-block " + sb);
                assertEquals(real ? -Float.float16ToFloat((short) 0x2C00) : 0f, negMin, "-dmin of super-block " + sb);
                for (int j = 0; j < 8; j++) {
                    int lane = (sb % 4) * 8 + j;
                    int slot = Q8Activations.scaleSlot(lane);
                    String where = "row " + r + " super-block " + sb + " sub-block " + j;
                    assertEquals(real ? (r * 40 + sb * 8 + j) % 64 : 0,
                            p.get(ValueLayout.JAVA_BYTE, group + Q4_KInterleaved.SC + slot), where + " scale");
                    assertEquals(real ? 63 - (r * 40 + sb * 8 + j) % 64 : 0,
                            p.get(ValueLayout.JAVA_BYTE, group + Q4_KInterleaved.MINS + slot), where + " min");
                    for (int i = 0; i < 16; i++) {
                        int got = p.get(ValueLayout.JAVA_BYTE, group + i * 32L + lane) & 0xFF;
                        int want = real ? nibbles[r][sb][j][i] | nibbles[r][sb][j][i + 16] << 4 : 0x88;
                        assertEquals(want, got, where + " step " + i);
                    }
                }
            }
        }
    }

    /**
     * The reference is the dot of the exactly decoded weights with the quantized activations
     * ({@code dx * xq}), to float rounding; and within the int8 rounding of the activations (half a
     * step per element) of the dot with the float activations.
     */
    @Test
    void referenceIsTheDotWithTheQuantizedActivations() {
        Random rnd = new Random(9);
        WeightMatrix w = KernelTestData.matrix(rnd, GGMLType.Q4_K, 13, 1536, 0);
        KernelTestData.assertIntegerReference(w, KernelTestData.floats(rnd, 5 * 1536, 0), 5);
    }

    /**
     * One sub-block at the int16 limits: nibbles 0 or 15 with activations quantized to +-127
     * (block sums +-32512, -+28448), scale and min 63; the other sub-blocks have scale and min 0,
     * so the vector kernels have nothing to reorder and must give the reference's bits, for one
     * token and for four.
     */
    @Test
    void blockSumsAtTheInt16LimitsAreExact() {
        int[] fill = {0, 15, 0, 15};
        int[] sub = {0, 3, 4, 7}; // sub-blocks in either nibble, either half of the scales
        WeightMatrix w = matrix(4, Q4_KCodec.BLOCK, (short) 0x3C00, (short) 0x3800, new SuperBlock() {
            public int scale(int r, int sb, int j) {
                return j == sub[r] ? 63 : 0;
            }

            public int min(int r, int sb, int j) {
                return j == sub[r] ? 63 : 0;
            }

            public int nibble(int r, int sb, int j, int l) {
                return j == sub[r] ? fill[r] : (l * 7 + j) % 16;
            }
        });
        float[] x = new float[4 * Q4_KCodec.BLOCK];
        for (int e = 0; e < Q4_KCodec.BLOCK; e++) {
            x[e] = 2f;
            x[Q4_KCodec.BLOCK + e] = -2f;
            x[2 * Q4_KCodec.BLOCK + e] = e % 2 == 0 ? 3f : -3f;
            x[3 * Q4_KCodec.BLOCK + e] = e % 32 < 16 ? -1f : 1f;
        }
        float[] s = new float[4 * 4];
        new ScalarKernels().matmul(w, x, 4, s);
        VectorKernels k = new VectorKernels();
        WeightMatrix prepared = k.prepare(w);
        float[] v = new float[4 * 4];
        k.matmul(prepared, x, 4, v);
        float[] one = new float[4];
        for (int t = 0; t < 4; t++) {
            k.matmul(prepared, Arrays.copyOfRange(x, t * Q4_KCodec.BLOCK, (t + 1) * Q4_KCodec.BLOCK), 1, one);
            for (int r = 0; r < 4; r++) {
                int i = t * 4 + r;
                assertEquals(Float.floatToRawIntBits(s[i]), Float.floatToRawIntBits(v[i]), "4 tokens, result " + i);
                assertEquals(Float.floatToRawIntBits(s[i]), Float.floatToRawIntBits(one[r]), "1 token, result " + i);
            }
        }
        // Row 0: weights 63 * 0 - 0.5 * 63 = -31.5 times 32 activations of 2 (127 * 2/127).
        assertEquals(-31.5f * 2f * 32, s[0], 1e-3f);
        // Row 1: weights 63 * 15 - 31.5 = 913.5 times -2.
        assertEquals(913.5f * -2f * 32, s[4 + 1], 1e-2f);
    }

    /**
     * Rows longer than one chunk of groups ({@link VectorQ4Matmul#CHUNK_GROUPS}): the 4-token
     * passes carry their accumulators between chunks and still give each token the bits it gets
     * alone (10 groups, the last with 2 of its 4 super-blocks; 9 tokens: two 4-token groups and
     * one single).
     */
    @Test
    void chunkedLongRowsGiveEachTokenItsSingleTokenBits() {
        Random rnd = new Random(17);
        int cols = 38 * Q4_KCodec.BLOCK;
        WeightMatrix w = new VectorKernels().prepare(KernelTestData.matrix(rnd, GGMLType.Q4_K, 37, cols, 0));
        KernelTestData.assertBatchedBitsEqualSingle(new VectorKernels(), w, KernelTestData.floats(rnd, 9 * cols, 1), 9);
    }

    @Test
    void preparedAndUnpreparedMatricesGiveTheSameBits() {
        Random rnd = new Random(11);
        WeightMatrix w = KernelTestData.matrix(rnd, GGMLType.Q4_K, 45, 1280, 0);
        float[] x = KernelTestData.floats(rnd, 6 * 1280, 1);
        VectorKernels k = new VectorKernels();
        WeightMatrix prepared = k.prepare(w);
        if (VectorQ4Dot.SUPPORTED) {
            assertNotNull(prepared.packed());
        }
        assertSame(prepared, k.prepare(prepared), "preparing twice packs once");
        float[] a = new float[6 * 45];
        float[] b = new float[6 * 45];
        k.matmul(w, x, 6, a);
        k.matmul(prepared, x, 6, b);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "result " + i);
        }
    }
}
