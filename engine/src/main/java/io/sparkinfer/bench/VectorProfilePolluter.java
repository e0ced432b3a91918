package io.sparkinfer.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Runs Vector API operations on every vector shape the CPU has besides the kernels' own, as
 * another library in the same JVM would (a Spark executor also hosts the user's code: Lucene,
 * other ML libraries). C2 binds a call on a vector whose exact class it does not know by the
 * type profile inside the JDK's method, which every caller in the JVM shares; where that profile
 * has seen two shapes, the kernel's call can compile to the Vector API's Java fallback, which
 * boxes every vector (session 21: a Q6_K kernel 27x slower in some JVMs). {@code bench
 * --pollute-vector-profiles} runs this before warming up, so that the timed runs, and the heap
 * they allocate (printed under each row), show whether every kernel still compiles to vector
 * instructions when the profiles are not its own.
 */
final class VectorProfilePolluter {
    /** Where results go, so that C2 cannot drop the work. */
    private static volatile double sink;

    private VectorProfilePolluter() {
    }

    /** Returns the shapes it ran (all supported shapes of 128 bits and up, the kernels' included). */
    static String run() {
        StringBuilder shapes = new StringBuilder();
        int max = VectorShape.preferredShape().vectorBitSize();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(4096, 64);
            for (int bits = 128; bits <= max; bits *= 2) {
                VectorShape shape = VectorShape.forBitSize(bits);
                for (int i = 0; i < 30_000; i++) {
                    shapes(shape, seg);
                }
                shapes.append(shapes.isEmpty() ? "" : ", ").append(bits);
            }
        }
        return shapes + " bits";
    }

    /** One round of the operations the kernels use, through the declared (abstract) vector types. */
    private static void shapes(VectorShape shape, MemorySegment seg) {
        ByteOrder order = ByteOrder.nativeOrder();
        VectorSpecies<Float> f = FloatVector.SPECIES_PREFERRED.withShape(shape);
        VectorSpecies<Integer> in = IntVector.SPECIES_PREFERRED.withShape(shape);
        VectorSpecies<Short> sh = ShortVector.SPECIES_PREFERRED.withShape(shape);
        VectorSpecies<Byte> by = ByteVector.SPECIES_PREFERRED.withShape(shape);
        VectorSpecies<Long> lo = LongVector.SPECIES_PREFERRED.withShape(shape);
        float[] fa = new float[f.length()];
        int[] ia = new int[in.length()];

        FloatVector x = FloatVector.fromArray(f, fa, 0);
        FloatVector y = FloatVector.fromMemorySegment(f, seg, 0, order);
        FloatVector z = x.add(y).mul(y).fma(x, y).sub(x).max(y).min(x).neg().abs().div(2f);
        z = z.blend(x, z.compare(VectorOperators.GT, 0f)).lanewise(VectorOperators.MAX, y).add(1f).mul(0.5f);
        z = z.add(z.rearrange(f.shuffleFromOp(k -> k ^ 1)));
        z.intoArray(fa, 0);
        z.intoMemorySegment(seg, 0, order);

        IntVector i = IntVector.fromArray(in, ia, 0);
        IntVector j = IntVector.fromMemorySegment(in, seg, 1024, order);
        IntVector s = i.add(j).mul(j).sub(i).and(7).or(j).max(i).min(j)
                .lanewise(VectorOperators.LSHL, 2).lanewise(VectorOperators.ASHR, 1).lanewise(VectorOperators.LSHR, 1);
        FloatVector c = ((FloatVector) s.convert(VectorOperators.I2F, 0)).add(s.reinterpretAsFloats());
        IntVector back = (IntVector) c.convert(VectorOperators.F2I, 0);
        s = s.add(back).add(c.reinterpretAsInts()).blend(j, s.lt(0));
        s.intoArray(ia, 0);
        s.intoMemorySegment(seg, 1024, order);

        ShortVector q = ShortVector.fromMemorySegment(sh, seg, 2048, order);
        ShortVector r = q.mul(q).add(q).sub(q).lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.ASHR, 2)
                .lanewise(VectorOperators.LSHL, 1).and((short) 15);
        r.intoMemorySegment(seg, 2048, order);
        IntVector pairs = r.reinterpretAsInts().add(i);
        ByteVector b = ByteVector.fromMemorySegment(by, seg, 3072, order);
        ShortVector wide = (ShortVector) b.convertShape(VectorOperators.ZERO_EXTEND_B2S, sh, 0);
        FloatVector bf = (FloatVector) b.convertShape(VectorOperators.B2F, f, 0);
        b.and((byte) 15).lanewise(VectorOperators.LSHR, 4).intoMemorySegment(seg, 3072, order);
        wide.reinterpretAsBytes().intoMemorySegment(seg, 3072, order);

        LongVector l = LongVector.fromMemorySegment(lo, seg, 0, order);
        l = l.or(l).add(l);
        sink = z.reduceLanes(VectorOperators.ADD) + z.lane(0) + c.reduceLanes(VectorOperators.MAX)
                + s.reduceLanes(VectorOperators.ADD) + pairs.lane(0) + bf.lane(0) + wide.lane(0)
                + l.reduceLanes(VectorOperators.OR);
    }
}
