package io.sparkinfer.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** IQ4_NL: its lossless re-encoding as Q8_0, our reference quantizer (decoding: {@link GgmlDecodeConformanceTest}). */
class IQ4_NLCodecTest {
    @Test
    void asQ8_0DecodesToTheSameBits() throws Exception {
        GgmlVectors v = GgmlVectors.load("iq4_nl");
        WeightMatrix w = new WeightMatrix("w", GGMLType.IQ4_NL, 4, 128, v.bytes());
        WeightMatrix q8 = IQ4_NLCodec.asQ8_0(w);
        assertEquals(GGMLType.Q8_0, q8.type());
        float[] a = new float[512];
        float[] b = new float[512];
        TensorCodec.dequantize(GGMLType.IQ4_NL, w.data(), 0, a, 0, 512);
        TensorCodec.dequantize(GGMLType.Q8_0, q8.data(), 0, b, 0, 512);
        for (int i = 0; i < 512; i++) {
            assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "element " + i);
        }
    }

    @Test
    void referenceQuantizerPicksTheNearestLevel() {
        Random rnd = new Random(9);
        int n = 8 * IQ4_NLCodec.BLOCK;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        WeightMatrix w = TensorCodec.quantize("w", GGMLType.IQ4_NL, x, 1, n);
        float[] y = new float[n];
        TensorCodec.dequantize(GGMLType.IQ4_NL, w.data(), 0, y, 0, n);
        for (int i = 0; i < n; i++) {
            float d = Float.float16ToFloat(w.data().get(Layouts.I16, (long) (i / 32) * IQ4_NLCodec.BYTES));
            for (int level : IQ4_NLCodec.LEVELS) { // no level is nearer than the chosen one
                assertTrue(Math.abs(x[i] - y[i]) <= Math.abs(x[i] - d * level) + 1e-6f, "element " + i);
            }
        }
    }
}
