package io.sparkinfer.tensor;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Test vectors written by ggml itself (llama.cpp c392e50's {@code ggml_quantize_chunk} and the
 * type's {@code to_float}, on 512 pseudo-random floats): the encoded bytes and ggml's decoding of
 * them, in {@code /ggml-vectors/<type>.txt} (a comment line, hex lines, then the floats in C's
 * {@code %a}, exact).
 */
record GgmlVectors(MemorySegment bytes, float[] decoded) {
    static GgmlVectors load(String type) throws IOException {
        String name = "/ggml-vectors/" + type + ".txt";
        try (InputStream in = GgmlVectors.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            StringBuilder hex = new StringBuilder();
            List<Float> floats = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                if (line.contains("0x")) {
                    for (String f : line.trim().split(" ")) {
                        floats.add(Float.parseFloat(f));
                    }
                } else {
                    hex.append(line.trim());
                }
            }
            float[] decoded = new float[floats.size()];
            for (int i = 0; i < decoded.length; i++) {
                decoded[i] = floats.get(i);
            }
            return new GgmlVectors(MemorySegment.ofArray(HexFormat.of().parseHex(hex)), decoded);
        }
    }
}
