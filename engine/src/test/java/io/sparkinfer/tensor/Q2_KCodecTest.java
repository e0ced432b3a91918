package io.sparkinfer.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Q2_K: our reference quantizer's error bound (decoding: {@link GgmlDecodeConformanceTest}). */
class Q2_KCodecTest {
    @Test
    void referenceQuantizerStaysWithinHalfAStep() {
        Random rnd = new Random(12);
        int n = 4 * Q2_KCodec.BLOCK;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian() * (i % 256 < 64 ? 0.01f : 1f);
        }
        MemorySegment seg = MemorySegment.ofArray(new byte[(int) GGMLType.Q2_K.byteSize(n)]);
        TensorCodec.quantize(GGMLType.Q2_K, x, 0, n, seg, 0);
        float[] y = new float[n];
        TensorCodec.dequantize(GGMLType.Q2_K, seg, 0, y, 0, n);
        for (int i = 0; i < n; i++) {
            long o = (long) (i / Q2_KCodec.BLOCK) * Q2_KCodec.BYTES;
            float step = Q2_KCodec.d(seg, o) * Q2_KCodec.scale(seg, o, i % Q2_KCodec.BLOCK / 16);
            assertTrue(Math.abs(x[i] - y[i]) <= step / 2 * 1.001f + 1e-6f, "element " + i + ": " + x[i] + " -> " + y[i]
                    + " step " + step);
        }
    }
}
