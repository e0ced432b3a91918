package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.Q4_0Codec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Q4_0 x int8 path ({@link Q4_0Interleaved}, {@link Q8Activations}, {@link VectorQ4Dot}):
 * the packed layout, the f16 scale conversion for every finite f16, int16 block sums at their
 * extremes, and prepared vs unprepared matrices. Scalar-vs-vector agreement on random data and
 * batch invariance are in {@link KernelEquivalenceTest} and {@link BatchInvarianceTest}.
 */
class Q4_0IntegerDotTest {
    private static final int QK = Q4_0Codec.BLOCK;

    /** A Q4_0 matrix with scale bits scale(r, b) and every quant byte equal to quant(r, b, i). */
    private static WeightMatrix matrix(int rows, int cols, ScaleBits scale, QuantByte quant) {
        int blocks = cols / QK;
        MemorySegment data = Arena.ofAuto().allocate((long) rows * blocks * Q4_0Codec.BYTES);
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                long blk = ((long) r * blocks + b) * Q4_0Codec.BYTES;
                data.set(ValueLayout.JAVA_SHORT_UNALIGNED, blk, scale.bits(r, b));
                for (int i = 0; i < QK / 2; i++) {
                    data.set(ValueLayout.JAVA_BYTE, blk + Q4_0Codec.QS + i, quant.of(r, b, i));
                }
            }
        }
        return new WeightMatrix("test.q4_0", GGMLType.Q4_0, rows, cols, data);
    }

    interface ScaleBits {
        short bits(int row, int block);
    }

    interface QuantByte {
        byte of(int row, int block, int i);
    }

    @Test
    void packsBlocksLaneByLaneAndPadsTheLastGroup() {
        Random rnd = new Random(3);
        int cols = 37 * QK; // two groups, the second with 27 padded blocks
        WeightMatrix w = matrix(3, cols, (r, b) -> (short) (0x3000 + r * 64 + b),
                (r, b, i) -> (byte) rnd.nextInt(256));
        MemorySegment p = Q4_0Interleaved.pack(w);
        assertEquals(3 * 2 * Q4_0Interleaved.BYTES, p.byteSize());
        assertEquals(0, p.address() % 64, "packed rows start on a cache line");
        for (int r = 0; r < 3; r++) {
            for (int b = 0; b < 64; b++) {
                long group = r * Q4_0Interleaved.rowBytes(cols) + (b / 32) * (long) Q4_0Interleaved.BYTES;
                int lane = b % 32;
                short scale = p.get(ValueLayout.JAVA_SHORT_UNALIGNED, group + Q4_0Interleaved.SCALES + 2L * lane);
                for (int i = 0; i < 16; i++) {
                    byte got = p.get(ValueLayout.JAVA_BYTE, group + i * 32L + lane);
                    byte want = b < 37
                            ? w.data().get(ValueLayout.JAVA_BYTE, ((long) r * 37 + b) * Q4_0Codec.BYTES + 2 + i)
                            : (byte) 0x88;
                    assertEquals(want, got, "row " + r + " block " + b + " byte " + i);
                }
                assertEquals(b < 37 ? (short) (0x3000 + r * 64 + b) : 0, scale, "scale of block " + b);
            }
        }
    }

    @Test
    void rejectsANonFiniteScaleNamingRowAndBlock() {
        WeightMatrix w = matrix(2, 64, (r, b) -> r == 1 && b == 1 ? (short) 0x7C00 : (short) 0x3C00,
                (r, b, i) -> (byte) 0x99);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Q4_0Interleaved.pack(w));
        assertTrue(e.getMessage().contains("test.q4_0") && e.getMessage().contains("row 1 block 1"), e.getMessage());
    }

    /**
     * Every finite f16 as a block scale (subnormals, zeros, the largest): row r, block j carries
     * pattern r * 32 + j, weights all 1 (nibble 9), and token t's activations are 1 at block t's
     * first element only. So out[t][r] is 127 * (scale * (1 / 127)), one rounding, and must match
     * that bit for bit, through the 4-token kernel (32 tokens) and the 1-token kernel alike.
     */
    @Test
    void convertsEveryFiniteF16ScaleExactly() {
        int patterns = 1 << 16;
        int rows = patterns / 32;
        int cols = 32 * QK;
        ScaleBits scale = (r, b) -> {
            int bits = r * 32 + b;
            return (bits & 0x7C00) == 0x7C00 ? 0 : (short) bits; // inf / NaN: not a valid scale
        };
        WeightMatrix w = matrix(rows, cols, scale, (r, b, i) -> (byte) 0x99);
        float[] x = new float[32 * cols];
        for (int t = 0; t < 32; t++) {
            x[t * cols + t * QK] = 1f;
        }
        VectorKernels k = new VectorKernels();
        WeightMatrix prepared = k.prepare(w);
        float[] out = new float[32 * rows];
        k.matmul(prepared, x, 32, out);
        float[] one = new float[rows];
        float d = 1f / 127f;
        for (int t = 0; t < 32; t++) {
            float[] xt = Arrays.copyOfRange(x, t * cols, (t + 1) * cols);
            k.matmul(prepared, xt, 1, one);
            for (int r = 0; r < rows; r++) {
                float dw = Float.float16ToFloat(scale.bits(r, t));
                float want = Math.fma(127f, dw * d, 0f);
                String f16 = "f16 0x" + Integer.toHexString(scale.bits(r, t) & 0xFFFF);
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(out[t * rows + r]),
                        f16 + " (4 tokens)");
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(one[r]), f16 + " (1 token)");
            }
        }
    }

    /**
     * One block at the int16 limits: nibble 0 (weight -8) or 15 (weight 7) times activations
     * quantized to +-127 gives block sums of +-32512 and -+28448; scalar and vector kernels must
     * agree exactly (a one-block row has nothing to reorder).
     */
    @Test
    void blockSumsAtTheInt16LimitsAreExact() {
        byte[] nibbles = {0x00, (byte) 0xFF, (byte) 0x0F, (byte) 0xF0};
        WeightMatrix w = matrix(nibbles.length, QK, (r, b) -> (short) 0x3C00, (r, b, i) -> nibbles[r]);
        float[] x = new float[4 * QK];
        for (int e = 0; e < QK; e++) {
            x[e] = 2f;
            x[QK + e] = -2f;
            x[2 * QK + e] = e % 2 == 0 ? 3f : -3f;
            x[3 * QK + e] = e < 16 ? -1f : 1f;
        }
        float[] s = new float[4 * nibbles.length];
        float[] v = new float[4 * nibbles.length];
        new ScalarKernels().matmul(w, x, 4, s);
        VectorKernels k = new VectorKernels();
        k.matmul(k.prepare(w), x, 4, v);
        for (int i = 0; i < s.length; i++) {
            assertEquals(Float.floatToRawIntBits(s[i]), Float.floatToRawIntBits(v[i]), "result " + i);
        }
        assertEquals(-32512f * (2f / 127f), s[0], 1e-3f); // all weights -8, activations +127
        assertEquals(32512f * (2f / 127f), s[nibbles.length], 1e-3f);
    }

    /**
     * The vector quantizer of the kernel layout gives the reference quantizer's integers, scales,
     * offset terms and scaled sums (Q4_K's min term), including values exactly halfway between two integers (amax 127 makes the
     * scale 1) and blocks of zeros.
     */
    @Test
    void layoutQuantizerMatchesTheReferenceQuantizer() {
        Random rnd = new Random(5);
        int cols = 40 * QK; // two groups, the second padded
        float[] x = new float[2 * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian() * (i % 7 == 0 ? 1e-3f : 2f);
        }
        float[] halves = {127f, 3.5f, -3.5f, 0.5f, -0.5f, 126.5f, -126.5f, 0.49999997f, -0f, 64.5f};
        System.arraycopy(halves, 0, x, 5 * QK, halves.length);
        Arrays.fill(x, 7 * QK, 8 * QK, 0f);
        MemorySegment xq = Arena.ofAuto().allocate(2 * Q8Activations.tokenBytes(cols), 64);
        Q8Activations.quantize(x, cols, 0, 2, xq, new int[Q8Activations.SCRATCH_INTS], new byte[2048]);
        int[] q = new int[QK];
        for (int t = 0; t < 2; t++) {
            for (int b = 0; b < 64; b++) {
                long group = t * Q8Activations.tokenBytes(cols) + (b / 32) * (long) Q8Activations.BYTES;
                int lane = b % 32;
                float d = b < 40 ? Q8Activations.quantizeBlock(x, t * cols + b * QK, q) : 0f;
                if (b >= 40) {
                    Arrays.fill(q, 0);
                }
                int sum = 0;
                for (int e = 0; e < QK; e++) {
                    long at = group + (e & 15) * 128L + (e >> 4) * 64L + 2L * lane;
                    int want = e < 16 ? q[e] : q[e] - 16 * q[e - 16]; // high half: see Q8Activations
                    assertEquals(want, xq.get(ValueLayout.JAVA_SHORT, at), "token " + t + " block " + b + " elem " + e);
                    sum += q[e];
                }
                float gotD = xq.get(ValueLayout.JAVA_FLOAT,
                        group + Q8Activations.SCALES + 4L * Q8Activations.scaleSlot(lane));
                assertEquals(Float.floatToRawIntBits(d), Float.floatToRawIntBits(gotD), "scale of block " + b);
                short gotOffset = xq.get(ValueLayout.JAVA_SHORT, group + Q8Activations.OFFSETS + 2L * lane);
                assertEquals((short) (-8 * sum), gotOffset, "offset term of block " + b);
                float gotDsum = xq.get(ValueLayout.JAVA_FLOAT,
                        group + Q8Activations.DSUMS + 4L * Q8Activations.scaleSlot(lane));
                assertEquals(Float.floatToRawIntBits(Q8Activations.scaledSum(d, q, 0)), Float.floatToRawIntBits(gotDsum),
                        "d * sum(q) of block " + b);
            }
        }
        Q8Activations.quantizeBlock(x, 5 * QK, q);
        assertEquals(127, q[0]);
        assertEquals(4, q[1], "3.5 rounds half away from zero");
        assertEquals(-4, q[2]);
        assertEquals(1, q[3]);
        assertEquals(-1, q[4]);
        assertEquals(127, q[5], "126.5 rounds up to 127");
        assertEquals(-127, q[6]);
        assertEquals(0, q[7], "0.49999997 is below one half (y + 0.5 would round to 1 in floats)");
        assertEquals(0, q[8]);
        assertEquals(65, q[9]);
    }

    /**
     * Rows longer than one chunk of groups ({@link VectorQ4Matmul#CHUNK_GROUPS}): the 4-token
     * passes carry their accumulators between chunks, and still give each token the bits it gets
     * alone (10 groups, the last padded; 9 tokens: two 4-token groups and one single).
     */
    @Test
    void chunkedLongRowsGiveEachTokenItsSingleTokenBits() {
        Random rnd = new Random(17);
        int cols = 289 * QK;
        WeightMatrix w = new VectorKernels().prepare(KernelTestData.matrix(rnd, GGMLType.Q4_0, 37, cols, 0));
        KernelTestData.assertBatchedBitsEqualSingle(new VectorKernels(), w, KernelTestData.floats(rnd, 9 * cols, 1), 9);
    }

    @Test
    void preparedAndUnpreparedMatricesGiveTheSameBits() {
        Random rnd = new Random(11);
        WeightMatrix w = KernelTestData.matrix(rnd, GGMLType.Q4_0, 45, 1056, 0);
        float[] x = KernelTestData.floats(rnd, 6 * 1056, 1);
        VectorKernels k = new VectorKernels();
        WeightMatrix prepared = k.prepare(w);
        assertNotNull(prepared.packed());
        assertSame(prepared, k.prepare(prepared), "preparing twice packs once");
        assertNull(new ScalarKernels().prepare(w).packed(), "the scalar kernels keep the ggml layout");
        float[] a = new float[6 * 45];
        float[] b = new float[6 * 45];
        k.matmul(w, x, 6, a);
        k.matmul(prepared, x, 6, b);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "result " + i);
        }
    }
}
