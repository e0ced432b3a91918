package io.sparkinfer.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.generate.BatchingEngine;
import io.sparkinfer.generate.EngineOptions;
import io.sparkinfer.generate.GenerationRequest;
import io.sparkinfer.generate.GenerationResult;
import io.sparkinfer.generate.SequentialEngine;
import io.sparkinfer.generate.TokenText;
import io.sparkinfer.gguf.GgufFile;
import io.sparkinfer.kernels.ScalarKernels;
import io.sparkinfer.kernels.VectorKernels;
import io.sparkinfer.model.ForwardBatch;
import io.sparkinfer.model.KvCache;
import io.sparkinfer.model.LoadedModel;
import io.sparkinfer.sampling.SamplingParams;
import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.WeightMatrix;
import io.sparkinfer.tensor.TensorCodec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** Random-weight models load, run with finite logits, and carry a valid tokenizer section. */
class RandomModelWriterTest {
    @TempDir
    Path dir;

    static final TokenText IDS = new TokenText() {
        @Override
        public String decode(int[] ids) {
            return java.util.Arrays.toString(ids);
        }

        @Override
        public boolean isEndOfGeneration(int id) {
            return id == ModelShape.TINY.eosId();
        }
    };

    @Test
    void everyTypeLoadsAndRunsWithFiniteLogits() {
        for (GGMLType t : new GGMLType[] {GGMLType.F16, GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.Q4_K, GGMLType.Q2_K,
                GGMLType.Q3_K, GGMLType.IQ4_NL, GGMLType.IQ4_XS}) {
            Path f = dir.resolve("tiny-" + t + ".gguf");
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            assertEquals(0, RandomModelWriter.run(new String[] {"--shape", "tiny", "--type", t.name(), "--out", f.toString()},
                    new PrintStream(buf)));
            try (LoadedModel m = LoadedModel.open(f)) {
                GgufFile g = m.gguf().orElseThrow();
                assertEquals(t, g.tensorInfo("blk.0.attn_q.weight").type());
                assertEquals("gpt2", g.metadata().getString("tokenizer.ggml.model"));
                assertEquals(ModelShape.TINY.vocab(), g.metadata().getStringArray("tokenizer.ggml.tokens").length);
                assertEquals(ModelShape.TINY.vocab() - 256 - ModelShape.TINY.specials(),
                        g.metadata().getStringArray("tokenizer.ggml.merges").length);
                var c = m.model().config();
                assertEquals(256, c.dim());
                boolean iq4 = t == GGMLType.IQ4_NL || t == GGMLType.IQ4_XS;
                assertEquals(iq4 ? GGMLType.Q8_0 : t, m.model().weights().layers().get(0).wq().type(),
                        "IQ4 types run as Q8_0");
                float[] logits = m.model().forward(ForwardBatch.ofSequence(new int[] {1, 50, 300, 7}, 0, 0),
                        m.model().newKvCache(1, 16));
                for (float v : logits) {
                    assertTrue(Float.isFinite(v), t + ": non-finite logit");
                }
            }
        }
    }

    @Test
    void q4_K_MPutsQ6_KWhereLlamaCppDoes() {
        Path f = dir.resolve("tiny-q4_k_m.gguf");
        RandomModelWriter.write(ModelShape.TINY, RandomModelWriter.Recipe.parse("q4_k_m"), f, 3);
        int n = ModelShape.TINY.layers();
        try (GgufFile g = GgufFile.open(f)) {
            assertEquals(15, g.metadata().getInt("general.file_type"));
            assertEquals(GGMLType.Q6_K, g.tensorInfo("token_embd.weight").type(), "tied output");
            for (int l = 0; l < n; l++) {
                GGMLType more = RandomModelWriter.Recipe.moreBits(l, n) ? GGMLType.Q6_K : GGMLType.Q4_K;
                assertEquals(more, g.tensorInfo("blk." + l + ".attn_v.weight").type(), "attn_v " + l);
                assertEquals(more, g.tensorInfo("blk." + l + ".ffn_down.weight").type(), "ffn_down " + l);
                assertEquals(GGMLType.Q4_K, g.tensorInfo("blk." + l + ".attn_q.weight").type(), "attn_q " + l);
                assertEquals(GGMLType.Q4_K, g.tensorInfo("blk." + l + ".ffn_up.weight").type(), "ffn_up " + l);
            }
        }
        // llama.cpp's rule over 16 layers (a 1B): layers 0, 1, 4, 7, 10, 13, 14, 15.
        List<Integer> more = new ArrayList<>();
        for (int l = 0; l < 16; l++) {
            if (RandomModelWriter.Recipe.moreBits(l, 16)) {
                more.add(l);
            }
        }
        assertEquals(List.of(0, 1, 4, 7, 10, 13, 14, 15), more);
        // The mix loads and runs (the Q4_K and Q6_K integer kernels, 1-token and 4-token): greedy batching as sequential.
        batchingEngineMatchesSequential(f);
    }

    @Test
    void anUnknownTypeIsNamed() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> RandomModelWriter.Recipe.parse("Q5_K_Z"));
        assertTrue(e.getMessage().contains("Q5_K_Z") && e.getMessage().contains("Q4_K_M"), e.getMessage());
    }

    @Test
    void weightsAreNormalWithTheDeclaredSpread() {
        for (GGMLType t : new GGMLType[] {GGMLType.F16, GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.Q4_K}) {
            Path f = dir.resolve("w-" + t + ".gguf");
            RandomModelWriter.write(ModelShape.TINY, t, f, 5);
            try (GgufFile g = GgufFile.open(f)) {
                int cols = ModelShape.TINY.dim(), rows = 64;
                float[] x = new float[cols];
                double sum = 0, sq = 0;
                MemorySegment data = g.tensorData("blk.1.ffn_up.weight");
                for (int r = 0; r < rows; r++) {
                    TensorCodec.dequantizeRow(t, data, r * t.byteSize(cols), x, 0, cols);
                    for (float v : x) {
                        sum += v;
                        sq += v * v;
                    }
                }
                double n = rows * cols, mean = sum / n, std = Math.sqrt(sq / n - mean * mean);
                assertEquals(0, mean, 0.002, t.toString());
                assertEquals(RandomModelWriter.STD, std, 0.003, t.toString());
                assertEquals(2, g.metadata().getInt("general.quantization_version"));
            }
        }
    }

    @Test
    void batchingEngineMatchesSequentialOnQuantizedRandomModels() {
        // Q4_K and Q4_0: the integer kernels (1-token and 4-token tiers, prepared weights)
        for (GGMLType t : new GGMLType[] {GGMLType.Q4_K, GGMLType.Q4_0}) {
            batchingEngineMatchesSequential(t);
        }
    }

    private void batchingEngineMatchesSequential(GGMLType type) {
        Path f = dir.resolve("tiny-" + type + "-engine.gguf");
        RandomModelWriter.write(ModelShape.TINY, type, f, 7);
        batchingEngineMatchesSequential(f);
    }

    private void batchingEngineMatchesSequential(Path f) {
        try (LoadedModel m = LoadedModel.open(f)) {
            List<GenerationRequest> reqs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                reqs.add(new GenerationRequest("q" + i, Bench.randomTokens(1000, 3 + 5 * i, i), SamplingParams.greedy(12)));
            }
            List<GenerationResult> want = new SequentialEngine(m.model(), IDS, 128).generate(reqs);
            try (BatchingEngine e = new BatchingEngine(m.model(), IDS,
                    EngineOptions.of(128, 3 * KvCache.bytesPerSlot(m.model().config(), 128)).withMaxBatchTokens(16))) {
                List<GenerationResult> got = e.generate(reqs);
                for (int i = 0; i < reqs.size(); i++) {
                    assertArrayEquals(want.get(i).tokens(), got.get(i).tokens(), f.getFileName() + " request " + i);
                }
            }
        }
    }

    /**
     * A Q4_0 (Q2_K, Q3_K) model multiplies as integers on int8 activations in both kernel sets,
     * an IQ4_XS model as Q8_0: the vector kernels' logits (re-laid weights, integer dots) match
     * the scalar reference's. Not to float rounding: the two sum in
     * different orders, an activation that lands on the other side of an int8 rounding boundary in
     * a later layer moves the result by a quantization step, so the bound is 3% of the largest
     * logit (measured: 0.9%); a wrong layout or scale gives unrelated logits.
     */
    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"Q4_0", "Q2_K", "Q3_K", "IQ4_XS"})
    void logitsOfVectorAndScalarKernelsAgree(GGMLType type) {
        Path f = dir.resolve("tiny-" + type + "-kernels.gguf");
        RandomModelWriter.write(ModelShape.TINY, type, f, 3);
        int[] prompt = {1, 50, 300, 7, 999, 12};
        float[] v;
        float[] s;
        try (LoadedModel m = LoadedModel.open(f, new VectorKernels())) {
            WeightMatrix wq = m.model().weights().layers().get(0).wq();
            if (type == GGMLType.IQ4_XS) {
                assertEquals(GGMLType.Q8_0, wq.type(), "IQ4_XS runs as Q8_0");
            } else {
                assertTrue(wq.packed() != null, "vector kernels re-lay " + type);
            }
            v = m.model().forward(ForwardBatch.ofSequence(prompt, 0, 0), m.model().newKvCache(1, 16));
        }
        try (LoadedModel m = LoadedModel.open(f, new ScalarKernels())) {
            s = m.model().forward(ForwardBatch.ofSequence(prompt, 0, 0), m.model().newKvCache(1, 16));
        }
        double maxAbs = 0;
        for (float x : s) {
            maxAbs = Math.max(maxAbs, Math.abs(x));
        }
        for (int i = 0; i < s.length; i++) {
            assertEquals(s[i], v[i], 0.03 * maxAbs, type + " logit " + i);
        }
    }

    @Test
    void benchPrintsATable() throws Exception {
        Path f = dir.resolve("tiny-q8.gguf");
        RandomModelWriter.write(ModelShape.TINY, GGMLType.Q8_0, f, 1);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        assertEquals(0, Bench.run(new String[] {"--model", f.toString(), "--pp", "16", "--tg", "4", "--batch", "1,3",
                "--ubatch", "20", "--engine"}, new PrintStream(buf, true, StandardCharsets.UTF_8)));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("S_PP t/s") && out.contains("S_e2e t/s"), out);
        assertTrue(out.lines().filter(l -> l.startsWith("|    16 |     4 |    3 |")).count() == 1, out);
    }

    @Test
    void namedShapesHaveTheirRealSizes() {
        assertEquals(1.24, ModelShape.named("llama-3.2-1b").parameters() / 1e9, 0.01);
        assertEquals(0.49, ModelShape.named("qwen2.5-0.5b").parameters() / 1e9, 0.01);
        assertEquals(0.135, ModelShape.named("smollm2-135m").parameters() / 1e9, 0.005);
    }
}
