package io.sparkinfer.kernels;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.Q5_0Codec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Q5_0 weights re-laid for the integer dots of {@link VectorQ5_0Dot}: the values as {@link
 * Q6_KInterleaved} lays Q6_K's (one lane per 32-element block, {@code q - 16} in a signed byte,
 * steps in {@link Q6_KInterleaved#slot} order), then the 32 blocks' f16 scales as {@link
 * Q4_0Interleaved} keeps Q4_0's. llama.cpp writes Q5_0 into Q4_K_M files for the matrices whose
 * rows are not whole 256-element super-blocks (Qwen2.5-0.5B's 896 columns, SmolLM2-135M's 576),
 * so for such models it is most of the weights.
 *
 * <p>Rejects a non-finite scale, as {@link Q4_0Interleaved} (the kernels' f16 conversion is exact
 * for finite values only). Padded blocks: values 0, scale 0.
 */
final class Q5_0Interleaved {
    /** Offset of the 32 f16 scales in a group. */
    static final int SCALES = Q4_0Interleaved.STEPS * Q6_KInterleaved.STEP;
    static final int BYTES = SCALES + 2 * Q4_0Interleaved.BLOCKS;

    private Q5_0Interleaved() {
    }

    static long rowBytes(int cols) {
        return (long) Q4_0Interleaved.groups(cols) * BYTES;
    }

    static MemorySegment pack(WeightMatrix w) {
        if (w.type() != GGMLType.Q5_0) {
            throw new IllegalArgumentException(w.name() + ": only Q5_0 is interleaved here, not " + w.type());
        }
        MemorySegment out = LargePages.allocate(rowBytes(w.cols()) * w.rows());
        Parallel.forChunks(w.rows(), (from, to) -> packRows(w, out, from, to));
        return out;
    }

    private static void packRows(WeightMatrix w, MemorySegment out, int from, int to) {
        int blocks = w.cols() / Q5_0Codec.BLOCK;
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
                long o = (long) b * Q5_0Codec.BYTES;
                byte lo = src.get(ValueLayout.JAVA_BYTE, o);
                byte hi = src.get(ValueLayout.JAVA_BYTE, o + 1);
                if ((hi & 0x7C) == 0x7C) {
                    throw new IllegalArgumentException(w.name() + ": row " + r + " block " + b
                            + " has a non-finite scale (f16 bits 0x"
                            + Integer.toHexString((hi & 0xFF) << 8 | (lo & 0xFF)) + ")");
                }
                dst[group + SCALES + 2 * lane] = lo;
                dst[group + SCALES + 2 * lane + 1] = hi;
                for (int i = 0; i < Q4_0Interleaved.STEPS; i++) {
                    int step = group + Q6_KInterleaved.slot(i) * Q6_KInterleaved.STEP;
                    dst[step + lane] = (byte) (Q5_0Codec.quant(src, o, i) - 16);
                    dst[step + Q4_0Interleaved.BLOCKS + lane] = (byte) (Q5_0Codec.quant(src, o, i + 16) - 16);
                }
            }
            MemorySegment.copy(dst, 0, out, ValueLayout.JAVA_BYTE, r * dstRow, dst.length);
        }
    }
}
