package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorWidth.G;
import static io.sparkinfer.kernels.VectorWidth.I;

import io.sparkinfer.tensor.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Activations rounded to bfloat16 (8 significant bits, round to nearest even), for the Q8_0
 * matmuls ({@link #roundsFor}): every kernel of that type multiplies the exactly
 * decoded weights by these values, so a token's result stays the same whichever kernel its batch
 * runs. llama.cpp rounds them further (int8 per block of 32 with one scale).
 *
 * <p>Why: the tiles then read the activations at half the bytes, packed ({@link #pack}), and
 * widen them in registers; a 3x4 tile over 64 tokens, whose activations stream from L2, ran at
 * 95-97 against 67-68 GMAC/s for float activations (one Zen 5 core, the same FMAs).
 *
 * <p>Packed layout: per token, {@code stride(cols) / 2} ints; per 2G columns starting at c, G
 * ints whose high halves hold the bfloat16 of columns c .. c + G - 1 (the tile's even chunk) and
 * low halves those of c + G .. c + 2G - 1 (the odd chunk): one int load and two lane ops give
 * both chunks' floats. Columns past the last whole 2G are not packed (the tiles read them from
 * the float copy).
 */
final class Bf16Activations {
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** The high half of an int: a bfloat16 as float bits (the packing's even half). */
    static final int HIGH = 0xFFFF0000;
    /** A float NaN's quiet bit, inside bfloat16's half. */
    private static final int QUIET = 0x00400000;

    private Bf16Activations() {
    }

    /**
     * Whether matmuls of {@code type} multiply activations rounded to bfloat16 (in every kernel
     * tier, scalar reference included): Q8_0, for which llama.cpp rounds the activations coarser
     * still (int8 per block); not F32, F16 or BF16 weights (llama.cpp keeps F16's activations at
     * 11 significant bits), nor Q4_0, Q4_K and Q6_K, which multiply int8 activations ({@link
     * Q8Activations}). Measured on a 1B in one JVM: Q8_0 pp64 1.14-1.17x.
     */
    static boolean roundsFor(GGMLType type) {
        return type == GGMLType.Q8_0;
    }

    /**
     * x rounded to the nearest bfloat16 (ties to even), as a float. A NaN becomes a quiet NaN
     * of the same sign (its payload may sit in the low half, which bfloat16 drops).
     */
    static float round(float x) {
        int bits = Float.floatToRawIntBits(x);
        if (Float.isNaN(x)) {
            return Float.intBitsToFloat((bits | QUIET) & HIGH);
        }
        return Float.intBitsToFloat((bits + 0x7FFF + ((bits >>> 16) & 1)) & HIGH);
    }

    /**
     * dst[i] = round(src[i]) for i < n. Its {@code reinterpretAsInts}, while not yet compiled by
     * C2, runs the Vector API's fallback through heap byte[] segments: the kernels pin their
     * segments ({@link NativeSegments}) so that this cannot slow them (session 13).
     */
    static void round(float[] src, int n, float[] dst) {
        int i = 0;
        for (; i < I.loopBound(n); i += G) {
            IntVector bits = FloatVector.fromArray(VectorWidth.F, src, i).reinterpretAsInts();
            IntVector rounded = bits.add(0x7FFF).add(bits.lanewise(VectorOperators.LSHR, 16).and(1)).and(HIGH);
            // NaN lanes become quiet NaNs (the sum could carry a NaN's payload into the exponent).
            IntVector nan = bits.and(0x7FFFFFFF);
            rounded = rounded.blend(bits.or(QUIET).and(HIGH), nan.compare(VectorOperators.GT, 0x7F800000));
            rounded.reinterpretAsFloats().intoArray(dst, i);
        }
        for (; i < n; i++) {
            dst[i] = round(src[i]);
        }
    }

    /** Ints per token of the packed layout. */
    static int strideInts(int cols) {
        return AlignedFloats.stride(cols) / 2;
    }

    /**
     * Packs nTokens tokens of already rounded activations (cols each, from rounded[0]) into dst,
     * token t from int {@code t * strideInts(cols)}.
     */
    static void pack(float[] rounded, int nTokens, int cols, MemorySegment dst) {
        dst = NativeSegments.pin(dst);
        int stride = strideInts(cols);
        int pairs = cols - cols % (2 * G);
        for (int t = 0; t < nTokens; t++) {
            int src = t * cols;
            long at = (long) t * stride;
            for (int c = 0; c < pairs; c += 2 * G) {
                IntVector even = FloatVector.fromArray(VectorWidth.F, rounded, src + c).reinterpretAsInts();
                IntVector odd = FloatVector.fromArray(VectorWidth.F, rounded, src + c + G).reinterpretAsInts();
                even.or(odd.lanewise(VectorOperators.LSHR, 16))
                        .intoMemorySegment(dst, (at + c / 2) * Integer.BYTES, NATIVE);
            }
        }
    }

    /** The float of packed int j's high (even) or low (odd) half: for tests. */
    static float unpack(MemorySegment packed, long intIndex, boolean odd) {
        int v = packed.get(ValueLayout.JAVA_INT, intIndex * Integer.BYTES);
        return Float.intBitsToFloat(odd ? v << 16 : v & HIGH);
    }
}
