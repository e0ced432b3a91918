package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class DeterministicExpTest {
    @Test
    void closeToMathExpAndVectorEqualsScalar() {
        var species = FloatVector.SPECIES_PREFERRED;
        float[] xs = new float[species.length() * 200];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = -90f + 180f * i / xs.length;
        }
        float[] vec = new float[xs.length];
        for (int i = 0; i < xs.length; i += species.length()) {
            DeterministicExp.exp(FloatVector.fromArray(species, xs, i)).intoArray(vec, i);
        }
        for (int i = 0; i < xs.length; i++) {
            float s = DeterministicExp.exp(xs[i]);
            assertEquals(Float.floatToRawIntBits(s), Float.floatToRawIntBits(vec[i]), "x = " + xs[i]);
            double want = Math.exp(Math.max(xs[i], -87.3365447505531));
            if (xs[i] < 88f) {
                assertEquals(want, s, want * 4e-7 + 1e-37, "x = " + xs[i]);
            }
        }
        assertEquals(1f, DeterministicExp.exp(0f));
    }
}
