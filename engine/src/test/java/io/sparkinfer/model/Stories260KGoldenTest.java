package io.sparkinfer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkinfer.kernels.Kernels;
import io.sparkinfer.kernels.KernelsProvider;
import io.sparkinfer.kernels.ScalarKernels;
import io.sparkinfer.testutil.SharedData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** stories260K must reproduce llama2.c's greedy output from BOS, from both file formats. */
class Stories260KGoldenTest {
    static final Path BIN = SharedData.file("llama2c/stories260K.bin");
    static final Path GGUF = SharedData.file("gguf/tinyllamas-stories-260k-f32.gguf");

    static JsonNode reference() throws Exception {
        return new ObjectMapper().readTree(SharedData.file("llama2c/ref_stories260K_greedy_ids.json").toFile());
    }

    static int[] expectedIds() throws Exception {
        JsonNode ids = reference().get("greedy_next_ids");
        int[] out = new int[ids.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids.get(i).asInt();
        }
        return out;
    }

    /** Greedy decoding one token at a time, as run.c does (llama2.c stops at BOS; the reference has none). */
    static int[] greedy(Model model, int bos, int n) {
        KvCache cache = model.newKvCache(1, model.config().contextLength());
        int[] out = new int[n];
        int token = bos;
        for (int pos = 0; pos < n; pos++) {
            float[] logits = model.forward(ForwardBatch.ofSequence(new int[] {token}, pos, 0), cache);
            token = argmax(logits);
            out[pos] = token;
        }
        return out;
    }

    static int argmax(float[] v) {
        return io.sparkinfer.sampling.SamplerChain.argmax(v, 0, v.length);
    }

    @Test
    void llama2cCheckpointReproducesGreedyIds() throws Exception {
        for (Kernels k : new Kernels[] {new ScalarKernels(), KernelsProvider.get()}) {
            try (LoadedModel m = LoadedModel.open(BIN, k)) {
                assertArrayEquals(expectedIds(), greedy(m.model(), 1, expectedIds().length), k.name());
            }
        }
    }

    @Test
    void ggufV1ReproducesGreedyIds() throws Exception {
        try (LoadedModel m = LoadedModel.open(GGUF)) {
            assertArrayEquals(expectedIds(), greedy(m.model(), 1, expectedIds().length));
        }
    }

    @Test
    void logitsAfterBosMatchLlama2cAndBothLoadersAgree() throws Exception {
        JsonNode ref = reference().get("logits_after_bos_first8");
        try (LoadedModel a = LoadedModel.open(BIN, new ScalarKernels());
             LoadedModel b = LoadedModel.open(GGUF, new ScalarKernels())) {
            float[] la = a.model().forward(ForwardBatch.ofSequence(new int[] {1}, 0, 0), a.model().newKvCache(1, 8));
            float[] lb = b.model().forward(ForwardBatch.ofSequence(new int[] {1}, 0, 0), b.model().newKvCache(1, 8));
            assertArrayEquals(la, lb, 0f, "the two loaders must give identical logits");
            for (int i = 0; i < ref.size(); i++) {
                assertEquals(ref.get(i).floatValue(), la[i], 1e-4f, "logit " + i);
            }
            assertEquals(reference().get("argmax_after_bos").asInt(), argmax(la));
        }
    }

    @org.junit.jupiter.api.io.TempDir
    Path tmp;

    @Test
    void convertedToGgufV3ReproducesGreedyIds() throws Exception {
        Path out = tmp.resolve("stories-f32.gguf");
        Llama2cConverter.convert(BIN, SharedData.file("llama2c/tok512.bin"), out, io.sparkinfer.tensor.GGMLType.F32);
        try (LoadedModel m = LoadedModel.open(out)) {
            assertEquals(3, m.gguf().orElseThrow().version());
            assertEquals(512, m.gguf().orElseThrow().metadata().getStringArray("tokenizer.ggml.tokens").length);
            assertArrayEquals(expectedIds(), greedy(m.model(), 1, expectedIds().length));
        }
    }

    @Test
    void quantizedToQ8_0KeepsTheFirst20GreedyTokens() throws Exception {
        Path out = tmp.resolve("stories-q8.gguf");
        Llama2cConverter.convert(BIN, SharedData.file("llama2c/tok512.bin"), out, io.sparkinfer.tensor.GGMLType.Q8_0);
        try (LoadedModel m = LoadedModel.open(out)) {
            assertEquals(io.sparkinfer.tensor.GGMLType.Q8_0, m.gguf().orElseThrow().tensorInfo("blk.0.attn_q.weight").type());
            int[] got = greedy(m.model(), 1, 20);
            assertArrayEquals(java.util.Arrays.copyOf(expectedIds(), 20), got);
        }
    }
}
