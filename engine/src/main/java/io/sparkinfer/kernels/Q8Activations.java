package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorWidth.F;
import static io.sparkinfer.kernels.VectorWidth.FLOATS;
import static io.sparkinfer.kernels.VectorWidth.G;
import static io.sparkinfer.kernels.VectorWidth.I;
import static io.sparkinfer.kernels.VectorWidth.INTS;

import io.sparkinfer.tensor.Q4_0Codec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Activations quantized to int8 per 32-element block (ggml's Q8_0: {@code d = max|x| / 127},
 * {@code q = round(x / d)}), for the integer dots of Q4_0, Q4_K, Q5_K and Q6_K; llama.cpp
 * multiplies those weights the same way. {@link #quantizeBlock} is the one rounding rule, shared by {@link ScalarKernels} and the
 * vector layout below, so both tiers see the same integers.
 *
 * <p>Vector layout, per token, in groups matching {@link Q4_0Interleaved}: for step i (0..15) the
 * 32 blocks' element i as int16 (64 bytes), then their {@code q[i + 16] - 16 * q[i]} (64 bytes);
 * then the 32 block scales d as floats, in the order the kernels' epilogue reads them ({@link
 * #scaleSlot}); then per block {@code -8 * sum(q)} as int16; then per block {@code d * sum(q)} as
 * floats, in the scales' order (the min term of Q4_K and Q5_K, {@link VectorQ4KDot}, {@link
 * VectorQ5KDot}). The Q4 kernels multiply a weight byte b (low nibble lo: element i, high
 * nibble hi: element i + 16) as a whole by q[i] and its high
 * nibble by the second value: {@code b * q[i] + hi * (q[i + 16] - 16 q[i]) = lo * q[i] + hi * q[i +
 * 16]}, without masking the low nibble (one vector op fewer per step). The offset term lets them
 * use the raw nibbles (0..15) and still get {@code sum((nibble - 8) * q)}. The int16 products and
 * sums wrap, but arithmetic mod 2^16 is exact whenever the true block sum fits, and it does (at
 * most 32 * 8 * 127 = 32512 in magnitude). Padded blocks of the last group are all zero.
 */
final class Q8Activations {
    /** Offset of the 32 float block scales in a group. */
    static final int SCALES = Q4_0Interleaved.STEPS * 2 * Q4_0Interleaved.BLOCKS * Short.BYTES;
    /** Offset of the 32 int16 offset terms in a group. */
    static final int OFFSETS = SCALES + Q4_0Interleaved.BLOCKS * Float.BYTES;
    /** Offset of the 32 floats {@code d * sum(q)}, in {@link #scaleSlot} order (Q4_K's and Q5_K's min term). */
    static final int DSUMS = OFFSETS + Q4_0Interleaved.BLOCKS * Short.BYTES;
    /** Bytes per group: a multiple of 64, so every group and token starts on a cache line. */
    static final int BYTES = DSUMS + Q4_0Interleaved.BLOCKS * Float.BYTES;

    private static final int QK = Q4_0Codec.BLOCK;
    private static final int HALF = QK / 2;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private Q8Activations() {
    }

    /**
     * Where block {@code lane} of a group keeps its scale: per chunk of 2G blocks (one vector of
     * int16 block sums), the even blocks first, then the odd ones. The kernels turn a vector of
     * int16 sums into floats as int32 pairs (low halves: even blocks, high halves: odd blocks),
     * two in-lane shifts instead of a cross-lane widening, and meet them with scales in that order.
     */
    static int scaleSlot(int lane) {
        int chunk = 2 * G;
        int k = lane % chunk;
        return lane - k + (k & 1) * G + (k >> 1);
    }

    /** Bytes of one token's quantized activations. */
    static long tokenBytes(int cols) {
        return (long) Q4_0Interleaved.groups(cols) * BYTES;
    }

    /**
     * Quantizes x[off .. off + 32) into q and returns the block scale d. {@code y = x * (1 / d)} is
     * rounded half away from zero, as ggml's roundf: the truncated value, plus one step away from
     * zero when the fraction {@code y - trunc(y)} (exact in floats) is at least one half. (Adding
     * +-0.5 before truncating is not the same: 0.49999997 + 0.5 rounds to 1 in floats.) Clamped to
     * [-127, 127] against {@code x * (1 / d)} rounding just past 127.
     */
    static float quantizeBlock(float[] x, int off, int[] q) {
        return quantizeBlock(x, off, q, 0);
    }

    /** {@link #quantizeBlock} into q[qOff .. qOff + 32). */
    static float quantizeBlock(float[] x, int off, int[] q, int qOff) {
        float amax = 0f;
        for (int e = 0; e < QK; e++) {
            amax = Math.max(amax, Math.abs(x[off + e]));
        }
        float d = amax / 127f;
        float id = d != 0f ? 1f / d : 0f;
        for (int e = 0; e < QK; e++) {
            float y = x[off + e] * id;
            int v = (int) y;
            if (Math.abs(y - v) >= 0.5f) {
                v += y < 0f ? -1 : 1;
            }
            q[qOff + e] = Math.max(-127, Math.min(127, v));
        }
        return d;
    }

    /**
     * The min term's activation factor of a block quantized by {@link #quantizeBlock}: {@code d *
     * sum(q)}, one rounding (the sum is exact in a float: at most 32 * 127).
     */
    static float scaledSum(float d, int[] q, int off) {
        int sum = 0;
        for (int e = 0; e < QK; e++) {
            sum += q[off + e];
        }
        return d * sum;
    }

    /**
     * {@link #quantizeBlock} in vector lanes: the same float operations per element (x * id, the
     * truncating cast, the exact fraction), so the same integers (the max is exact in any order).
     * Fills q[qOff ..] (32 ints) and returns d. For vectors of up to 32 floats (the widths that
     * {@link VectorQ4Dot#SUPPORTED} admits; other widths run the scalar reference).
     */
    private static float quantizeBlockVector(float[] x, int off, int[] q, int qOff) {
        FloatVector m = FloatVector.zero(F);
        for (int e = 0; e < QK; e += G) {
            m = FloatVector.fromArray(F, x, off + e).abs().max(m); // fresh receiver, as VectorKernels.softmax
        }
        float d = ((FloatVector) FLOATS.cast(m)).reduceLanes(VectorOperators.MAX) / 127f;
        float id = d != 0f ? 1f / d : 0f;
        for (int e = 0; e < QK; e += G) {
            FloatVector y = FloatVector.fromArray(F, x, off + e).mul(id);
            IntVector v = (IntVector) y.convert(VectorOperators.F2I, 0);
            FloatVector fraction = y.sub((FloatVector) v.convert(VectorOperators.I2F, 0)).abs();
            IntVector away = IntVector.broadcast(I, 1).blend(-1, y.lt(0f).cast(I));
            v = v.add(away, fraction.compare(VectorOperators.GE, 0.5f).cast(I));
            v.max(-127).min(127).intoArray(q, qOff + e);
        }
        return d;
    }

    /** Ints of the scratch that {@link #quantize} needs. */
    static final int SCRATCH_INTS = 2 * Q4_0Interleaved.BLOCKS * HALF + G * G + QK;

    /**
     * Index vectors of the transpose's stages (h = G/2, ..., 1), {@code selectFrom(a, b)}: the
     * first keeps a's lanes with bit h clear and takes b's partner lanes (i ^ h) where it is set,
     * the second takes a's partners where bit h is clear and keeps b's lanes where it is set.
     */
    private static final int[] KEEP_A = transposeIndexes(true);
    private static final int[] KEEP_B = transposeIndexes(false);

    private static int[] transposeIndexes(boolean keepA) {
        int stages = Integer.numberOfTrailingZeros(G);
        int[] idx = new int[stages * G];
        for (int st = 0, h = G / 2; st < stages; st++, h /= 2) {
            for (int i = 0; i < G; i++) {
                boolean high = (i & h) != 0;
                idx[st * G + i] = keepA ? (high ? G + (i ^ h) : i) : (high ? G + i : i ^ h);
            }
        }
        return idx;
    }

    /**
     * Token t of x (floats {@code t * cols ..}) for t in [from, to), quantized into dst at
     * {@code t * tokenBytes(cols)}. Scratch: {@link #SCRATCH_INTS} ints and steps (2048 bytes: 1024 shorts).
     * Only where {@link VectorQ4Dot#SUPPORTED}.
     *
     * <p>Per group, each block's two halves (its {@code q[i]} and {@code q[i + 16] - 16 q[i]}) go
     * to block-major rows of the scratch, and G x G tiles of those rows are transposed into step
     * order in vector lanes (log2(G) stages of two-vector selects), then narrowed to int16; the
     * offset terms are summed in those lanes too. One core, 64 tokens x 8192 floats: 1.10 ns per
     * element against 1.67 for the per-element scalar stores it replaced (~4% of a 64-token
     * prefill went to quantizing).
     */
    static void quantize(float[] x, int cols, int from, int to, MemorySegment dst, int[] scratch, byte[] steps) {
        dst = NativeSegments.pin(dst);
        int blocks = cols / QK;
        int groups = Q4_0Interleaved.groups(cols);
        long tokenBytes = tokenBytes(cols);
        final int hi = Q4_0Interleaved.BLOCKS * HALF;  // the high halves' rows
        final int tile = 2 * hi;                       // the G x G transpose buffer
        final int q = tile + G * G;                    // one block's 32 integers
        for (int t = from; t < to; t++) {
            for (int g = 0; g < groups; g++) {
                long base = t * tokenBytes + (long) g * BYTES;
                for (int lane = 0; lane < Q4_0Interleaved.BLOCKS; lane++) {
                    int b = g * Q4_0Interleaved.BLOCKS + lane;
                    float d = 0f;
                    if (b >= blocks) {
                        Arrays.fill(scratch, q, q + QK, 0);
                    } else {
                        d = quantizeBlockVector(x, t * cols + b * QK, scratch, q);
                    }
                    IntVector sum = IntVector.zero(I);
                    for (int e = 0; e < HALF; e += G) {
                        IntVector low = IntVector.fromArray(I, scratch, q + e);
                        IntVector high = IntVector.fromArray(I, scratch, q + HALF + e);
                        sum = low.add(high).add(sum); // int adds: exact in any order
                        low.intoArray(scratch, lane * HALF + e);
                        high.sub(low.lanewise(VectorOperators.LSHL, 4)).intoArray(scratch, hi + lane * HALF + e);
                    }
                    long slot = (long) scaleSlot(lane) * Float.BYTES;
                    dst.set(ValueLayout.JAVA_FLOAT, base + SCALES + slot, d);
                    // An integer lane sum: exact in any order, so the same float as scaledSum.
                    dst.set(ValueLayout.JAVA_FLOAT, base + DSUMS + slot,
                            d * ((IntVector) INTS.cast(sum)).reduceLanes(VectorOperators.ADD));
                }
                // steps[e * 64 + half * 32 + lane]: element e of block lane's half (0: low, 1: high),
                // an int16 (two bytes of steps). The offset terms on the way, in lanes: sum(q) =
                // sum over e of 17 low + high. Stored as bytes, not from a ShortVector of this
                // half width, which made the type profiles inside the JDK's ShortVector stores
                // bimorphic for every kernel in the JVM (see VectorQ4Dot.SHORTS for why that
                // mattered).
                for (int b0 = 0; b0 < Q4_0Interleaved.BLOCKS; b0 += G) {
                    IntVector sum = IntVector.zero(I);
                    for (int half = 0; half < 2; half++) {
                        int weight = half == 0 ? 17 : 1; // not c ? column.mul(17) : column, a merge of vectors
                        for (int e0 = 0; e0 < HALF; e0 += G) {
                            transposeTile(scratch, half * hi + b0 * HALF + e0, tile);
                            for (int c = 0; c < G; c++) {
                                IntVector column = IntVector.fromArray(I, scratch, tile + c * G);
                                sum = column.mul(weight).add(sum);
                                column.convertShape(VectorOperators.I2S, VectorWidth.S, 0).reinterpretAsBytes()
                                        .intoArray(steps, Short.BYTES * ((e0 + c) * 2 * Q4_0Interleaved.BLOCKS
                                                + half * Q4_0Interleaved.BLOCKS + b0));
                            }
                        }
                    }
                    ((IntVector) INTS.cast(sum)).mul(-8).convertShape(VectorOperators.I2S, VectorWidth.S, 0)
                            .reinterpretAsBytes()
                            .intoMemorySegment(dst, base + OFFSETS + (long) b0 * Short.BYTES, NATIVE);
                }
                MemorySegment.copy(steps, 0, dst, ValueLayout.JAVA_BYTE, base, steps.length);
            }
        }
    }

    /**
     * The G x G ints at {@code m[from + r * 16 + c]} (rows 16 ints apart), transposed into
     * {@code m[tile ..]} (rows G apart): stage h exchanges, between rows i and i + h (bit h of i
     * clear), the elements whose column has bit h set in row i and clear in row i + h. After the
     * stages h = G/2, ..., 1 row c holds column c.
     */
    private static void transposeTile(int[] m, int from, int tile) {
        int h = G / 2;
        for (int i = 0; i < G; i++) {
            if ((i & h) == 0) {
                IntVector a = IntVector.fromArray(I, m, from + i * HALF);
                IntVector b = IntVector.fromArray(I, m, from + (i + h) * HALF);
                IntVector.fromArray(I, KEEP_A, 0).selectFrom(a, b).intoArray(m, tile + i * G);
                IntVector.fromArray(I, KEEP_B, 0).selectFrom(a, b).intoArray(m, tile + (i + h) * G);
            }
        }
        for (int st = 1; (h /= 2) > 0; st++) {
            IntVector keepA = IntVector.fromArray(I, KEEP_A, st * G);
            IntVector keepB = IntVector.fromArray(I, KEEP_B, st * G);
            for (int i = 0; i < G; i++) {
                if ((i & h) == 0) {
                    IntVector a = IntVector.fromArray(I, m, tile + i * G);
                    IntVector b = IntVector.fromArray(I, m, tile + (i + h) * G);
                    keepA.selectFrom(a, b).intoArray(m, tile + i * G);
                    keepB.selectFrom(a, b).intoArray(m, tile + (i + h) * G);
                }
            }
        }
    }
}
