package io.sparkinfer.kernels;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.Q4_1Codec;
import io.sparkinfer.tensor.Q5_0Codec;
import io.sparkinfer.tensor.Q5_1Codec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * ggml's 32-element "legacy" types other than Q4_0 and Q8_0, re-laid for the integer dots of
 * {@link VectorLegacyDot}: Q5_0 ({@code d * (q - 16)}), Q5_1 and Q4_1 ({@code d * q + m}). A group
 * of 32 blocks holds the values a byte each (one lane per block, {@code q - }{@link #center}
 * in a signed byte, 16 steps of {@link #STEP} bytes in {@link #slot} order; {@link
 * Q5_KInterleaved} lays Q5_K's values the same way), then the 32 blocks' f16 d at {@link #SCALES}, then, for the types with a min, their f16 m at
 * {@link #MINS}, each in lane order. llama.cpp writes Q5_0 into Q4_K_M files and Q5_1 into
 * Q5_K_M files for the matrices whose rows are not whole 256-element super-blocks (Qwen2.5-0.5B's
 * 896 columns, SmolLM2-135M's 576): for such models most of the weights.
 *
 * <p>Rejects a non-finite d or m, naming row and block (the kernel's f16 conversion is exact for
 * finite values only). Padded blocks: values, d and m 0.
 */
final class LegacyInterleaved {
    /** Bytes of one step: the 32 lanes' element i, then their element i + 16. */
    static final int STEP = 2 * Q4_0Interleaved.BLOCKS;
    /** Offset of the 32 f16 scales d in a group. */
    static final int SCALES = Q4_0Interleaved.STEPS * STEP;
    /** Offset of the 32 f16 mins m in a group (Q5_1, Q4_1). */
    static final int MINS = SCALES + 2 * Q4_0Interleaved.BLOCKS;

    private LegacyInterleaved() {
    }

    /**
     * Where step i sits among a group's 16: steps i and i + 8 side by side (0, 8, 1, 9, ...), the
     * order in which the kernels' loops read them, one iteration taking both. In step order a
     * loop read lines 0, 8, 1, 9, ... of each group: from DRAM one core ran 14 GB/s against 25
     * for sequential reads (session 15, on Q6_K's byte layout then).
     */
    static int slot(int i) {
        return 2 * (i % 8) + i / 8;
    }

    /** Whether type's elements carry a min ({@code d * q + m}): Q5_1, Q4_1. */
    static boolean hasMins(GGMLType type) {
        return type == GGMLType.Q5_1 || type == GGMLType.Q4_1;
    }

    /** The value subtracted from each quant: half its range (Q4_1: 8; Q5_0, Q5_1: 16). */
    static int center(GGMLType type) {
        return type == GGMLType.Q4_1 ? 8 : 16;
    }

    /** Bytes per group of type. */
    static int bytes(GGMLType type) {
        return MINS + (hasMins(type) ? 2 * Q4_0Interleaved.BLOCKS : 0);
    }

    static long rowBytes(GGMLType type, int cols) {
        return (long) Q4_0Interleaved.groups(cols) * bytes(type);
    }

    static MemorySegment pack(WeightMatrix w) {
        if (w.type() != GGMLType.Q5_0 && !hasMins(w.type())) {
            throw new IllegalArgumentException(w.name() + ": only Q5_0, Q5_1 and Q4_1 are interleaved here, not "
                    + w.type());
        }
        MemorySegment out = LargePages.allocate(rowBytes(w.type(), w.cols()) * w.rows());
        Parallel.forChunks(w.rows(), (from, to) -> packRows(w, out, from, to));
        return out;
    }

    /** The quant (before centring) of element e of the block at o. */
    private static int quant(GGMLType type, MemorySegment src, long o, int e) {
        return switch (type) {
            case Q5_0 -> Q5_0Codec.quant(src, o, e);
            case Q5_1 -> Q5_1Codec.quant(src, o, e);
            default -> Q4_1Codec.quant(src, o, e);
        };
    }

    private static void packRows(WeightMatrix w, MemorySegment out, int from, int to) {
        GGMLType type = w.type();
        int center = center(type);
        int fields = hasMins(type) ? 2 : 1; // d, then m
        int groupBytes = bytes(type);
        int blockBytes = type.typeSize;
        int blocks = w.cols() / Q4_0Interleaved.BLOCKS;
        long srcRow = w.rowBytes();
        long dstRow = rowBytes(type, w.cols());
        MemorySegment src = MemorySegment.ofArray(new byte[(int) srcRow]);
        byte[] dst = new byte[(int) dstRow];
        for (int r = from; r < to; r++) {
            MemorySegment.copy(w.data(), r * srcRow, src, 0, srcRow);
            Arrays.fill(dst, (byte) 0);
            for (int b = 0; b < blocks; b++) {
                int group = (b / Q4_0Interleaved.BLOCKS) * groupBytes;
                int lane = b % Q4_0Interleaved.BLOCKS;
                long o = (long) b * blockBytes;
                for (int k = 0; k < fields; k++) {
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
                    int step = group + slot(i) * STEP;
                    dst[step + lane] = (byte) (quant(type, src, o, i) - center);
                    dst[step + Q4_0Interleaved.BLOCKS + lane] = (byte) (quant(type, src, o, i + 16) - center);
                }
            }
            MemorySegment.copy(dst, 0, out, ValueLayout.JAVA_BYTE, r * dstRow, dst.length);
        }
    }
}
