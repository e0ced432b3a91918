package io.sparkinfer.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Q3_K: negative scales covered by the conformance vectors ({@link GgmlDecodeConformanceTest}), our reference quantizer's error bound. */
class Q3_KCodecTest {
    @Test
    void ggmlsVectorsExerciseNegativeScales() throws Exception {
        GgmlVectors v = GgmlVectors.load("q3_K");
        boolean negativeScale = false;
        for (int b = 0; b < 2; b++) {
            for (int k = 0; k < 16; k++) {
                negativeScale |= Q3_KCodec.scale(v.bytes(), (long) b * Q3_KCodec.BYTES, k) < 0;
            }
        }
        assertTrue(negativeScale, "the conformance vectors should hold negative Q3_K scales");
    }

    @Test
    void referenceQuantizerStaysWithinHalfAStep() {
        Random rnd = new Random(11);
        int n = 4 * Q3_KCodec.BLOCK;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian() * (i % 256 < 64 ? 0.01f : 1f);
        }
        MemorySegment seg = MemorySegment.ofArray(new byte[(int) GGMLType.Q3_K.byteSize(n)]);
        TensorCodec.quantize(GGMLType.Q3_K, x, 0, n, seg, 0);
        float[] y = new float[n];
        TensorCodec.dequantize(GGMLType.Q3_K, seg, 0, y, 0, n);
        for (int i = 0; i < n; i++) {
            long o = (long) (i / Q3_KCodec.BLOCK) * Q3_KCodec.BYTES;
            float step = Q3_KCodec.d(seg, o) * Q3_KCodec.scale(seg, o, i % Q3_KCodec.BLOCK / 16);
            assertTrue(Math.abs(x[i] - y[i]) <= step / 2 * 1.001f + 1e-7f, "element " + i + ": " + x[i] + " -> " + y[i]
                    + " step " + step);
        }
    }
}
