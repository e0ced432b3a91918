package io.sparkinfer.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Q4_0 matmul rows over quantized activations ({@link Q8Activations}) with the integer dots of
 * {@link VectorQ4Dot}: tokens four at a time ({@link VectorQ4Dot#dot1x4}), the rest one at a time.
 *
 * <p>Loop order for many tokens: a token's quantized activations (4480 bytes per 2048 columns) are
 * four times the size of its Q4_0 row (1152), so the four tokens of a group stay in L1 while a
 * block of rows (kept in L2) passes under them, rather than each row reading every token from
 * L2. Measured on a 8192 x 2048 matrix, 64 tokens, 2 threads: rows outer 92 GMAC/s.
 */
final class VectorQ4Matmul {
    /** Bytes of packed rows per row block (L2 is 1 MiB on Zen 5). */
    private static final long ROW_BLOCK_BYTES = Long.getLong("sparkinfer.matmul.q4RowBlockBytes", 1L << 17);

    private VectorQ4Matmul() {
    }

    /**
     * Rows [from, to) of out for all nTokens tokens. packed: the rows in {@link Q4_0Interleaved}
     * layout; x: the tokens in {@link Q8Activations} layout, {@code tokenBytes(cols)} apart;
     * lanes: aligned scratch of 4 G floats.
     */
    static void rows(MemorySegment packed, int rows, int cols, MemorySegment x, int nTokens, float[] out, int from,
                     int to, MemorySegment lanes) {
        int groups = Q4_0Interleaved.groups(cols);
        long rowBytes = Q4_0Interleaved.rowBytes(cols);
        long xs = Q8Activations.tokenBytes(cols);
        int quads = VectorQ4Dot.QUAD ? nTokens & ~3 : 0;
        int block = (int) Math.max(1, ROW_BLOCK_BYTES / rowBytes);
        for (int r0 = from; r0 < to; r0 += block) {
            int r1 = Math.min(to, r0 + block);
            for (int t = 0; t < quads; t += 4) {
                for (int r = r0; r < r1; r++) {
                    VectorQ4Dot.dot1x4(packed, r * rowBytes, x, t * xs, xs, groups, lanes);
                    VectorQ4Dot.finish4(lanes, out, t * rows + r, rows);
                }
            }
            for (int t = quads; t < nTokens; t++) {
                for (int r = r0; r < r1; r++) {
                    VectorQ4Dot.dot1(packed, r * rowBytes, x, t * xs, groups, lanes);
                    out[t * rows + r] = VectorQ4Dot.finish(lanes);
                }
            }
        }
    }
}
