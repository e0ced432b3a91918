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
 * Q8Activations}, each value {@code v = q - 32} as 6 signed bits. A group is 32 blocks (four
 * super-blocks, 1024 elements); iteration j (0..7) of the kernels' loops takes steps j and j + 8,
 * four values per lane: v1, v2 (elements j and j + 16 of the block: step j) and v3, v4 (elements
 * j + 8 and j + 24: step j + 8), from
 * <ul>
 * <li>a short per lane at {@link #shorts}{@code (j)} ({@link #sixBits}): v1 in bits 15..10, v2 in
 *     9..4, v3's low 4 bits in 3..0;</li>
 * <li>a byte per lane at {@link #bytes}{@code (j)} ({@link #twoBits}): v4 in bits 7..2, v3's high
 *     2 bits in 1..0;</li>
 * <li>{@link #SA}, {@link #SB}: the two sub-blocks' int8 scales per block, in {@link
 *     Q8Activations#scaleSlot} order;</li>
 * <li>{@link #D}: the four super-blocks' d as floats (and four zero floats).</li>
 * </ul>
 * In registers: {@code v1 = s >> 10}, {@code v2 = (s << 6) >> 10}, {@code v4 = t >> 2}, {@code
 * v3 = ((t << 14) >> 10) + (s & 15)} (arithmetic shifts of the short and of the sign-extended
 * byte: 8 operations per 128 values). Iterations come in pairs of three cache lines, both
 * iterations' shorts then their bytes, so a loop reads its group in order (lines 0, 2, 1, 2,
 * 3, 5, ...): with all shorts first and the bytes after them, as lines 0, 8, 1, 8, ..., one
 * core read 19 GB/s against 22-31 for the byte-per-value layout it replaces (session 15 saw the
 * same on that layout's first order). 864 bytes per 1024 weights (6.75 bits each, against
 * ggml's 6.56): decode, which streams the weights, read 1120 with a byte per value (session 15's
 * layout) and ran at 0.75x llama.cpp's on Q6_K files; the output matrix and a third of the
 * layers of a Q4_K_M file are Q6_K (46% of its decode time, JFR).
 *
 * <p>Q3_K ({@code d * (sc - 32) * q}, q = -4..3, 16 scales of 6 bits per super-block) is laid
 * out the same way, scales as signed bytes, and runs the same kernel exactly (6.75 bits per
 * weight against ggml's 3.44).
 *
 * <p>Q2_K ({@code d * sc * q - dmin * m}, q = 0..3, 4-bit sc and m per 16 elements) likewise,
 * with its d and -dmin as {@link Q4_KInterleaved} keeps them (d at {@link #D}, -dmin 16 bytes
 * on) and the sub-blocks' mins at {@link #MA}, {@link #MB}: {@link VectorQ2KDot}.
 *
 * <p>Before the four-token passes of {@link VectorQ4Matmul#SIX_BIT_EXPAND_TOKENS} tokens or
 * more, {@link VectorQ6KDot#expand} writes a block of rows out a byte a value ({@link
 * #EXPANDED_BYTES} per group) into scratch, so that those passes ({@link VectorHalfSums#sums2x4},
 * steps 0..7 then 8..15) widen each value with one instruction rather than decode it again for
 * every four tokens (the decode cost them 12% in session 17). Fewer tokens decode in registers
 * ({@link VectorSplitSums#sums2x4}).
 *
 * <p>A row whose super-block count is not a multiple of 4 ends in a padded group: values 0,
 * scales 0, d 0, and zero activations ({@link Q8Activations}).
 */
final class Q6_KInterleaved {
    /** Bytes of one iteration's shorts (v1, v2 and v3's low bits of the 32 lanes). */
    static final int SHORTS = 2 * Q4_0Interleaved.BLOCKS;
    /** Iterations per group: steps j and j + 8 each. */
    static final int ITERATIONS = Q4_0Interleaved.STEPS / 2;
    /** Bytes of two iterations: their shorts, then their bytes (three cache lines). */
    static final int PAIR = 2 * SHORTS + 2 * Q4_0Interleaved.BLOCKS;
    /** Offset of the first sub-blocks' scales in a group. */
    static final int SA = ITERATIONS / 2 * PAIR;
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
    /**
     * Bytes that {@link VectorQ6KDot#expand} adds to a group: it writes the values a byte each, in
     * {@link LegacyInterleaved}'s step layout (1024 bytes against 768 here), then {@link #SA},
     * {@link #SB} and {@link #D} as they are, each this many bytes further on.
     */
    static final int EXPANSION = Q4_0Interleaved.STEPS * LegacyInterleaved.STEP - SA;
    /** Bytes per expanded group (Q6_K, Q3_K). */
    static final int EXPANDED_BYTES = BYTES + EXPANSION;
    /** Bytes after the last row: {@link #D} is loaded as a whole float vector (see Q4_KInterleaved). */
    static final int TAIL = 64;

    private Q6_KInterleaved() {
    }

    /** Offset of iteration j's shorts in a group. */
    static long shorts(int j) {
        return (long) (j >> 1) * PAIR + (j & 1) * SHORTS;
    }

    /** Offset of iteration j's bytes in a group. */
    static long bytes(int j) {
        return (long) (j >> 1) * PAIR + 2 * SHORTS + (j & 1) * Q4_0Interleaved.BLOCKS;
    }

    /** Iteration j's short for one lane: v1 (element j), v2 (j + 16), v3's (j + 8) low 4 bits. */
    static short sixBits(int v1, int v2, int v3) {
        return (short) ((v1 << 10) | ((v2 & 63) << 4) | (v3 & 15));
    }

    /** Iteration j's byte for one lane: v4 (element j + 24), v3's (j + 8) high 2 bits. */
    static byte twoBits(int v3, int v4) {
        return (byte) ((v4 << 2) | ((v3 >> 4) & 3));
    }

    /**
     * The value of element e (0..31) of the block in lane of the group at p + group, as the
     * kernels decode it: the layout's one reader outside them (tests use it).
     */
    static int packedValue(MemorySegment p, long group, int e, int lane) {
        int j = e % 8;
        int s = p.get(ValueLayout.JAVA_SHORT_UNALIGNED, group + shorts(j) + 2L * lane);
        int t = p.get(ValueLayout.JAVA_BYTE, group + bytes(j) + lane);
        return switch (e / 8) {
            case 0 -> s >> 10;
            case 2 -> (short) (s << 6) >> 10;
            case 1 -> ((t << 30) >> 26) + (s & 15);
            default -> t >> 2;
        };
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
                    for (int i = 0; i < ITERATIONS; i++) {
                        int v1 = value(type, src, o, 32 * j + i);
                        int v2 = value(type, src, o, 32 * j + i + 16);
                        int v3 = value(type, src, o, 32 * j + i + 8);
                        int v4 = value(type, src, o, 32 * j + i + 24);
                        short sx = sixBits(v1, v2, v3);
                        int at = group + (int) shorts(i) + 2 * lane;
                        dst[at] = (byte) sx;
                        dst[at + 1] = (byte) (sx >> 8);
                        dst[group + (int) bytes(i) + lane] = twoBits(v3, v4);
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
