package io.sparkinfer.kernels;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.Q4_0Codec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q4_0 weights re-laid so that one vector lane follows one block: the layout of
 * {@link VectorQ4Dot}'s integer dots. Each row is cut into groups of 32 blocks (1024 elements);
 * a group holds 16 byte-steps of 32 bytes, step i lane j being byte i of block j (element i in
 * its low nibble, element i + 16 in its high nibble, as in ggml), then the 32 blocks' f16 scales.
 * 576 bytes per 32 blocks: exactly the size of the ggml rows, so decode reads no more memory.
 *
 * <p>Why: in ggml's layout a block's 32 products must be summed across lanes before its scale
 * applies (llama.cpp does that with pmaddubsw/pmaddwd, which the Vector API lacks). Here the 16
 * steps sum each block in its own int16 lane with plain multiplies and adds, and the scales
 * apply to 32 blocks at once: ~4 instructions per 32 weights instead of ~14.
 *
 * <p>A row whose block count is not a multiple of 32 ends in a padded group: padded blocks have
 * nibbles 8 (weight 0) and scale 0, and their activations are 0 ({@link Q8Activations}).
 */
final class Q4_0Interleaved {
    /** Blocks per group: the short lanes of a 512-bit vector. */
    static final int BLOCKS = 32;
    /** Byte-steps per group: a Q4_0 block's 16 quant bytes. */
    static final int STEPS = 16;
    /** Offset of the 32 f16 scales in a group. */
    static final int SCALES = STEPS * BLOCKS;
    /** Bytes per group. */
    static final int BYTES = SCALES + 2 * BLOCKS;

    private Q4_0Interleaved() {
    }

    /** Groups per row of cols elements. */
    static int groups(int cols) {
        return (cols / Q4_0Codec.BLOCK + BLOCKS - 1) / BLOCKS;
    }

    static long rowBytes(int cols) {
        return (long) groups(cols) * BYTES;
    }

    /**
     * w re-laid in native memory freed with the returned segment (an automatic arena), 64-byte
     * aligned. Rejects a block whose scale is infinite or NaN: the kernels convert scales with
     * a bit trick that is exact for every finite f16 only.
     */
    static MemorySegment pack(WeightMatrix w) {
        if (w.type() != GGMLType.Q4_0) {
            throw new IllegalArgumentException(w.name() + ": only Q4_0 is interleaved, not " + w.type());
        }
        long dstRow = rowBytes(w.cols());
        MemorySegment out = LargePages.allocate(dstRow * w.rows());
        // Rows in parallel on the shared pool: a 1B model's 667 MB took 2.4-3.1 s on one thread.
        Parallel.forChunks(w.rows(), (from, to) -> packRows(w, out, from, to));
        return out;
    }

    private static void packRows(WeightMatrix w, MemorySegment out, int from, int to) {
        int blocks = w.cols() / Q4_0Codec.BLOCK;
        long srcRow = w.rowBytes();
        long dstRow = rowBytes(w.cols());
        byte[] src = new byte[(int) srcRow];
        byte[] dst = new byte[(int) dstRow];
        for (int r = from; r < to; r++) {
            MemorySegment.copy(w.data(), ValueLayout.JAVA_BYTE, r * srcRow, src, 0, src.length);
            for (int b = 0; b < groups(w.cols()) * BLOCKS; b++) {
                int group = (b / BLOCKS) * BYTES;
                int lane = b % BLOCKS;
                if (b >= blocks) {
                    for (int i = 0; i < STEPS; i++) {
                        dst[group + i * BLOCKS + lane] = (byte) 0x88;
                    }
                    dst[group + SCALES + 2 * lane] = 0;
                    dst[group + SCALES + 2 * lane + 1] = 0;
                    continue;
                }
                int blk = b * Q4_0Codec.BYTES;
                if ((src[blk + 1] & 0x7C) == 0x7C) {
                    throw new IllegalArgumentException(w.name() + ": row " + r + " block " + b
                            + " has a non-finite scale (f16 bits 0x"
                            + Integer.toHexString((src[blk + 1] & 0xFF) << 8 | (src[blk] & 0xFF)) + ")");
                }
                for (int i = 0; i < STEPS; i++) {
                    dst[group + i * BLOCKS + lane] = src[blk + Q4_0Codec.QS + i];
                }
                dst[group + SCALES + 2 * lane] = src[blk];
                dst[group + SCALES + 2 * lane + 1] = src[blk + 1];
            }
            MemorySegment.copy(dst, 0, out, ValueLayout.JAVA_BYTE, r * dstRow, dst.length);
        }
    }
}
