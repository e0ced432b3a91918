package io.sparkinfer.kernels;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.Q2_KCodec;
import io.sparkinfer.tensor.Q3_KCodec;
import io.sparkinfer.tensor.Q6_KCodec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Q6_K weights re-laid for the integer dots of {@link VectorQ6KDot}: one vector lane per
 * 32-element block (two Q6_K sub-blocks of 16, each with its int8 scale), the lanes of {@link
 * Q8Activations}. A group is 32 blocks (four super-blocks, 1024 elements):
 * <ul>
 * <li>16 steps of 64 bytes ({@link #slot}): step i holds, for lanes 0..31, element i of each
 *     block, then element i + 16 (the block's second sub-block), each as {@code q - 32} in a
 *     signed byte;</li>
 * <li>{@link #SA}, {@link #SB}: the two sub-blocks' int8 scales per block, in {@link
 *     Q8Activations#scaleSlot} order;</li>
 * <li>{@link #D}: the four super-blocks' d as floats (and four zero floats).</li>
 * </ul>
 * 1120 bytes per 1024 weights (8.75 bits each, against ggml's 6.56): a byte per value keeps the
 * kernel at one sign extension per 32 values, where ggml's split low and high bits would cost
 * several shifts and masks per step (x86 has no byte shifts); decode reads 1.33x the bytes and
 * still runs at memory speed instead of the float decode-dot's ~9 instructions per 16 weights.
 *
 * <p>Q3_K ({@code d * (sc - 32) * q}, q = -4..3, 16 scales of 6 bits per super-block) is laid
 * out the same way, values and scales as signed bytes, and runs the same kernel exactly: 8.75
 * bits per weight against ggml's 3.44, so decode reads 2.5x the bytes; exact, and a file that
 * was refused before loads.
 *
 * <p>Q2_K ({@code d * sc * q - dmin * m}, q = 0..3, 4-bit sc and m per 16 elements) likewise,
 * with its d and -dmin as {@link Q4_KInterleaved} keeps them (d at {@link #D}, -dmin 16 bytes
 * on) and the sub-blocks' mins at {@link #MA}, {@link #MB}: {@link VectorQ2KDot}.
 *
 * <p>A row whose super-block count is not a multiple of 4 ends in a padded group: values 0,
 * scales 0, d 0, and zero activations ({@link Q8Activations}).
 */
final class Q6_KInterleaved {
    /** Bytes of one step: the 32 lanes' element i, then their element i + 16. */
    static final int STEP = 2 * Q4_0Interleaved.BLOCKS;
    /** Offset of the first sub-blocks' scales in a group. */
    static final int SA = Q4_0Interleaved.STEPS * STEP;
    /** Offset of the second sub-blocks' scales in a group. */
    static final int SB = SA + Q4_0Interleaved.BLOCKS;
    /** Offset of the super-blocks' d (4 floats, then 4 zeros) in a group. */
    static final int D = SB + Q4_0Interleaved.BLOCKS;
    /** Super-blocks per group. */
    static final int SUPER = Q4_0Interleaved.BLOCKS * 32 / Q6_KCodec.BLOCK;
    /** Bytes per group. */
    static final int BYTES = D + 2 * SUPER * Float.BYTES;
    /** Q2_K: offset of the first sub-blocks' mins in a group (then the second's at {@link #MB}). */
    static final int MA = BYTES;
    static final int MB = MA + Q4_0Interleaved.BLOCKS;
    /** Q2_K: bytes per group. */
    static final int BYTES_WITH_MINS = MB + Q4_0Interleaved.BLOCKS;
    /** Bytes after the last row: {@link #D} is loaded as a whole float vector (see Q4_KInterleaved). */
    static final int TAIL = 64;

    private Q6_KInterleaved() {
    }

    /**
     * Where step i sits among a group's 16: steps i and i + 8 side by side (0, 8, 1, 9, ...), the
     * order in which the kernel's loop reads them, one iteration taking both. In step order the
     * loop read lines 0, 8, 1, 9, ... of each group: from DRAM one core ran 14 GB/s against 25
     * for Q4_K's sequential reads.
     */
    static int slot(int i) {
        return 2 * (i % 8) + i / 8;
    }

    /** Bytes of one packed row of type (Q6_K, Q3_K, or Q2_K with its mins). */
    static long rowBytes(GGMLType type, int cols) {
        return (long) Q4_0Interleaved.groups(cols) * (type == GGMLType.Q2_K ? BYTES_WITH_MINS : BYTES);
    }

    /** w re-laid in native memory (on huge pages where possible), 64-byte aligned. */
    static MemorySegment pack(WeightMatrix w) {
        if (w.type() != GGMLType.Q6_K && w.type() != GGMLType.Q3_K && w.type() != GGMLType.Q2_K) {
            throw new IllegalArgumentException(w.name() + ": only Q6_K, Q3_K and Q2_K are interleaved here, not "
                    + w.type());
        }
        MemorySegment out = LargePages.allocate(rowBytes(w.type(), w.cols()) * w.rows() + TAIL);
        Parallel.forChunks(w.rows(), (from, to) -> packRows(w, out, from, to));
        return out;
    }

    private static void packRows(WeightMatrix w, MemorySegment out, int from, int to) {
        GGMLType type = w.type();
        int superBytes = type.typeSize;
        int groupBytes = type == GGMLType.Q2_K ? BYTES_WITH_MINS : BYTES;
        int supers = w.cols() / Q6_KCodec.BLOCK;
        long srcRow = w.rowBytes();
        long dstRow = rowBytes(type, w.cols());
        MemorySegment src = MemorySegment.ofArray(new byte[(int) srcRow]);
        byte[] dst = new byte[(int) dstRow];
        for (int r = from; r < to; r++) {
            MemorySegment.copy(w.data(), r * srcRow, src, 0, srcRow);
            Arrays.fill(dst, (byte) 0); // padded blocks: values, scales and d all zero
            for (int b = 0; b < supers; b++) {
                int group = (b / SUPER) * groupBytes;
                long o = (long) b * superBytes;
                Q4_KInterleaved.setFloat(dst, group + D + (b % SUPER) * Float.BYTES, switch (type) {
                    case Q3_K -> Q3_KCodec.d(src, o);
                    case Q2_K -> Q2_KCodec.d(src, o);
                    default -> Float.float16ToFloat(src.get(ValueLayout.JAVA_SHORT_UNALIGNED, o + 208));
                });
                if (type == GGMLType.Q2_K) { // -dmin beside d, as Q4_KInterleaved lays them
                    Q4_KInterleaved.setFloat(dst, group + D + (SUPER + b % SUPER) * Float.BYTES, -Q2_KCodec.dmin(src, o));
                }
                for (int j = 0; j < 8; j++) {
                    int lane = (b % SUPER) * 8 + j;
                    int slot = Q8Activations.scaleSlot(lane);
                    dst[group + SA + slot] = (byte) scale(type, src, o, 2 * j);
                    dst[group + SB + slot] = (byte) scale(type, src, o, 2 * j + 1);
                    if (type == GGMLType.Q2_K) {
                        dst[group + MA + slot] = (byte) Q2_KCodec.min(src, o, 2 * j);
                        dst[group + MB + slot] = (byte) Q2_KCodec.min(src, o, 2 * j + 1);
                    }
                    for (int i = 0; i < Q4_0Interleaved.STEPS; i++) {
                        int step = group + slot(i) * STEP;
                        dst[step + lane] = (byte) value(type, src, o, 32 * j + i);
                        dst[step + Q4_0Interleaved.BLOCKS + lane] = (byte) value(type, src, o, 32 * j + i + 16);
                    }
                }
            }
            MemorySegment.copy(dst, 0, out, ValueLayout.JAVA_BYTE, r * dstRow, dst.length);
        }
    }

    /** Element e's value: Q6_K's q - 32, Q3_K's q (-4..3), Q2_K's q (0..3). */
    private static int value(GGMLType type, MemorySegment src, long o, int e) {
        return switch (type) {
            case Q3_K -> Q3_KCodec.quant(src, o, e);
            case Q2_K -> Q2_KCodec.quant(src, o, e);
            default -> Q6_KCodec.quant(src, o, e) - 32;
        };
    }

    /** Sub-block k's scale: Q6_K's int8, Q3_K's 6-bit minus 32, Q2_K's 4-bit. */
    private static int scale(GGMLType type, MemorySegment src, long o, int k) {
        return switch (type) {
            case Q3_K -> Q3_KCodec.scale(src, o, k);
            case Q2_K -> Q2_KCodec.scale(src, o, k);
            default -> src.get(ValueLayout.JAVA_BYTE, o + 192 + k);
        };
    }
}
