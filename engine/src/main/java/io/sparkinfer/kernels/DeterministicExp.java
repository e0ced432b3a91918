package io.sparkinfer.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * exp(x) in float from basic IEEE operations only (Cephes' expf: range reduction by ln 2 and a
 * degree-6 polynomial, about 1 ulp). {@code Math.exp} and the Vector API's {@code EXP} may return
 * different bits in the interpreter and in JIT-compiled code, and a vector lane differently from
 * a scalar tail, which made a token's logits depend on when and in which batch it ran. Here the
 * scalar and vector forms perform the same operations in the same order, so every path agrees
 * bit for bit.
 */
public final class DeterministicExp {
    private static final float HI = 88.3762626647949f;
    private static final float LO = -87.3365447505531f;
    private static final float LOG2E = 1.44269504088896341f;
    /** 1.5 * 2^23: adding it rounds a float to the nearest integer. */
    private static final float ROUND = 12582912f;
    private static final float C1 = 0.693359375f;
    private static final float C2 = -2.12194440e-4f;
    private static final float P0 = 1.9875691500E-4f, P1 = 1.3981999507E-3f, P2 = 8.3334519073E-3f,
            P3 = 4.1665795894E-2f, P4 = 1.6666665459E-1f, P5 = 5.0000001201E-1f;

    private DeterministicExp() {
    }

    public static float exp(float x) {
        x = Math.min(Math.max(x, LO), HI);
        float t = x * LOG2E + ROUND;
        float n = t - ROUND;
        float r = x - n * C1 - n * C2;
        float p = P0;
        p = p * r + P1;
        p = p * r + P2;
        p = p * r + P3;
        p = p * r + P4;
        p = p * r + P5;
        float y = p * (r * r) + r + 1f;
        int bits = ((int) n + 127) << 23;
        return y * Float.intBitsToFloat(bits);
    }

    /**
     * out[outOff + i] = exp(sign * x[xOff + i] - shift) for i in [0, n): whole vectors ({@link
     * VectorWidth#F}) in lanes, the rest with {@link #exp(float)}, the same operations either way.
     * sign 1 and shift max give softmax's {@code exp(x - max)}, sign -1 and shift 0 swiglu's
     * {@code exp(-g)}, both exactly (a product by +-1 and a difference with 0 round nothing). The
     * vector form is written out in this loop rather than in a method taking a vector: C2 leaves
     * such a method un-inlined in some compiles (a standalone compile of it showed up in every
     * run), and then boxes the vector and runs the Vector API's Java fallback.
     */
    static void exp(float[] x, int xOff, float sign, float shift, float[] out, int outOff, int n) {
        int i = 0;
        for (; i < VectorWidth.F.loopBound(n); i += VectorWidth.G) {
            FloatVector v = FloatVector.fromArray(VectorWidth.F, x, xOff + i).mul(sign).sub(shift);
            v = v.max(LO).min(HI);
            FloatVector t = v.mul(LOG2E).add(ROUND);
            FloatVector k = t.sub(ROUND);
            FloatVector r = v.sub(k.mul(C1)).sub(k.mul(C2));
            FloatVector p = r.mul(P0).add(P1);
            p = p.mul(r).add(P2);
            p = p.mul(r).add(P3);
            p = p.mul(r).add(P4);
            p = p.mul(r).add(P5);
            FloatVector y = p.mul(r.mul(r)).add(r).add(1f);
            IntVector bits = ((IntVector) k.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
            y.mul(bits.reinterpretAsFloats()).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = exp(sign * x[xOff + i] - shift);
        }
    }
}
