package io.sparkinfer.kernels;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one place the vector width is chosen: the preferred species of this CPU (512 bits with
 * AVX-512, 256 with AVX2), or less with {@code -Dsparkinfer.vector.bits=256} (to exercise the
 * AVX2 path on an AVX-512 machine). All species are static finals so that C2 constant-folds them;
 * that is what turns Vector API calls into single instructions.
 *
 * <p>The integer kernels keep the lane count G the same in every species: G floats/ints fill a
 * full register, G shorts half of one and G bytes a quarter, so widening conversions never split
 * a vector into parts.
 */
final class VectorWidth {
    /** Bits of the CPU's preferred species. */
    static final int PREFERRED_BITS = VectorShape.preferredShape().vectorBitSize();
    /** Bits actually used: the preferred width unless a smaller one is requested. */
    static final int BITS = Math.min(PREFERRED_BITS, Integer.getInteger("sparkinfer.vector.bits", PREFERRED_BITS));

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(BITS));
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(BITS));
    static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(BITS / 2));
    static final VectorSpecies<Byte> B = ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(BITS / 4));
    /**
     * F's and I's vector classes. {@code (FloatVector) FLOATS.cast(v)} gives C2 the exact class of
     * a vector that reaches its use through a merge (a loop-carried accumulator, a {@code c ? a :
     * b}), which C2 otherwise knows only as a FloatVector: then the Vector API call that takes it
     * is bound, and its intrinsic admitted, by type profiles inside the JDK's methods, shared by
     * every caller in the JVM; where another library's vectors (another shape) have been through
     * them, the kernel compiles to the Java fallback, which boxes every vector (session 22: 1B
     * Q6_K batched decode allocated 200 GB in 16 steps after {@code bench
     * --pollute-vector-profiles}). Class.cast with a constant class is a C2 intrinsic: a type
     * check that folds away where the class is already known. See {@link VectorQ4Dot#SHORTS}.
     */
    static final Class<? extends Vector<Float>> FLOATS = F.vectorType();
    static final Class<? extends Vector<Integer>> INTS = I.vectorType();
    /** Lanes per float vector (16 with AVX-512, 8 with AVX2). */
    static final int G = F.length();

    private VectorWidth() {
    }

    /** Lane i's partner i ^ h in the tree sum, one shuffle per level h = G/2, ..., 2, 1. */
    static final VectorShuffle<Float> XOR1 = partner(1);
    static final VectorShuffle<Float> XOR2 = partner(2);
    static final VectorShuffle<Float> XOR4 = partner(4);
    static final VectorShuffle<Float> XOR8 = partner(8);
    static final VectorShuffle<Float> XOR16 = partner(16);
    static final VectorShuffle<Float> XOR32 = partner(32);
    /**
     * Lanes whose bit h is set. Tiles reduce several vectors at once by folding pairs: lanes with
     * bit h clear take x[i] + x[i ^ h], lanes with it set y[i] + y[i ^ h]; level by level this
     * leaves each vector's tree sum (the same additions as {@link #treeSum(float[], int)}) in its own lane.
     */
    static final VectorMask<Float> HIGH1 = high(1);
    static final VectorMask<Float> HIGH2 = high(2);
    static final VectorMask<Float> HIGH4 = high(4);
    static final VectorMask<Float> HIGH8 = high(8);

    static {
        if (G > 64 || Integer.bitCount(G) != 1) {
            throw new IllegalStateException("unsupported vector length: " + G + " float lanes");
        }
    }

    private static VectorShuffle<Float> partner(int h) {
        return VectorShuffle.fromOp(F, i -> h < G ? i ^ h : i);
    }

    private static VectorMask<Float> high(int h) {
        boolean[] bits = new boolean[G];
        for (int i = 0; i < G; i++) {
            bits[i] = (i & h) != 0;
        }
        return VectorMask.fromArray(F, bits, 0);
    }

    /**
     * Sum of the G floats at lanes[at ..) as a fixed tree: lane i + lane i + G/2, then + G/4 of
     * that, ..., + 1. The matmul tiers (fused decode kernels, {@code dot1}, the multi-token tiles)
     * all end a (row, token) dot with this tree, so their results are bit-identical; not {@code
     * reduceLanes(ADD)}, whose float order is unspecified. log2(G) shuffles and adds instead of a
     * store and G dependent scalar adds (the in-order sum it replaced was ~15% of a 3x4 tile at
     * 2048 columns).
     *
     * <p>Callers store their vector and call this; no method here takes a vector. A vector passed
     * to (or returned from) a method that C2 leaves un-inlined is boxed on every call, and that
     * method's own compile runs the Vector API's Java fallback, because the vector's class is not
     * known there. It happens per JVM and per call site: at 114 bytecodes the vector form of this
     * tree was inlined only where the call site counted as hot, or until the caller's compile
     * reached NodeCountInliningCutoff. Session 20 found SmolLM2 prefill 1.5-2x slower in the JVMs
     * where {@code VectorQ4Dot.finish4} compiled so, session 21 the 3x4 tiles at 256 bits boxing
     * their 12 sums (4 GB of garbage in a Q8_0 prefill of 64 tokens) and softmax boxing its sum.
     * A store and a load cost a few cycles per dot.
     */
    static float treeSum(float[] lanes, int at) {
        FloatVector v = FloatVector.fromArray(F, lanes, at);
        if (G > 32) {
            v = v.add(v.rearrange(XOR32));
        }
        if (G > 16) {
            v = v.add(v.rearrange(XOR16));
        }
        if (G > 8) {
            v = v.add(v.rearrange(XOR8));
        }
        if (G > 4) {
            v = v.add(v.rearrange(XOR4));
        }
        if (G > 2) {
            v = v.add(v.rearrange(XOR2));
        }
        return v.add(v.rearrange(XOR1)).lane(0);
    }

    /**
     * {@link #treeSum(float[], int)} of the G floats at lanes + at (aligned native memory): the
     * same additions, for the kernels whose scratch is a segment.
     */
    static float treeSum(MemorySegment lanes, long at) {
        lanes = NativeSegments.pin(lanes);
        FloatVector v = FloatVector.fromMemorySegment(F, lanes, at, ByteOrder.nativeOrder());
        if (G > 32) {
            v = v.add(v.rearrange(XOR32));
        }
        if (G > 16) {
            v = v.add(v.rearrange(XOR16));
        }
        if (G > 8) {
            v = v.add(v.rearrange(XOR8));
        }
        if (G > 4) {
            v = v.add(v.rearrange(XOR4));
        }
        if (G > 2) {
            v = v.add(v.rearrange(XOR2));
        }
        return v.add(v.rearrange(XOR1)).lane(0);
    }
}
