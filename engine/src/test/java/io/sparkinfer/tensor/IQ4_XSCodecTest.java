package io.sparkinfer.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** IQ4_XS: its re-encoding as Q8_0 (scales rounded to f16), our reference quantizer (decoding: {@link GgmlDecodeConformanceTest}). */
class IQ4_XSCodecTest {
    @Test
    void asQ8_0KeepsTheLevelsAndRoundsOnlyTheScales() throws Exception {
        GgmlVectors v = GgmlVectors.load("iq4_xs");
        WeightMatrix w = new WeightMatrix("w", GGMLType.IQ4_XS, 2, 256, v.bytes());
        WeightMatrix q8 = IQ4_NLCodec.asQ8_0(w);
        float[] exact = new float[512];
        float[] got = new float[512];
        TensorCodec.dequantize(GGMLType.IQ4_XS, w.data(), 0, exact, 0, 512);
        TensorCodec.dequantize(GGMLType.Q8_0, q8.data(), 0, got, 0, 512);
        for (int i = 0; i < 512; i++) {
            long sb = (long) (i / 256) * IQ4_XSCodec.BYTES;
            float dl = IQ4_XSCodec.d(w.data(), sb) * IQ4_XSCodec.scale(w.data(), sb, i % 256 / 32);
            float halfUlp = Math.max(Math.abs(dl) * 0x1p-11f, 0x1p-25f); // f16 rounding of the block scale
            assertTrue(Math.abs(exact[i] - got[i]) <= halfUlp * 127, "element " + i + ": " + exact[i] + " vs " + got[i]);
        }
    }

    @Test
    void referenceQuantizerRoundTripsWithinTheLevelSpacing() {
        Random rnd = new Random(13);
        int n = 4 * IQ4_XSCodec.BLOCK;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian() * (i % 256 < 64 ? 0.01f : 1f);
        }
        WeightMatrix w = TensorCodec.quantize("w", GGMLType.IQ4_XS, x, 1, n);
        float[] y = new float[n];
        TensorCodec.dequantize(GGMLType.IQ4_XS, w.data(), 0, y, 0, n);
        for (int i = 0; i < n; i++) {
            long sb = (long) (i / 256) * IQ4_XSCodec.BYTES;
            float d = IQ4_XSCodec.d(w.data(), sb);
            float dl = Math.abs(d * IQ4_XSCodec.scale(w.data(), sb, i % 256 / 32));
            // half the widest gap between levels (24: 89 -> 113), plus the sub-block scale's
            // rounding to a multiple of d (half of d, times a level of at most 127)
            assertTrue(Math.abs(x[i] - y[i]) <= dl * 12 + d * 127 / 2 + 1e-6f, "element " + i + ": " + x[i] + " -> "
                    + y[i]);
        }
    }
}
