package io.sparkinfer.kernels;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.Q4_KCodec;
import io.sparkinfer.tensor.Q5_KCodec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Q5_K weights re-laid for the integer dots of {@link VectorQ5KDot}: the values as {@link
 * LegacyFiveBits} lays Q5_0's (one lane per 32-element sub-block, {@code q - 16} in five bits),
 * then the scales as {@link Q4_KInterleaved} keeps Q4_K's: per group of 32 sub-blocks, {@link
 * #SC} and {@link #MINS} (6-bit, {@link Q8Activations#scaleSlot} order), then {@link #D}, the four
 * super-blocks' d and -dmin as floats. 736 bytes per 1024 weights against ggml's 704 (1120 with
 * the byte per value of sessions 15-17, which made decode read 1.6x ggml's bytes). Before
 * four-token passes {@link VectorLegacyDot#expand} writes a block of rows with the values a
 * byte each, {@link #EXPANDED_BYTES} per group, the scales {@link LegacyFiveBits#EXPANSION}
 * bytes later than here ({@link VectorQ5KDot#scales} reads that form).
 */
final class Q5_KInterleaved {
    /** Offset of the scales in a group. */
    static final int SC = LegacyFiveBits.SCALES;
    /** Offset of the mins in a group. */
    static final int MINS = SC + Q4_0Interleaved.BLOCKS;
    /** Offset of the super-blocks' d, then -dmin (8 floats). */
    static final int D = MINS + Q4_0Interleaved.BLOCKS;
    static final int SUPER = Q4_KInterleaved.SUPER;
    static final int BYTES = D + 2 * SUPER * Float.BYTES;
    /** Bytes per group with the values a byte each ({@link VectorLegacyDot#expand}). */
    static final int EXPANDED_BYTES = BYTES + LegacyFiveBits.EXPANSION;
    /** Bytes after the last row: {@link #D} is loaded as a whole float vector. */
    static final int TAIL = 64;

    private Q5_KInterleaved() {
    }

    static long rowBytes(int cols) {
        return (long) Q4_0Interleaved.groups(cols) * BYTES;
    }

    static MemorySegment pack(WeightMatrix w) {
        if (w.type() != GGMLType.Q5_K) {
            throw new IllegalArgumentException(w.name() + ": only Q5_K is interleaved here, not " + w.type());
        }
        MemorySegment out = LargePages.allocate(rowBytes(w.cols()) * w.rows() + TAIL);
        Parallel.forChunks(w.rows(), (from, to) -> packRows(w, out, from, to));
        return out;
    }

    private static void packRows(WeightMatrix w, MemorySegment out, int from, int to) {
        int supers = w.cols() / Q5_KCodec.BLOCK;
        long srcRow = w.rowBytes();
        long dstRow = rowBytes(w.cols());
        MemorySegment src = MemorySegment.ofArray(new byte[(int) srcRow]);
        byte[] dst = new byte[(int) dstRow];
        int[] v = new int[2 * Q4_0Interleaved.STEPS];
        for (int r = from; r < to; r++) {
            MemorySegment.copy(w.data(), r * srcRow, src, 0, srcRow);
            Arrays.fill(dst, (byte) 0); // padded sub-blocks: values, scales, mins and d all zero
            for (int b = 0; b < supers; b++) {
                int group = (b / SUPER) * BYTES;
                long o = (long) b * Q5_KCodec.BYTES;
                float d = Float.float16ToFloat(src.get(ValueLayout.JAVA_SHORT_UNALIGNED, o));
                float dmin = Float.float16ToFloat(src.get(ValueLayout.JAVA_SHORT_UNALIGNED, o + 2));
                Q4_KInterleaved.setFloat(dst, group + D + (b % SUPER) * Float.BYTES, d);
                Q4_KInterleaved.setFloat(dst, group + D + (SUPER + b % SUPER) * Float.BYTES, -dmin);
                for (int j = 0; j < 8; j++) {
                    int lane = (b % SUPER) * 8 + j;
                    int slot = Q8Activations.scaleSlot(lane);
                    dst[group + SC + slot] = (byte) Q4_KCodec.scale(src, o + 4, j);
                    dst[group + MINS + slot] = (byte) Q4_KCodec.min(src, o + 4, j);
                    for (int e = 0; e < v.length; e++) {
                        v[e] = Q5_KCodec.quant(src, o, 32 * j + e) - 16;
                    }
                    LegacyFiveBits.putValues(dst, group, lane, v);
                }
            }
            MemorySegment.copy(dst, 0, out, ValueLayout.JAVA_BYTE, r * dstRow, dst.length);
        }
    }
}
