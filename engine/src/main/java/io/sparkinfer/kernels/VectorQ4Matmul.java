package io.sparkinfer.kernels;

import io.sparkinfer.tensor.GGMLType;
import java.lang.foreign.MemorySegment;

/**
 * Matmul rows of the integer types over quantized activations ({@link Q8Activations}): tokens
 * four at a time, rows two at a time, the other tokens one at a time. Q4_0 and Q4_K with {@link
 * VectorQ4Dot}'s sums ({@link VectorQ4Dot#dot2x4}, Q4_K's epilogue in {@link VectorQ4KDot}; an odd
 * last row with {@code dot1x4}); Q5_0, Q5_1, Q4_1 and Q5_K, kept at five bits a value ({@link
 * LegacyFiveBits}), with {@link VectorHalfSums} over a row block written out a byte a value into
 * scratch ({@link VectorLegacyDot#expand}; scales from {@link VectorLegacyDot}, {@link
 * VectorQ5KDot}); Q6_K and Q3_K with {@link VectorSplitSums} ({@link VectorQ6KDot}'s scales), from
 * {@link #SIX_BIT_EXPAND_TOKENS} tokens on over rows written out a byte a value ({@link VectorQ6KDot#expand});
 * Q2_K ({@link VectorQ2KDot}) one token at a time with its {@code dot1}. At 512 and 256 bits.
 *
 * <p>Loop order for many tokens: a token's quantized activations (4480 bytes per 2048 columns) are
 * four times the size of its Q4_0 row (1152), so the four tokens of a group stay in L1 while a
 * block of rows (kept in L2) passes under them, rather than each row reading every token from
 * L2 (8192 x 2048, 64 tokens, 2 threads: 92 -> 132-139 GMAC/s). Long rows go in chunks of
 * {@link #CHUNK_GROUPS} groups, the accumulators kept in scratch between chunks, after the row
 * block has been swept into cache in order ({@link CacheSweep}).
 */
final class VectorQ4Matmul {
    /** Bytes of packed rows per row block (L2 is 1 MiB on Zen 5). */
    private static final long ROW_BLOCK_BYTES = Long.getLong("sparkinfer.matmul.q4RowBlockBytes", 1L << 17);

    private VectorQ4Matmul() {
    }

    /**
     * Groups per chunk of a 4-token pass: 4 tokens' activations of 4 groups (36 KB) stay in L1
     * (48 KB on Zen 5) while the rows of a block pass under them. At 8192 columns (ffn_down, 8
     * groups) a whole row's activations (72 KB) did not: 87-90 against 124-150 GMAC/s at 2048.
     */
    static final int CHUNK_GROUPS =
            Math.min(VectorQ4Dot.SUM_GROUPS, Integer.getInteger("sparkinfer.matmul.q4ChunkGroups", 4));

    /**
     * Rows [from, to) of out for all nTokens tokens. packed: the rows in type's layout ({@link
     * Q4_0Interleaved}, {@link Q4_KInterleaved}, {@link Q6_KInterleaved}); x: the tokens in
     * {@link Q8Activations} layout, {@code tokenBytes(cols)} apart; acc: aligned scratch of
     * {@link #accFloats} floats; rows: out's rows per token. bundled: packed holds {@link
     * RowBundles}' virtual rows, from and to count those, and each gives G of out's rows.
     */
    static void rows(MemorySegment packed, GGMLType type, int rows, int cols, MemorySegment x, int nTokens,
                     float[] out, int from, int to, MemorySegment acc, boolean bundled) {
        packed = NativeSegments.pin(packed);
        x = NativeSegments.pin(x);
        acc = NativeSegments.pin(acc);
        long rowBytes = rowBytes(type, cols);
        // Q4_0, Q4_K: four tokens at a time (VectorQ4Dot's sums); Q5_0, Q5_1, Q4_1, Q5_K likewise
        // (VectorHalfSums), Q6_K and Q3_K (VectorSplitSums); Q2_K a token at a time for every
        // batch size.
        boolean halves = halfSums(type);
        int quads = (VectorQ4Dot.QUAD && (type == GGMLType.Q4_0 || type == GGMLType.Q4_K)) || halves
                ? nTokens & ~3 : 0;
        int block = rowBlock(type, cols);
        // Before 4-token passes, sweep each row block into cache (CacheSweep): the passes read
        // it in chunks (long rows: a chunk of each row, then the next row's, which the
        // prefetchers follow badly; ffn_down of a 1B at 8 tokens, all 16 layers from DRAM: 89-91
        // -> 111-116 GMAC/s) or more than once (8 tokens or more), and the sweep streams from
        // DRAM faster than a pass does (batched decode, 1B, in-JVM A/Bs: 4 tokens 1.12-1.16x
        // with it; 8 tokens 1.04-1.11x for the vector sweep over a byte per cache line). Not
        // for tokens one at a time, which read each row once: 0.70-0.85x at 1-2 tokens.
        //
        // Each kind of pass is a method of its own: inlined into one, with every type's calls
        // hot (a Q4_K_M file mixes Q4_K, Q5_0 and Q6_K), C2 compiled the 4-token loops 1.5-2x
        // slower (Qwen2.5-0.5B Q4_K_M, Q5_0 at 64 tokens: 40-56 against 88 GMAC/s).
        for (int r0 = from; r0 < to; r0 += block) {
            int r1 = Math.min(to, r0 + block);
            if (quads > 0) {
                if (!expands(type, quads)) { // expanding reads the block in order
                    CacheSweep.read(packed, r0 * rowBytes, r1 * rowBytes);
                }
                if (halves) {
                    halfQuads(packed, type, rows, cols, x, quads, out, r0, r1, acc, bundled);
                } else {
                    q4Quads(packed, type, rows, cols, x, quads, out, r0, r1, acc, bundled);
                }
            }
            if (quads < nTokens) {
                singles(packed, type, rows, cols, x, quads, nTokens, out, r0, r1, acc, bundled);
            }
        }
    }

    /** Rows [r0, r1) (a row block) for tokens [0, quads) of Q4_0 or Q4_K, four at a time. */
    private static void q4Quads(MemorySegment packed, GGMLType type, int rows, int cols, MemorySegment x, int quads,
                                float[] out, int r0, int r1, MemorySegment acc, boolean bundled) {
        int groups = Q4_0Interleaved.groups(cols);
        boolean kQuant = type == GGMLType.Q4_K;
        long rowBytes = rowBytes(type, cols);
        long xs = Q8Activations.tokenBytes(cols);
        long accRow = VectorQ4Dot.ACC_BYTES;
        long sumsAt = rowBlock(type, cols) * accRow;
        long sumsBytes = VectorQ4Dot.sumsBytes();
        for (int t = 0; t < quads; t += 4) {
            for (int g0 = 0; g0 < groups; g0 += CHUNK_GROUPS) {
                int g1 = Math.min(groups, g0 + CHUNK_GROUPS);
                int r = r0;
                for (; r + 2 <= r1; r += 2) {
                    if (kQuant) {
                        VectorQ4KDot.dot2x4(packed, r * rowBytes, (r + 1) * rowBytes, x, t * xs, xs, g0, g1,
                                acc, (r - r0) * accRow, (r + 1 - r0) * accRow, acc, sumsAt, sumsAt + sumsBytes);
                    } else {
                        VectorQ4Dot.dot2x4(packed, r * rowBytes, (r + 1) * rowBytes, x, t * xs, xs, g0, g1,
                                acc, (r - r0) * accRow, (r + 1 - r0) * accRow, acc, sumsAt, sumsAt + sumsBytes);
                    }
                }
                if (r < r1) { // an odd last row
                    if (kQuant) {
                        VectorQ4KDot.dot1x4(packed, r * rowBytes, x, t * xs, xs, g0, g1, acc,
                                (r - r0) * accRow, acc, sumsAt);
                    } else {
                        VectorQ4Dot.dot1x4(packed, r * rowBytes, x, t * xs, xs, g0, g1, acc, (r - r0) * accRow,
                                acc, sumsAt);
                    }
                }
            }
            finish4(acc, accRow, out, t, rows, r0, r1, bundled);
        }
    }

    /**
     * Rows [r0, r1) for tokens [0, quads) of Q5_0, Q5_1, Q4_1, Q5_K, Q6_K or Q3_K, four at a time
     * ({@link VectorHalfSums}, {@link VectorSplitSums}): rows in pairs, an odd last row paired
     * with itself; at 256 bits each group's two chunks one after the other.
     */
    private static void halfQuads(MemorySegment packed, GGMLType type, int rows, int cols, MemorySegment x, int quads,
                                  float[] out, int r0, int r1, MemorySegment acc, boolean bundled) {
        int groups = Q4_0Interleaved.groups(cols);
        long xs = Q8Activations.tokenBytes(cols);
        long accRow = VectorQ4Dot.ACC_BYTES;
        long sumsAt = rowBlock(type, cols) * accRow;
        long sumsBytes = VectorQ4Dot.sumsBytes();
        long scalesAt = sumsAt + 2 * sumsBytes;
        // The rows the passes read, written out a byte a value into scratch (row r at first +
        // (r - r0) * rowBytes): Q5_0, Q5_1, Q4_1, Q5_K from five bits, Q6_K and Q3_K from six.
        MemorySegment rowsIn = packed;
        long rowBytes = rowBytes(type, cols);
        long first = r0 * rowBytes;
        boolean split = sixBits(type);
        boolean expand = expands(type, quads);
        if (split && expand) {
            VectorQ6KDot.expand(packed, first, (r1 - r0) * groups, acc, expandAt(type, cols));
        } else if (expand) {
            VectorLegacyDot.expand(packed, first, (r1 - r0) * groups, rowBytes / groups, acc, expandAt(type, cols));
        }
        if (expand) {
            rowsIn = acc;
            rowBytes = passRowBytes(type, cols);
            first = expandAt(type, cols);
        }
        long groupBytes = rowBytes / groups;
        // Q6_K's products (up to 32 * 127) allow 8 int16 steps: two passes, the second's sums
        // after the first's in each row's scratch (VectorSplitSums.scale1x4 adds them).
        int chunkGroups = Math.min(CHUNK_GROUPS, VectorHalfSums.GROUPS / (split ? 2 : 1));
        long half = (long) (VectorHalfSums.GROUPS / 2) * 8 * VectorQ4Dot.SW.vectorByteSize();
        for (int t = 0; t < quads; t += 4) {
            for (int g0 = 0; g0 < groups; g0 += chunkGroups) {
                int g1 = Math.min(groups, g0 + chunkGroups);
                for (int r = r0; r < r1; r += 2) { // rows in pairs, an odd last row paired with itself
                    int r2 = Math.min(r + 1, r1 - 1);
                    long base = first + (r - r0) * rowBytes;
                    long base2 = first + (r2 - r0) * rowBytes;
                    long sums2 = r2 == r ? sumsAt : sumsAt + sumsBytes;
                    for (int c = 0; c < VectorQ4Dot.CHUNKS; c++) { // 256 bits: two chunks of 16 blocks
                        if (split && !expand) { // six bits decoded in registers, steps 0..7 then 8..15
                            VectorSplitSums.sums2x4(rowsIn, base, base2, x, t * xs, xs, g0, g1, c,
                                    acc, sumsAt, sums2, false);
                            VectorSplitSums.sums2x4(rowsIn, base, base2, x, t * xs, xs, g0, g1, c,
                                    acc, sumsAt + half, sums2 + half, true);
                        } else if (split) { // steps 0..7 (even slots), then 8..15 (odd slots)
                            VectorHalfSums.sums2x4Split(rowsIn, base, base2, groupBytes, x, t * xs, xs,
                                    g0, g1, c, acc, sumsAt, sums2, false);
                            VectorHalfSums.sums2x4Split(rowsIn, base, base2, groupBytes, x, t * xs, xs,
                                    g0, g1, c, acc, sumsAt + half, sums2 + half, true);
                        } else {
                            VectorHalfSums.sums2x4(rowsIn, base, base2, groupBytes, x, t * xs, xs,
                                    g0, g1, c, acc, sumsAt, sums2);
                        }
                        halfEpilogue(rowsIn, type, base, groupBytes, x, t * xs, xs, g0, g1, c, acc, sumsAt,
                                half, scalesAt, (r - r0) * accRow);
                        if (r2 != r) {
                            halfEpilogue(rowsIn, type, base2, groupBytes, x, t * xs, xs, g0, g1, c, acc, sums2,
                                    half, scalesAt, (r2 - r0) * accRow);
                        }
                    }
                }
            }
            finish4(acc, accRow, out, t, rows, r0, r1, bundled);
        }
    }

    /**
     * One row's epilogue after {@link VectorHalfSums#sums2x4}: its scales for groups [g0, g1)
     * written by its type's {@code scales} into acc + scalesAt, then {@link
     * VectorHalfSums#scale1x4} (Q6_K, Q3_K: {@link VectorSplitSums#scale1x4}, the second
     * pass's sums {@code half} bytes after the first's) into the row's accumulators at acc + at;
     * per (row, token) the operations of the type's {@code dot1}.
     */
    private static void halfEpilogue(MemorySegment packed, GGMLType type, long base, long groupBytes, MemorySegment x,
                                     long x0, long xs, int g0, int g1, int c, MemorySegment acc, long sumsAt, long half,
                                     long scalesAt, long at) {
        // Chunk c (256 bits): its activation scales and accumulators here, its scales' lanes in scales.
        x0 += 2L * c * VectorQ4Dot.VB;
        at += 8L * c * VectorQ4Dot.VB;
        switch (type) {
            case Q6_K, Q3_K -> {
                VectorQ6KDot.scales(packed, base, groupBytes, g0, g1, c, acc, scalesAt);
                VectorSplitSums.scale1x4(x, x0, xs, g0, g1, acc, sumsAt, sumsAt + half, scalesAt, acc, at);
            }
            case Q5_K -> {
                VectorQ5KDot.scales(packed, base, g0, g1, c, acc, scalesAt);
                VectorHalfSums.scale1x4(x, x0, xs, g0, g1, acc, sumsAt, scalesAt, true, acc, at);
            }
            default -> { // Q5_0, Q5_1, Q4_1
                boolean mins = LegacyInterleaved.hasMins(type);
                VectorLegacyDot.scales(packed, base, groupBytes, g0, g1, c, LegacyInterleaved.center(type), mins,
                        acc, scalesAt);
                VectorHalfSums.scale1x4(x, x0, xs, g0, g1, acc, sumsAt, scalesAt, mins, acc, at);
            }
        }
    }

    /** Rows [r0, r1) for tokens [t0, nTokens), one at a time, with type's one-token kernel. */
    private static void singles(MemorySegment packed, GGMLType type, int rows, int cols, MemorySegment x, int t0,
                                int nTokens, float[] out, int r0, int r1, MemorySegment acc, boolean bundled) {
        int groups = Q4_0Interleaved.groups(cols);
        long rowBytes = rowBytes(type, cols);
        long xs = Q8Activations.tokenBytes(cols);
        for (int t = t0; t < nTokens; t++) {
            for (int r = r0; r < r1; r++) {
                switch (type) {
                    case Q4_K -> VectorQ4KDot.dot1(packed, r * rowBytes, x, t * xs, groups, acc);
                    case Q6_K, Q3_K -> VectorQ6KDot.dot1(packed, r * rowBytes, x, t * xs, groups, acc);
                    case Q2_K -> VectorQ2KDot.dot1(packed, r * rowBytes, x, t * xs, groups, acc);
                    case Q5_K -> VectorQ5KDot.dot1(packed, r * rowBytes, x, t * xs, groups, acc);
                    case Q5_0, Q5_1, Q4_1 -> VectorLegacyDot.dot1(packed, r * rowBytes,
                            LegacyFiveBits.bytes(type), x, t * xs, groups, acc, LegacyInterleaved.center(type),
                            LegacyInterleaved.hasMins(type));
                    default -> VectorQ4Dot.dot1(packed, r * rowBytes, x, t * xs, groups, acc);
                }
                if (bundled) {
                    RowBundles.finish(acc, out, t, rows, r);
                } else {
                    out[t * rows + r] = VectorQ4Dot.finish(acc);
                }
            }
        }
    }

    /**
     * Rows [r0, r1) of a row block for tokens t .. t + 3 from their accumulators (acc + (r - r0)
     * accRow) into out (rows apart per token): a row each, or G of out's rows each when bundled.
     */
    private static void finish4(MemorySegment acc, long accRow, float[] out, int t, int rows, int r0, int r1,
                                boolean bundled) {
        for (int r = r0; r < r1; r++) {
            if (bundled) {
                RowBundles.finish4(acc, (r - r0) * accRow, out, t, rows, r);
            } else {
                VectorQ4Dot.finish4(acc, (r - r0) * accRow, out, t * rows + r, rows);
            }
        }
    }

    /** Bytes of one packed row of type (Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K or Q6_K). */
    static long rowBytes(GGMLType type, int cols) {
        return switch (type) {
            case Q4_0 -> Q4_0Interleaved.rowBytes(cols);
            case Q4_K -> Q4_KInterleaved.rowBytes(cols);
            case Q6_K, Q3_K, Q2_K -> Q6_KInterleaved.rowBytes(type, cols);
            case Q5_K -> Q5_KInterleaved.rowBytes(cols);
            case Q5_0, Q5_1, Q4_1 -> LegacyFiveBits.rowBytes(type, cols);
            default -> throw new IllegalArgumentException("no integer layout for " + type);
        };
    }

    /** Rows per block: {@link #ROW_BLOCK_BYTES} of the rows the passes read, at least one. */
    private static int rowBlock(GGMLType type, int cols) {
        // Q6_K and Q3_K count their rows as packed: most calls (decode steps, small batches) read
        // them so, and an expanded block, 4/3 of that, still fits L2 with room to spare.
        return (int) Math.max(1, ROW_BLOCK_BYTES / (sixBits(type) ? rowBytes(type, cols) : passRowBytes(type, cols)));
    }

    /** Bytes of a row as the four-token passes read it: expanded ({@link #expanded}) or as packed. */
    private static long passRowBytes(GGMLType type, int cols) {
        long expansion = switch (type) {
            case Q6_K, Q3_K -> Q6_KInterleaved.EXPANSION;
            case Q5_0, Q5_1, Q4_1, Q5_K -> LegacyFiveBits.EXPANSION;
            default -> 0;
        };
        return rowBytes(type, cols) + (long) Q4_0Interleaved.groups(cols) * expansion;
    }

    /**
     * Whether type's rows can be written out a byte a value before its four-token passes (the
     * scratch has room for it; {@link #expands} says when they are): Q5_0, Q5_1, Q4_1 and Q5_K,
     * kept at five bits ({@link LegacyFiveBits}, {@link
     * VectorLegacyDot#expand}), Q6_K and Q3_K at six ({@link Q6_KInterleaved}, {@link
     * VectorQ6KDot#expand}).
     */
    private static boolean expanded(GGMLType type) {
        return type == GGMLType.Q5_0 || LegacyInterleaved.hasMins(type) || type == GGMLType.Q5_K
                || sixBits(type);
    }

    /**
     * Tokens from which Q6_K and Q3_K are written out before their four-token passes: the
     * write costs a pass over the block, which pays back over three or more quads of tokens
     * (at 4 and 8 tokens the passes that decode six bits in registers were faster).
     */
    static final int SIX_BIT_EXPAND_TOKENS = Integer.getInteger("sparkinfer.matmul.sixBitExpandTokens", 12);

    /** Whether type is in the six-bit layout ({@link Q6_KInterleaved}) that the four-token passes take. */
    private static boolean sixBits(GGMLType type) {
        return type == GGMLType.Q6_K || type == GGMLType.Q3_K;
    }

    /** Whether this call writes type's rows out a byte a value ({@link #expanded}) for quads tokens. */
    private static boolean expands(GGMLType type, int quads) {
        if (sixBits(type)) {
            return quads >= SIX_BIT_EXPAND_TOKENS;
        }
        return expanded(type);
    }

    /** Bytes of scratch for a row block's accumulators, then two rows' sums, then scales. */
    private static long sumsScratchBytes(GGMLType type, int cols) {
        return VectorQ4Dot.ACC_BYTES * rowBlock(type, cols) + 2 * VectorQ4Dot.sumsBytes() + VectorHalfSums.scalesBytes();
    }

    /** Offset in the scratch of a row block's expanded rows: after the sums' scratch, aligned. */
    private static long expandAt(GGMLType type, int cols) {
        return (sumsScratchBytes(type, cols) + AlignedFloats.ALIGN - 1) / AlignedFloats.ALIGN * AlignedFloats.ALIGN;
    }

    /** Whether type's 4-token passes are {@link VectorHalfSums}' (at this vector width). */
    private static boolean halfSums(GGMLType type) {
        return VectorHalfSums.SUPPORTED && (type == GGMLType.Q5_0
                || LegacyInterleaved.hasMins(type) || type == GGMLType.Q5_K || type == GGMLType.Q6_K
                || type == GGMLType.Q3_K);
    }

    /** Floats of accumulator scratch that {@link #rows} needs for cols columns. */
    static long accFloats(GGMLType type, int cols) {
        if (expanded(type)) { // and a vector's slack: Q5_K's and Q6_K's d are read as a whole vector
            return (expandAt(type, cols) + rowBlock(type, cols) * passRowBytes(type, cols) + Q5_KInterleaved.TAIL)
                    / Float.BYTES;
        }
        return sumsScratchBytes(type, cols) / Float.BYTES;
    }
}
