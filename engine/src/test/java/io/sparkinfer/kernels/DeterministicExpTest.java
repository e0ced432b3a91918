package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DeterministicExpTest {
    @Test
    void closeToMathExpAndVectorEqualsScalar() {
        // Lengths that leave a scalar tail, so both forms run on every x.
        float[] xs = new float[VectorWidth.G * 200 + 3];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = -90f + 180f * i / xs.length;
        }
        float[] vec = new float[xs.length];
        DeterministicExp.exp(xs, 0, 1f, 0f, vec, 0, xs.length);
        float[] shifted = new float[xs.length];
        DeterministicExp.exp(xs, 1, 1f, 0f, shifted, 0, xs.length - 1);
        float[] negated = new float[xs.length];
        DeterministicExp.exp(xs, 0, -1f, 2.5f, negated, 0, xs.length);
        for (int i = 0; i < xs.length; i++) {
            float s = DeterministicExp.exp(xs[i]);
            assertEquals(Float.floatToRawIntBits(s), Float.floatToRawIntBits(vec[i]), "x = " + xs[i]);
            if (i > 0) {
                assertEquals(Float.floatToRawIntBits(s), Float.floatToRawIntBits(shifted[i - 1]), "x = " + xs[i]);
            }
            assertEquals(Float.floatToRawIntBits(DeterministicExp.exp(-xs[i] - 2.5f)),
                    Float.floatToRawIntBits(negated[i]), "x = " + xs[i]);
            double want = Math.exp(Math.max(xs[i], -87.3365447505531));
            if (xs[i] < 88f) {
                assertEquals(want, s, want * 4e-7 + 1e-37, "x = " + xs[i]);
            }
        }
        assertEquals(1f, DeterministicExp.exp(0f));
    }
}
