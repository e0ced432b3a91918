package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorWidth.G;
import static io.sparkinfer.kernels.VectorWidth.I;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * Rows whose block count is not a multiple of a group's 32 ({@link Q4_0Interleaved}) multiplied
 * without padding, for the 32-element types of the integer dots (Q4_0, Q5_0, Q5_1, Q4_1): G rows
 * (a float vector's lanes) share each group, float lane i holding row i of the bundle.
 *
 * <p>Why: a group gives each block one int16 lane, and the kernels' float accumulators end with
 * lane i holding blocks 2i and 2i + 1 of the chunk (the even and odd accumulators: {@link
 * Q8Activations#scaleSlot}); a row's groups are summed lane by lane and only then across lanes.
 * A row of 18 blocks (SmolLM2-135M's 576 columns) padded to 32 is 44% padding: wasted work and
 * bytes. Here a bundle's group g gives row i the slots whose float lane is i, {@link #PER_GROUP}
 * of them (2 at 512 bits: slots 2i and 2i + 1; 4 at 256: those of both chunks), with the row's
 * blocks {@code PER_GROUP * g} onwards; and the activations of group g hold the token's same
 * blocks in every row's slots ({@link #spread}). Then lane i of the accumulators never meets
 * another row, and after the kernels' own fold of even and odd (and, at 256 bits, of the two
 * chunks) it is row i's dot itself: no lane sum at all. The kernels are the usual ones, run on a "virtual" matrix of
 * {@code ceil(rows / G)} rows of {@link #groups} groups ({@link #virtual}); only the last step
 * differs (lanes written out as rows instead of summed). A token's result still does not depend
 * on its batch: the one-token and four-token kernels do the same float operations per lane.
 *
 * <p>The price: a token's activations take G times the bytes ({@link #MAX_GROUPS} says where
 * that stops paying). Measured (in-JVM A/B against the padded layout, both load orders; session
 * 24): SmolLM2-135M Q4_K_M (mostly Q5_0) decode 1.08 and 1.24x, pp64 1.33 and 1.03x; Q4_0 pp64
 * 1.17 and 1.10x, decode 1.05 and 0.99x. Bundling every shape (ffn_down too) lost Q4_0 decode
 * (0.88, 0.90x); Qwen2.5-0.5B's 896 columns (14 groups, left padded) gained prefill (1.13,
 * 1.06x) and lost decode (0.86, 0.97x).
 */
final class RowBundles {
    /** Rows per bundle: the float lanes of the accumulators. */
    static final int ROWS = G;
    /** Blocks of each row per group: the slots that fold into one float lane. */
    static final int PER_GROUP = Q4_0Interleaved.BLOCKS / G;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Whether matrices are bundled where they can be ({@code -Dsparkinfer.matmul.bundleRows=false}: padded). */
    private static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("sparkinfer.matmul.bundleRows",
            "true"));

    /**
     * Longest virtual rows bundled, in groups: a token's spread activations (2304 bytes per group
     * of the row) stay in L1 next to the rows streaming past them (12: 27 KB of Zen 5's 48). Past
     * that the one-token kernels read them from L2 for every bundle (SmolLM2's ffn_down, 1536
     * columns: 24 groups at 512 bits, 55 KB; Qwen2.5-0.5B's 896: 14).
     */
    static final int MAX_GROUPS = Integer.getInteger("sparkinfer.matmul.bundleMaxGroups", 12);

    private RowBundles() {
    }

    /**
     * Whether w's rows are bundled: a 32-element type of the integer dots whose rows are not whole
     * groups, at a vector width those kernels run.
     */
    static boolean applies(GGMLType type, int cols) {
        boolean legacy = type == GGMLType.Q4_0 || type == GGMLType.Q5_0 || type == GGMLType.Q5_1
                || type == GGMLType.Q4_1;
        int blocks = cols / Q4_0Interleaved.BLOCKS;
        return ENABLED && legacy && VectorQ4Dot.SUPPORTED && blocks % Q4_0Interleaved.BLOCKS != 0
                && groups(cols) <= MAX_GROUPS;
    }

    /** Bundles (virtual rows) for rows rows. */
    static int bundles(int rows) {
        return (rows + ROWS - 1) / ROWS;
    }

    /** Groups per bundle for rows of cols columns. */
    static int groups(int cols) {
        int blocks = cols / Q4_0Interleaved.BLOCKS;
        return (blocks + PER_GROUP - 1) / PER_GROUP;
    }

    /** Columns of a virtual row: whole groups. */
    static int virtualCols(int cols) {
        return groups(cols) * Q4_0Interleaved.BLOCKS * Q4_0Interleaved.BLOCKS;
    }

    /** The bundle row (float lane) that slot j of every group belongs to. */
    static int row(int slot) {
        return slot % (2 * G) / 2;
    }

    /** Which of its row's {@link #PER_GROUP} blocks in a group slot j holds: chunk, then even/odd. */
    static int part(int slot) {
        return slot / (2 * G) * 2 + (slot & 1);
    }

    /**
     * w as a matrix of the same type in ggml layout with {@link #bundles} rows of {@link
     * #virtualCols} columns: virtual row v, block {@code 32 g + j} is row {@code G v + }{@link
     * #row}{@code (j)}'s block {@code PER_GROUP g + }{@link #part}{@code (j)}, or a block of zero
     * bytes (scale 0: it adds 0) past the last row or the row's last block. Rejects a non-finite
     * scale or min naming the real row and block, as the packers do.
     */
    static WeightMatrix virtual(WeightMatrix w) {
        GGMLType type = w.type();
        int blocks = w.cols() / Q4_0Interleaved.BLOCKS;
        int groups = groups(w.cols());
        int vrows = bundles(w.rows());
        int vcols = virtualCols(w.cols());
        long blockBytes = type.typeSize;
        int fields = type == GGMLType.Q5_1 || type == GGMLType.Q4_1 ? 2 : 1; // f16 d, then m
        MemorySegment out = Arena.ofAuto().allocate((long) vrows * type.byteSize(vcols), AlignedFloats.ALIGN);
        MemorySegment src = w.data();
        for (int v = 0; v < vrows; v++) {
            for (int g = 0; g < groups; g++) {
                for (int j = 0; j < Q4_0Interleaved.BLOCKS; j++) {
                    int r = v * ROWS + row(j);
                    int b = g * PER_GROUP + part(j);
                    if (r >= w.rows() || b >= blocks) {
                        continue; // zero bytes
                    }
                    long from = r * w.rowBytes() + b * blockBytes;
                    for (int k = 0; k < fields; k++) {
                        short bits = src.get(ValueLayout.JAVA_SHORT_UNALIGNED, from + 2L * k);
                        if ((bits & 0x7C00) == 0x7C00) {
                            throw new IllegalArgumentException(w.name() + ": row " + r + " block " + b
                                    + " has a non-finite " + (k == 0 ? "scale" : "min") + " (f16 bits 0x"
                                    + Integer.toHexString(bits & 0xFFFF) + ")");
                        }
                    }
                    long to = (long) v * type.byteSize(vcols) + ((long) g * Q4_0Interleaved.BLOCKS + j) * blockBytes;
                    MemorySegment.copy(src, from, out, to, blockBytes);
                }
            }
        }
        return new WeightMatrix(w.name(), type, vrows, vcols, out);
    }

    /** Ints of scratch that {@link #spread} needs: one group of x. */
    static final int SPREAD_INTS = Q8Activations.BYTES / Integer.BYTES;

    /**
     * Tokens [from, to) of x ({@link Q8Activations} layout for cols columns) written into out in
     * that layout for {@link #virtualCols}: group g's slot j holds the token's block {@code
     * PER_GROUP g + }{@link #part}{@code (j)}, in every part of the layout (the int16 values of
     * the 16 steps, the offsets, the scales and d * sum(q) in {@link Q8Activations#scaleSlot}
     * order). A chunk's slots take two blocks, b and b + 1, alternately: one int32 broadcast per
     * vector, from a copy of x's group in group (SPREAD_INTS ints; scalar reads of the segment
     * cost a bounds check each: 9% of SmolLM2's prefill). Blocks past the row's last are the
     * padding's zeros of x's last group.
     */
    static void spread(MemorySegment x, int cols, int from, int to, MemorySegment out, int[] group) {
        x = NativeSegments.pin(x);
        out = NativeSegments.pin(out);
        long xs = Q8Activations.tokenBytes(cols);
        int groups = groups(cols);
        long os = (long) groups * Q8Activations.BYTES;
        int chunks = Q4_0Interleaved.BLOCKS / (2 * G);
        int stepInts = 2 * Q4_0Interleaved.BLOCKS * Short.BYTES / Integer.BYTES;
        int halfInts = stepInts / 2;
        for (int t = from; t < to; t++) {
            int loaded = -1;
            for (int g = 0; g < groups; g++) {
                long o = t * os + (long) g * Q8Activations.BYTES;
                for (int c = 0; c < chunks; c++) {
                    int b = g * PER_GROUP + 2 * c; // the chunk's even block; b + 1 is its odd one
                    if (b / Q4_0Interleaved.BLOCKS != loaded) {
                        loaded = b / Q4_0Interleaved.BLOCKS;
                        long at = t * xs + (long) loaded * Q8Activations.BYTES;
                        MemorySegment.copy(x, ValueLayout.JAVA_INT_UNALIGNED, at, group, 0, SPREAD_INTS);
                    }
                    int pair = b % Q4_0Interleaved.BLOCKS / 2; // blocks b, b + 1: one int of each vector
                    long oc = o + (long) c * 2 * G * Short.BYTES;
                    for (int i = 0; i < Q4_0Interleaved.STEPS; i++) {
                        long oi = oc + (long) i * stepInts * Integer.BYTES;
                        IntVector.broadcast(I, group[i * stepInts + pair]).intoMemorySegment(out, oi, NATIVE);
                        IntVector.broadcast(I, group[i * stepInts + halfInts + pair])
                                .intoMemorySegment(out, oi + (long) halfInts * Integer.BYTES, NATIVE);
                    }
                    IntVector.broadcast(I, group[Q8Activations.OFFSETS / Integer.BYTES + pair])
                            .intoMemorySegment(out, oc + Q8Activations.OFFSETS, NATIVE);
                    long so = o + Q8Activations.SCALES + (long) c * 2 * G * Float.BYTES;
                    long dso = o + Q8Activations.DSUMS + (long) c * 2 * G * Float.BYTES;
                    for (int k = 0; k < 2; k++) { // the floats as their bits
                        int slot = Q8Activations.scaleSlot(2 * pair + k);
                        IntVector.broadcast(I, group[Q8Activations.SCALES / Integer.BYTES + slot])
                                .intoMemorySegment(out, so + (long) k * G * Float.BYTES, NATIVE);
                        IntVector.broadcast(I, group[Q8Activations.DSUMS / Integer.BYTES + slot])
                                .intoMemorySegment(out, dso + (long) k * G * Float.BYTES, NATIVE);
                    }
                }
            }
        }
    }

    /**
     * Bundle b's rows for tokens t0 .. t0 + 3 after the four-token passes: per token, lane i of
     * the even and odd accumulators at acc + at ({@link VectorQ4Dot#finish4}'s layout) added as
     * that method does before its lane sum (at 256 bits each chunk's first), written to out[(t0 +
     * t) rows + G b + i] for the bundle's rows that exist (out has rows per token). The loads and
     * adds repeat finish4's: a shared helper would pass a vector across a call (see {@link
     * VectorQ4Dot#finish4}).
     */
    static void finish4(MemorySegment acc, long at, float[] out, int t0, int rows, int b) {
        acc = NativeSegments.pin(acc);
        long vb = VectorQ4Dot.VB;
        int o = t0 * rows + b * ROWS;
        int stride = rows;
        int n = Math.min(ROWS, rows - b * ROWS);
        for (int t = 0; t < 4; t++) {
            FloatVector even = FloatVector.fromMemorySegment(VectorWidth.F, acc, at + 2L * t * vb, NATIVE);
            FloatVector odd = FloatVector.fromMemorySegment(VectorWidth.F, acc, at + (2L * t + 1) * vb, NATIVE);
            if (VectorQ4Dot.CHUNKS == 2) {
                even = even.add(FloatVector.fromMemorySegment(VectorWidth.F, acc, at + (8L + 2L * t) * vb, NATIVE));
                odd = odd.add(FloatVector.fromMemorySegment(VectorWidth.F, acc, at + (8L + 2L * t + 1) * vb, NATIVE));
            }
            FloatVector v = even.add(odd);
            if (n == ROWS) {
                v.intoArray(out, o + t * stride);
            } else {
                v.intoArray(out, o + t * stride, VectorWidth.F.indexInRange(0, n));
            }
        }
    }

    /**
     * Bundle b's rows for token t: the lanes that a one-token kernel left in lanes, to out[t rows +
     * G b ..] for the bundle's rows that exist (out has rows per token).
     */
    static void finish(MemorySegment lanes, float[] out, int t, int rows, int b) {
        MemorySegment.copy(lanes, ValueLayout.JAVA_FLOAT, 0, out, t * rows + b * ROWS, Math.min(ROWS, rows - b * ROWS));
    }
}
