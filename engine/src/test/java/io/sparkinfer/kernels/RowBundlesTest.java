package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link RowBundles}: which matrices are bundled, the virtual matrix's block order, the spread
 * activations, the packed size, errors naming the real row, and bundled matmuls against the
 * scalar reference (SmolLM2-135M's 576 columns; 17 and 23 blocks: a bundle's last slots padded
 * at 512 bits, the longest rows bundled). Batch and thread invariance of bundled shapes: here
 * and in {@link BatchInvarianceTest} (544 columns).
 */
class RowBundlesTest {
    private static final GGMLType[] TYPES = {GGMLType.Q4_0, GGMLType.Q5_0, GGMLType.Q5_1, GGMLType.Q4_1};
    private static final int QK = 32;

    @Test
    void bundlesOnlyThirtyTwoElementIntegerTypesWithPartGroups() {
        assertTrue(RowBundles.applies(GGMLType.Q4_0, 576));
        assertTrue(RowBundles.applies(GGMLType.Q5_1, 736), "23 blocks: 12 groups at 512 bits, 6 at 256");
        assertEquals(RowBundles.groups(1536) <= RowBundles.MAX_GROUPS, RowBundles.applies(GGMLType.Q5_0, 1536),
                "48 blocks: 24 groups at 512 bits (activations past L1), 12 at 256");
        assertFalse(RowBundles.applies(GGMLType.Q4_0, 2048), "whole groups: nothing to save");
        assertFalse(RowBundles.applies(GGMLType.Q8_0, 576), "Q8_0 runs the float tiles");
        assertFalse(RowBundles.applies(GGMLType.Q4_K, 768), "K-quants keep their groups");
        assertEquals(Q4_0Interleaved.BLOCKS, RowBundles.ROWS * RowBundles.PER_GROUP);
    }

    @Test
    void virtualRowsGiveEachLaneOneRowsBlocksInOrder() {
        Random rnd = new Random(5);
        for (GGMLType type : TYPES) {
            int rows = 37;
            int cols = 18 * QK;
            WeightMatrix w = KernelTestData.matrix(rnd, type, rows, cols, 0);
            WeightMatrix v = RowBundles.virtual(w);
            int groups = RowBundles.groups(cols);
            assertEquals(RowBundles.bundles(rows), v.rows());
            assertEquals(groups * 32 * QK, v.cols());
            long bytes = type.typeSize;
            int[] seen = new int[rows * 18];
            for (int vr = 0; vr < v.rows(); vr++) {
                for (int g = 0; g < groups; g++) {
                    for (int j = 0; j < 32; j++) {
                        int r = vr * RowBundles.ROWS + RowBundles.row(j);
                        int b = g * RowBundles.PER_GROUP + RowBundles.part(j);
                        long at = vr * v.rowBytes() + ((long) g * 32 + j) * bytes;
                        for (int k = 0; k < bytes; k++) {
                            byte want = r < rows && b < 18
                                    ? w.data().get(ValueLayout.JAVA_BYTE, r * w.rowBytes() + b * bytes + k) : 0;
                            assertEquals(want, v.data().get(ValueLayout.JAVA_BYTE, at + k),
                                    type + " bundle " + vr + " group " + g + " slot " + j + " byte " + k);
                        }
                        if (r < rows && b < 18) {
                            seen[r * 18 + b]++;
                        }
                    }
                }
            }
            for (int i = 0; i < seen.length; i++) {
                assertEquals(1, seen[i], type + " row " + i / 18 + " block " + i % 18 + " placed once");
            }
        }
    }

    /** Spreading quantized activations is quantizing the spread floats: same bytes. */
    @Test
    void spreadActivationsAreTheQuantizedSpreadFloats() {
        Random rnd = new Random(6);
        for (int blocks : new int[] {18, 28, 48, 1}) {
            int cols = blocks * QK;
            int tokens = 3;
            float[] x = KernelTestData.floats(rnd, tokens * cols, 1);
            int vcols = RowBundles.virtualCols(cols);
            float[] spreadFloats = new float[tokens * vcols];
            for (int t = 0; t < tokens; t++) {
                for (int g = 0; g < RowBundles.groups(cols); g++) {
                    for (int j = 0; j < 32; j++) {
                        int b = g * RowBundles.PER_GROUP + RowBundles.part(j);
                        if (b < blocks) {
                            System.arraycopy(x, t * cols + b * QK, spreadFloats, t * vcols + (g * 32 + j) * QK, QK);
                        }
                    }
                }
            }
            MemorySegment xq = quantize(x, cols, tokens);
            MemorySegment want = quantize(spreadFloats, vcols, tokens);
            MemorySegment got = Arena.ofAuto().allocate(want.byteSize(), 64);
            RowBundles.spread(xq, cols, 0, tokens, got, new int[RowBundles.SPREAD_INTS]);
            long mismatch = want.mismatch(got);
            assertEquals(-1, mismatch, blocks + " blocks: first differing byte " + mismatch + " of " + want.byteSize());
        }
    }

    private static MemorySegment quantize(float[] x, int cols, int tokens) {
        MemorySegment out = Arena.ofAuto().allocate(tokens * Q8Activations.tokenBytes(cols), 64);
        Q8Activations.quantize(x, cols, 0, tokens, out, new int[Q8Activations.SCRATCH_INTS],
                new byte[Q4_0Interleaved.STEPS * 2 * Q4_0Interleaved.BLOCKS * Short.BYTES]);
        return out;
    }

    /**
     * SmolLM2-135M's rows: 18 blocks, padded to a group of 32 they were 32/18 of the bytes that
     * decode reads; bundled, 18 blocks' worth at 512 bits (Q4_0 and Q5_0: ggml's size), 20 at 256.
     */
    @Test
    void bundledRowsTakeNoPadding() {
        Random rnd = new Random(7);
        for (GGMLType type : TYPES) {
            int rows = 64;
            WeightMatrix w = KernelTestData.matrix(rnd, type, rows, 18 * QK, 0);
            WeightMatrix prepared = new VectorKernels().prepare(w);
            long padded = rows * VectorQ4Matmul.rowBytes(type, 18 * QK);
            int blocks = RowBundles.groups(18 * QK) * RowBundles.PER_GROUP; // 18 at 512 bits, 20 at 256
            assertEquals(padded * blocks / 32, prepared.packed().byteSize(), type.toString());
            if (blocks == 18 && (type == GGMLType.Q4_0 || type == GGMLType.Q5_0)) {
                assertEquals(w.data().byteSize(), prepared.packed().byteSize(), type.toString());
            }
        }
    }

    @Test
    void rejectsANonFiniteScaleNamingTheRealRowAndBlock() {
        WeightMatrix w = KernelTestData.matrix(new Random(8), GGMLType.Q4_0, 20, 18 * QK, 0);
        MemorySegment data = Arena.ofAuto().allocate(w.data().byteSize());
        data.copyFrom(w.data());
        data.set(ValueLayout.JAVA_SHORT_UNALIGNED, 17 * w.rowBytes() + 5 * GGMLType.Q4_0.typeSize, (short) 0x7E00);
        WeightMatrix bad = new WeightMatrix("blk.3.attn_q.weight", GGMLType.Q4_0, 20, 18 * QK, data);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RowBundles.virtual(bad));
        assertTrue(e.getMessage().contains("blk.3.attn_q.weight") && e.getMessage().contains("row 17 block 5"),
                e.getMessage());
    }

    /** Bundled matmuls of every type against the scalar kernels, one token and nine (quads, then one). */
    @Test
    void bundledMatmulsMatchTheScalarKernels() {
        Random rnd = new Random(9);
        VectorKernels vector = new VectorKernels();
        ScalarKernels scalar = new ScalarKernels();
        for (GGMLType type : TYPES) {
            for (int cols : new int[] {544, 576, 736}) {
                int rows = 40; // two whole bundles and a part one at 512 bits, five at 256
                WeightMatrix w = vector.prepare(KernelTestData.matrix(rnd, type, rows, cols, 0));
                for (int n : new int[] {1, 9}) {
                    float[] x = KernelTestData.floats(rnd, n * cols, 0);
                    KernelTestData.assertMatchesScalar(scalar, vector, w, x, n, 1e-5);
                    KernelTestData.assertBatchedBitsEqualSingle(vector, w, x, n);
                }
            }
        }
    }
}
