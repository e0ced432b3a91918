package io.sparkinfer.kernels;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.Q4_KCodec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Q4_K weights re-laid for the integer dots of {@link VectorQ4KDot}: the nibbles exactly as
 * {@link Q4_0Interleaved} lays Q4_0's, one vector lane per 32-element sub-block, so the Q4_0
 * block-sum kernels ({@link VectorQ4Dot}) sum Q4_K sub-blocks unchanged. A group is 32
 * sub-blocks (four super-blocks, 1024 elements):
 * <ul>
 * <li>16 byte-steps of 32 bytes, step i lane j: element i of sub-block j in the low nibble,
 *     element i + 16 in the high nibble (ggml keeps sub-block 2c in the low nibbles of bytes
 *     32c .. 32c + 32 and sub-block 2c + 1 in their high nibbles);</li>
 * <li>{@link #SC}: the 32 six-bit scales, one byte each, in {@link Q8Activations#scaleSlot}
 *     order (the order in which the epilogue meets the block sums);</li>
 * <li>{@link #MINS}: the 32 six-bit mins, likewise;</li>
 * <li>{@link #D}: the four super-blocks' d, then their -dmin, as floats.</li>
 * </ul>
 * 608 bytes per 1024 weights (19 per 32) against ggml's 576: the scales stay compact (d * sc
 * has up to 17 significant bits, so no f16 holds it exactly), and the kernel multiplies them
 * out once per row and group, for every token of a pass.
 *
 * <p>A row whose super-block count is not a multiple of 4 ends in a padded group: nibbles 8,
 * scales, mins and d all zero, and zero activations ({@link Q8Activations}).
 */
final class Q4_KInterleaved {
    /** Offset of the scales in a group. */
    static final int SC = Q4_0Interleaved.STEPS * Q4_0Interleaved.BLOCKS;
    /** Offset of the mins in a group. */
    static final int MINS = SC + Q4_0Interleaved.BLOCKS;
    /** Offset of the super-blocks' d and -dmin (8 floats) in a group. */
    static final int D = MINS + Q4_0Interleaved.BLOCKS;
    /** Super-blocks per group. */
    static final int SUPER = Q4_0Interleaved.BLOCKS * 32 / Q4_KCodec.BLOCK;
    /** Bytes per group. */
    static final int BYTES = D + 2 * SUPER * Float.BYTES;
    /**
     * Bytes after the last row: the kernels load {@link #D} as one whole float vector (up to 64
     * bytes, of which they use the first 32), which in the last group reaches past the row.
     */
    static final int TAIL = 64;

    private Q4_KInterleaved() {
    }

    static long rowBytes(int cols) {
        return (long) Q4_0Interleaved.groups(cols) * BYTES;
    }

    /** w re-laid in native memory (on huge pages where possible), 64-byte aligned. */
    static MemorySegment pack(WeightMatrix w) {
        if (w.type() != GGMLType.Q4_K) {
            throw new IllegalArgumentException(w.name() + ": only Q4_K is interleaved here, not " + w.type());
        }
        long dstRow = rowBytes(w.cols());
        MemorySegment out = LargePages.allocate(dstRow * w.rows() + TAIL);
        Parallel.forChunks(w.rows(), (from, to) -> packRows(w, out, from, to));
        return out;
    }

    private static void packRows(WeightMatrix w, MemorySegment out, int from, int to) {
        int supers = w.cols() / Q4_KCodec.BLOCK;
        long srcRow = w.rowBytes();
        long dstRow = rowBytes(w.cols());
        MemorySegment src = MemorySegment.ofArray(new byte[(int) srcRow]);
        byte[] dst = new byte[(int) dstRow]; // zero: padded sub-blocks get scale 0, min 0, d 0
        for (int r = from; r < to; r++) {
            MemorySegment.copy(w.data(), r * srcRow, src, 0, srcRow);
            Arrays.fill(dst, (byte) 0);
            for (int b = 0; b < Q4_0Interleaved.groups(w.cols()) * SUPER; b++) {
                int group = (b / SUPER) * BYTES;
                int first = (b % SUPER) * 8; // the lane of the super-block's sub-block 0
                if (b >= supers) {
                    for (int lane = first; lane < first + 8; lane++) {
                        for (int i = 0; i < Q4_0Interleaved.STEPS; i++) {
                            dst[group + i * Q4_0Interleaved.BLOCKS + lane] = (byte) 0x88;
                        }
                    }
                    continue;
                }
                long o = (long) b * Q4_KCodec.BYTES;
                float d = Float.float16ToFloat(src.get(ValueLayout.JAVA_SHORT_UNALIGNED, o));
                float dmin = Float.float16ToFloat(src.get(ValueLayout.JAVA_SHORT_UNALIGNED, o + 2));
                setFloat(dst, group + D + (b % SUPER) * Float.BYTES, d);
                setFloat(dst, group + D + (SUPER + b % SUPER) * Float.BYTES, -dmin);
                for (int j = 0; j < 8; j++) {
                    int lane = first + j;
                    int slot = Q8Activations.scaleSlot(lane);
                    dst[group + SC + slot] = (byte) Q4_KCodec.scale(src, o + 4, j);
                    dst[group + MINS + slot] = (byte) Q4_KCodec.min(src, o + 4, j);
                    long qs = o + 16 + 32L * (j / 2);
                    int shift = 4 * (j % 2);
                    for (int i = 0; i < Q4_0Interleaved.STEPS; i++) {
                        int lo = (src.get(ValueLayout.JAVA_BYTE, qs + i) & 0xFF) >>> shift & 15;
                        int hi = (src.get(ValueLayout.JAVA_BYTE, qs + i + 16) & 0xFF) >>> shift & 15;
                        dst[group + i * Q4_0Interleaved.BLOCKS + lane] = (byte) (lo | hi << 4);
                    }
                }
            }
            MemorySegment.copy(dst, 0, out, ValueLayout.JAVA_BYTE, r * dstRow, dst.length);
        }
    }

    /** v's bits at dst[at ..] little-endian, as the kernels load floats (also Q5_KInterleaved's). */
    static void setFloat(byte[] dst, int at, float v) {
        int bits = Float.floatToRawIntBits(v);
        for (int k = 0; k < 4; k++) { // little-endian, as the kernels load it
            dst[at + k] = (byte) (bits >>> 8 * k);
        }
    }
}
