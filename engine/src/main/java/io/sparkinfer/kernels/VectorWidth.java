package io.sparkinfer.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
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
    /** Lanes per float vector (16 with AVX-512, 8 with AVX2). */
    static final int G = F.length();

    private VectorWidth() {
    }

    /**
     * Sum of G lanes stored in {@code lanes}, in lane order. Not {@code reduceLanes(ADD)}: its float
     * order is unspecified and may differ between the interpreter and C2, which would break
     * bit-identical results. Callers store the vector themselves ({@code v.intoArray(lanes, 0)}):
     * a vector passed to a method that C2 does not inline gets boxed, which is 100x slower.
     */
    static float sumLanes(float[] lanes) {
        float s = 0f;
        for (int i = 0; i < G; i++) {
            s += lanes[i];
        }
        return s;
    }
}
