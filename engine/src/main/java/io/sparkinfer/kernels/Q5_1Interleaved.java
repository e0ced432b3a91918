package io.sparkinfer.kernels;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.Q4_1Codec;
import io.sparkinfer.tensor.Q5_1Codec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Q5_1 and Q4_1 weights (element {@code d * q + m}) re-laid for the integer dots of {@link
 * VectorQ5_1Dot}: the values as {@link Q5_0Interleaved} lays Q5_0's, centred ({@code q -}
 * {@link #center}: 16 for Q5_1, 8 for Q4_1) in signed bytes, then the 32 blocks' f16 d, then
 * their f16 m, each in lane order. llama.cpp writes Q5_1 into Q5_K_M files for the matrices whose
 * rows are not whole super-blocks (SmolLM2-135M's 576 columns, Qwen2.5-0.5B's 896).
 *
 * <p>Rejects a non-finite d or m (the kernel's f16 conversion is exact for finite values only).
 * Padded blocks: values 0, d and m 0.
 */
final class Q5_1Interleaved {
    /** Offset of the 32 f16 scales d in a group. */
    static final int SCALES = Q4_0Interleaved.STEPS * Q6_KInterleaved.STEP;
    /** Offset of the 32 f16 mins m in a group. */
    static final int MINS = SCALES + 2 * Q4_0Interleaved.BLOCKS;
    static final int BYTES = MINS + 2 * Q4_0Interleaved.BLOCKS;

    private Q5_1Interleaved() {
    }

    /** The value subtracted from each quant: half its range. */
    static int center(GGMLType type) {
        return type == GGMLType.Q5_1 ? 16 : 8;
    }

    static long rowBytes(int cols) {
        return (long) Q4_0Interleaved.groups(cols) * BYTES;
    }

    static MemorySegment pack(WeightMatrix w) {
        if (w.type() != GGMLType.Q5_1 && w.type() != GGMLType.Q4_1) {
            throw new IllegalArgumentException(w.name() + ": only Q5_1 and Q4_1 are interleaved here, not " + w.type());
        }
        MemorySegment out = LargePages.allocate(rowBytes(w.cols()) * w.rows());
        Parallel.forChunks(w.rows(), (from, to) -> packRows(w, out, from, to));
        return out;
    }

    private static void packRows(WeightMatrix w, MemorySegment out, int from, int to) {
        boolean five = w.type() == GGMLType.Q5_1;
        int center = center(w.type());
        int blockBytes = w.type().typeSize;
        int blocks = w.cols() / Q4_0Interleaved.BLOCKS;
        long srcRow = w.rowBytes();
        long dstRow = rowBytes(w.cols());
        MemorySegment src = MemorySegment.ofArray(new byte[(int) srcRow]);
        byte[] dst = new byte[(int) dstRow];
        for (int r = from; r < to; r++) {
            MemorySegment.copy(w.data(), r * srcRow, src, 0, srcRow);
            Arrays.fill(dst, (byte) 0);
            for (int b = 0; b < blocks; b++) {
                int group = (b / Q4_0Interleaved.BLOCKS) * BYTES;
                int lane = b % Q4_0Interleaved.BLOCKS;
                long o = (long) b * blockBytes;
                for (int k = 0; k < 2; k++) { // d, then m
                    byte lo = src.get(ValueLayout.JAVA_BYTE, o + 2 * k);
                    byte hi = src.get(ValueLayout.JAVA_BYTE, o + 2 * k + 1);
                    if ((hi & 0x7C) == 0x7C) {
                        throw new IllegalArgumentException(w.name() + ": row " + r + " block " + b + " has a non-finite "
                                + (k == 0 ? "scale" : "min") + " (f16 bits 0x"
                                + Integer.toHexString((hi & 0xFF) << 8 | (lo & 0xFF)) + ")");
                    }
                    int at = group + (k == 0 ? SCALES : MINS) + 2 * lane;
                    dst[at] = lo;
                    dst[at + 1] = hi;
                }
                for (int i = 0; i < Q4_0Interleaved.STEPS; i++) {
                    int step = group + Q6_KInterleaved.slot(i) * Q6_KInterleaved.STEP;
                    int q0 = five ? Q5_1Codec.quant(src, o, i) : Q4_1Codec.quant(src, o, i);
                    int q1 = five ? Q5_1Codec.quant(src, o, i + 16) : Q4_1Codec.quant(src, o, i + 16);
                    dst[step + lane] = (byte) (q0 - center);
                    dst[step + Q4_0Interleaved.BLOCKS + lane] = (byte) (q1 - center);
                }
            }
            MemorySegment.copy(dst, 0, out, ValueLayout.JAVA_BYTE, r * dstRow, dst.length);
        }
    }
}
