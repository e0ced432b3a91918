package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorWidth.F;
import static io.sparkinfer.kernels.VectorWidth.G;
import static io.sparkinfer.kernels.VectorWidth.I;

import io.sparkinfer.tensor.Q4_0Codec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Activations quantized to int8 per 32-element block (ggml's Q8_0: {@code d = max|x| / 127},
 * {@code q = round(x / d)}), for the integer Q4_0 dots; llama.cpp multiplies Q4_0 weights the same
 * way. {@link #quantizeBlock} is the one rounding rule, shared by {@link ScalarKernels} and the
 * vector layout below, so both tiers see the same integers.
 *
 * <p>Vector layout, per token, in groups matching {@link Q4_0Interleaved}: for step i (0..15) the
 * 32 blocks' element i as int16 (64 bytes), then their {@code q[i + 16] - 16 * q[i]} (64 bytes);
 * then the 32 block scales d as floats, in the order the kernels' epilogue reads them ({@link
 * #scaleSlot}); then per block {@code -8 * sum(q)} as int16. The kernels multiply a weight byte b
 * (low nibble lo: element i, high nibble hi: element i + 16) as a whole by q[i] and its high
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
    /** Bytes per group: a multiple of 64, so every group and token starts on a cache line. */
    static final int BYTES = OFFSETS + Q4_0Interleaved.BLOCKS * Short.BYTES;

    private static final int QK = Q4_0Codec.BLOCK;

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
            q[e] = Math.max(-127, Math.min(127, v));
        }
        return d;
    }

    /**
     * {@link #quantizeBlock} in vector lanes: the same float operations per element (x * id, the
     * truncating cast, the exact fraction), so the same integers (the max is exact in any order).
     * Fills q (32 ints) and returns d. For vectors of up to 32 floats (the widths that
     * {@link VectorQ4Dot#SUPPORTED} admits; other widths run the scalar reference).
     */
    private static float quantizeBlockVector(float[] x, int off, int[] q) {
        FloatVector m = FloatVector.zero(F);
        for (int e = 0; e < QK; e += G) {
            m = m.max(FloatVector.fromArray(F, x, off + e).abs());
        }
        float d = m.reduceLanes(VectorOperators.MAX) / 127f;
        float id = d != 0f ? 1f / d : 0f;
        for (int e = 0; e < QK; e += G) {
            FloatVector y = FloatVector.fromArray(F, x, off + e).mul(id);
            IntVector v = (IntVector) y.convert(VectorOperators.F2I, 0);
            FloatVector fraction = y.sub((FloatVector) v.convert(VectorOperators.I2F, 0)).abs();
            IntVector away = IntVector.broadcast(I, 1).blend(-1, y.lt(0f).cast(I));
            v = v.add(away, fraction.compare(VectorOperators.GE, 0.5f).cast(I));
            v.max(-127).min(127).intoArray(q, e);
        }
        return d;
    }

    /**
     * Token t of x (floats {@code t * cols ..}) for t in [from, to), quantized into dst at
     * {@code t * tokenBytes(cols)}. Scratch: q (32 ints) and steps (1024 shorts). Only where
     * {@link VectorQ4Dot#SUPPORTED}.
     */
    static void quantize(float[] x, int cols, int from, int to, MemorySegment dst, int[] q, short[] steps) {
        int blocks = cols / QK;
        int groups = Q4_0Interleaved.groups(cols);
        long tokenBytes = tokenBytes(cols);
        for (int t = from; t < to; t++) {
            for (int g = 0; g < groups; g++) {
                long base = t * tokenBytes + (long) g * BYTES;
                for (int lane = 0; lane < Q4_0Interleaved.BLOCKS; lane++) {
                    int b = g * Q4_0Interleaved.BLOCKS + lane;
                    float d = 0f;
                    if (b >= blocks) {
                        Arrays.fill(q, 0, QK, 0);
                    } else {
                        d = quantizeBlockVector(x, t * cols + b * QK, q);
                    }
                    // element e < 16: step e, low half; e >= 16: step e - 16, high half
                    int sum = 0;
                    for (int e = 0; e < QK / 2; e++) {
                        steps[e * 64 + lane] = (short) q[e];
                        steps[e * 64 + 32 + lane] = (short) (q[e + QK / 2] - 16 * q[e]);
                        sum += q[e] + q[e + QK / 2];
                    }
                    dst.set(ValueLayout.JAVA_FLOAT, base + SCALES + scaleSlot(lane) * Float.BYTES, d);
                    dst.set(ValueLayout.JAVA_SHORT, base + OFFSETS + lane * Short.BYTES, (short) (-8 * sum));
                }
                MemorySegment.copy(steps, 0, dst, ValueLayout.JAVA_SHORT, base, steps.length);
            }
        }
    }
}
