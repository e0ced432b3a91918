package io.sparkinfer.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Our decoders give ggml's floats, bit for bit, for blocks ggml itself encoded ({@link GgmlVectors}). */
class GgmlDecodeConformanceTest {
    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"Q2_K", "Q3_K", "IQ4_NL", "IQ4_XS"})
    void decodesGgmlsBlocksToGgmlsFloats(GGMLType type) throws Exception {
        String name = type.name().startsWith("IQ") ? type.name().toLowerCase(Locale.ROOT)
                : type.name().charAt(0) == 'Q' ? "q" + type.name().substring(1) : type.name();
        GgmlVectors v = GgmlVectors.load(name);
        int n = v.decoded().length;
        assertEquals(type.byteSize(n), v.bytes().byteSize(), type + ": bytes for " + n + " elements");
        float[] got = new float[n];
        TensorCodec.dequantize(type, v.bytes(), 0, got, 0, n);
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(v.decoded()[i]), Float.floatToRawIntBits(got[i]), type + " element " + i);
        }
    }
}
