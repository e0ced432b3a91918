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
 * How Q5_0, Q5_1 and Q4_1 rows are kept after loading: five bits a value, the size of ggml's
 * rows (704 bytes per 1024 Q5_0 weights, 768 for Q5_1 and Q4_1). {@link VectorLegacyDot#dot1}
 * reads it for tokens one at a time; before four-token passes {@link VectorLegacyDot#expand}
 * turns a block of rows into the byte-per-value form of {@link LegacyInterleaved}, which the
 * passes read (from L2) once per four tokens.
 *
 * <p>A group is 32 blocks, one vector lane each, values {@code q - }{@link
 * LegacyInterleaved#center} (-16..15; Q4_1's -8..7). Iteration j (0..7) of the kernels' loops
 * takes steps j and j + 8, four values per lane: v1, v2 (elements j and j + 16) and v3, v4
 * (elements j + 8 and j + 24), from
 * <ul>
 * <li>a short per lane at {@link #shorts}{@code (j)} ({@link #fiveBits}): v1 in bits 15..11, v2
 *     in 10..6, v3 in 5..1, v4's sign bit in bit 0;</li>
 * <li>a nibble per lane at {@link #nibbles}{@code (j)}: v4's low 4 bits, in the low half of the
 *     byte for even j and the high half for odd j (iterations j and j + 1 share their bytes);</li>
 * <li>then the 32 blocks' f16 d at {@link #SCALES} and, for Q5_1 and Q4_1, their f16 m at {@link
 *     #MINS}, in lane order, as {@link LegacyInterleaved} lays them.</li>
 * </ul>
 * Two iterations come as their shorts then their nibbles (160 bytes), so a loop reads the group
 * in order. In registers: {@code v1 = s >> 11}, {@code v2 = (s << 5) >> 11}, {@code v3 = (s <<
 * 10) >> 11}, {@code v4 = ((s << 15) >> 11) | ((t >> 4 (j & 1)) & 15)}, arithmetic shifts of
 * the short and of the sign-extended nibble byte t.
 *
 * <p>Why: the byte-per-value layout (8.75 bits a Q5_0 weight) made decoding, which streams the
 * weights, read 1.55x ggml's bytes; llama.cpp writes Q5_0 into Q4_K_M files and Q5_1 into Q5_K_M
 * files for the matrices whose rows are not whole 256-element super-blocks (SmolLM2-135M's 576
 * columns, Qwen2.5-0.5B's 896): for such models most of the weights (SmolLM2 Q4_K_M decode: 41%
 * of its time in the Q5_0 kernel, session 18).
 *
 * <p>Rejects a non-finite d or m, naming row and block (the kernels' f16 conversion is exact for
 * finite values only). Padded blocks: values, d and m 0.
 */
final class LegacyFiveBits {
    /** Bytes of one iteration's shorts (the 32 lanes' v1, v2, v3 and v4's sign). */
    static final int SHORTS = 2 * Q4_0Interleaved.BLOCKS;
    /** Iterations per group: steps j and j + 8 each. */
    static final int ITERATIONS = Q4_0Interleaved.STEPS / 2;
    /** Bytes of two iterations: their shorts, then their shared nibble bytes. */
    static final int PAIR = 2 * SHORTS + Q4_0Interleaved.BLOCKS;
    /** Bytes of a group's values; the 32 f16 scales d follow them. */
    static final int SCALES = ITERATIONS / 2 * PAIR;
    /**
     * Bytes a group grows by when {@link VectorLegacyDot#expand} writes its values a byte each
     * ({@link LegacyInterleaved}); what follows the values moves by as much.
     */
    static final int EXPANSION = LegacyInterleaved.SCALES - SCALES;
    /** Offset of the 32 f16 mins m in a group (Q5_1, Q4_1). */
    static final int MINS = SCALES + 2 * Q4_0Interleaved.BLOCKS;

    private LegacyFiveBits() {
    }

    /** Offset of iteration j's shorts in a group. */
    static long shorts(int j) {
        return (long) (j >> 1) * PAIR + (j & 1) * SHORTS;
    }

    /** Offset of iteration j's nibble bytes in a group (shared with iteration j ^ 1). */
    static long nibbles(int j) {
        return (long) (j >> 1) * PAIR + 2 * SHORTS;
    }

    /** Iteration j's short for one lane: v1 (element j), v2 (j + 16), v3 (j + 8), v4's (j + 24) sign. */
    static short fiveBits(int v1, int v2, int v3, int v4) {
        return (short) ((v1 << 11) | ((v2 & 31) << 6) | ((v3 & 31) << 1) | ((v4 >> 4) & 1));
    }

    /** Bytes per group of type. */
    static int bytes(GGMLType type) {
        return MINS + (LegacyInterleaved.hasMins(type) ? 2 * Q4_0Interleaved.BLOCKS : 0);
    }

    static long rowBytes(GGMLType type, int cols) {
        return (long) Q4_0Interleaved.groups(cols) * bytes(type);
    }

    /**
     * The value of element e (0..31) of the block in lane of the group at p + group, as the
     * kernels decode it: the layout's one reader outside them (tests use it).
     */
    static int packedValue(MemorySegment p, long group, int e, int lane) {
        int j = e % 8;
        int s = p.get(ValueLayout.JAVA_SHORT_UNALIGNED, group + shorts(j) + 2L * lane);
        int t = p.get(ValueLayout.JAVA_BYTE, group + nibbles(j) + lane);
        return switch (e / 8) {
            case 0 -> s >> 11;
            case 2 -> (short) (s << 5) >> 11;
            case 1 -> (short) (s << 10) >> 11;
            default -> ((short) (s << 15) >> 11) | ((t >> 4 * (j & 1)) & 15);
        };
    }

    /**
     * Writes the 32 values of the block in lane (v[e]: element e, -16..15) into the group at
     * dst[group], whose nibble bytes must be zero before (Q5_K's groups are laid the same way).
     */
    static void putValues(byte[] dst, int group, int lane, int[] v) {
        for (int j = 0; j < ITERATIONS; j++) {
            short s = fiveBits(v[j], v[j + 16], v[j + 8], v[j + 24]);
            int at = group + (int) shorts(j) + 2 * lane;
            dst[at] = (byte) s;
            dst[at + 1] = (byte) (s >> 8);
            dst[group + (int) nibbles(j) + lane] |= (byte) ((v[j + 24] & 15) << 4 * (j & 1));
        }
    }

    static MemorySegment pack(WeightMatrix w) {
        if (w.type() != GGMLType.Q5_0 && !LegacyInterleaved.hasMins(w.type())) {
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
        int center = LegacyInterleaved.center(type);
        int fields = LegacyInterleaved.hasMins(type) ? 2 : 1; // d, then m
        int groupBytes = bytes(type);
        int blockBytes = type.typeSize;
        int blocks = w.cols() / Q4_0Interleaved.BLOCKS;
        long srcRow = w.rowBytes();
        long dstRow = rowBytes(type, w.cols());
        MemorySegment src = MemorySegment.ofArray(new byte[(int) srcRow]);
        byte[] dst = new byte[(int) dstRow];
        int[] v = new int[Q4_0Interleaved.STEPS * 2];
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
                for (int e = 0; e < v.length; e++) {
                    v[e] = quant(type, src, o, e) - center;
                }
                putValues(dst, group, lane, v);
            }
            MemorySegment.copy(dst, 0, out, ValueLayout.JAVA_BYTE, r * dstRow, dst.length);
        }
    }
}
