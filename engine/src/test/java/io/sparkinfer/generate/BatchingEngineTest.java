package io.sparkinfer.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkinfer.model.KvCache;
import io.sparkinfer.model.LoadedModel;
import io.sparkinfer.model.Model;
import io.sparkinfer.sampling.BeamResult;
import io.sparkinfer.sampling.BeamSearch;
import io.sparkinfer.sampling.SamplingParams;
import io.sparkinfer.sampling.Seeds;
import io.sparkinfer.score.Scoring;
import io.sparkinfer.testutil.SharedData;
import io.sparkinfer.testutil.Tok512;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The continuous-batching engine on stories260K against the sequential reference and itself. */
class BatchingEngineTest {
    static LoadedModel loaded;
    static Model model;
    static final Tok512 TOK = new Tok512();
    static int[] story;

    @BeforeAll
    static void load() throws Exception {
        loaded = LoadedModel.open(SharedData.file("llama2c/stories260K.bin"));
        model = loaded.model();
        var ids = new ObjectMapper().readTree(SharedData.file("llama2c/ref_stories260K_greedy_ids.json").toFile())
                .get("greedy_next_ids");
        story = new int[ids.size() + 1];
        story[0] = Tok512.BOS;
        for (int i = 0; i < ids.size(); i++) {
            story[i + 1] = ids.get(i).asInt();
        }
    }

    @AfterAll
    static void close() {
        loaded.close();
    }

    /** A few KV slots and small steps, so requests queue and prompts are chunked beside decodes. */
    static BatchingEngine engine(int slots, int stepTokens) {
        long budget = slots * KvCache.bytesPerSlot(model.config(), 256);
        return new BatchingEngine(model, TOK, EngineOptions.of(256, budget).withMaxBatchTokens(stepTokens)
                .withChoiceEncoder(TOK::encode));
    }

    /** Prompt i: BOS plus a slice of the story, of varied lengths (some share long prefixes). */
    static int[] prompt(int i) {
        int start = (i * 7) % 60;
        int len = 1 + (i * 13) % 40;
        int[] p = Arrays.copyOfRange(story, start, start + len);
        p[0] = Tok512.BOS;
        return p;
    }

    static GenerationRequest greedy(int i) {
        SamplingParams p = SamplingParams.greedy(5 + (i * 11) % 40);
        if (i % 5 == 0) {
            p = p.withStop(List.of(" the"));
        }
        return new GenerationRequest("r" + i, prompt(i), p);
    }

    static GenerationRequest sampled(int i) {
        SamplingParams p = SamplingParams.sample(0.9f, 0.95f, 1000 + i, 5 + (i * 11) % 40).withLogprobs(true);
        if (i % 3 == 0) {
            p = p.withTopK(20).withMinP(0.05f).withRepetitionPenalty(1.2f).withFrequencyPenalty(0.3f);
        }
        return new GenerationRequest("s" + i, prompt(i), p);
    }

    static void assertSame(GenerationResult want, GenerationResult got) {
        assertEquals(want.id(), got.id());
        assertArrayEquals(want.tokens(), got.tokens(), want.id());
        assertEquals(want.text(), got.text(), want.id());
        assertEquals(want.finishReason(), got.finishReason(), want.id());
        assertEquals(want.promptTokens(), got.promptTokens());
        assertEquals(want.completionTokens(), got.completionTokens());
    }

    @Test
    void greedyResultsEqualTheSequentialEngine() {
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            reqs.add(greedy(i));
        }
        reqs.add(new GenerationRequest("long", Arrays.copyOf(story, 200), SamplingParams.greedy(100)));
        List<GenerationResult> want = new SequentialEngine(model, TOK, 256).generate(reqs);
        try (BatchingEngine e = engine(5, 24)) {
            List<GenerationResult> got = e.generate(reqs);
            for (int i = 0; i < reqs.size(); i++) {
                assertSame(want.get(i), got.get(i));
            }
            assertTrue(e.stats().maxBatch() > 1, "requests were batched");
            assertEquals(FinishReason.LENGTH, got.get(reqs.size() - 1).finishReason(), "context full");
        }
    }

    @Test
    void seededSamplingDoesNotDependOnTheBatch() {
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            reqs.add(sampled(i));
        }
        List<GenerationResult> alone = new ArrayList<>();
        try (BatchingEngine e = engine(2, 512)) {
            for (GenerationRequest r : reqs) {
                alone.add(e.submit(r).join()); // one at a time
            }
        }
        for (int[] shape : new int[][] {{8, 7}, {3, 64}, {16, 512}}) {
            try (BatchingEngine e = engine(shape[0], shape[1])) {
                List<GenerationRequest> shuffled = new ArrayList<>(reqs);
                java.util.Collections.reverse(shuffled);
                List<GenerationResult> got = e.generate(shuffled);
                for (int i = 0; i < reqs.size(); i++) {
                    GenerationResult g = got.get(reqs.size() - 1 - i);
                    assertSame(alone.get(i), g);
                    assertArrayEquals(alone.get(i).tokenLogprobs(), g.tokenLogprobs(), 0f);
                }
            }
        }
        Set<String> texts = new HashSet<>();
        alone.forEach(r -> texts.add(r.text()));
        assertTrue(texts.size() > 10, "different seeds give different texts");
    }

    @Test
    void hundredRequestsFromManyThreadsEachGetExactlyOneResult() throws Exception {
        ConcurrentHashMap<String, GenerationResult> results = new ConcurrentHashMap<>();
        List<CompletableFuture<GenerationResult>> futures = java.util.Collections.synchronizedList(new ArrayList<>());
        try (BatchingEngine e = engine(6, 64)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            for (int t = 0; t < 4; t++) {
                int thread = t;
                pool.submit(() -> {
                    for (int j = 0; j < 25; j++) {
                        int i = thread * 25 + j;
                        GenerationRequest r = switch (i % 10) {
                            case 3 -> new GenerationRequest("x" + i, new int[0], SamplingParams.greedy(5));
                            case 7 -> new GenerationRequest("x" + i, new int[300], SamplingParams.greedy(5));
                            default -> i % 2 == 0 ? withId(greedy(i), "x" + i) : withId(sampled(i), "x" + i);
                        };
                        futures.add(e.submit(r).whenComplete((res, err) -> {
                            if (results.put(res.id(), res) != null) {
                                throw new AssertionError("duplicate result " + res.id());
                            }
                        }));
                    }
                });
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        assertEquals(100, futures.size());
        assertEquals(100, results.size());
        for (int i = 0; i < 100; i++) {
            GenerationResult r = results.get("x" + i);
            if (i % 10 == 3 || i % 10 == 7) {
                assertEquals(FinishReason.ERROR, r.finishReason(), r.toString());
                assertTrue(r.error().contains("x" + i), r.error());
            } else {
                assertNull(r.error());
                assertTrue(r.completionTokens() > 0 || r.finishReason() == FinishReason.STOP);
            }
        }
    }

    static GenerationRequest withId(GenerationRequest r, String id) {
        return new GenerationRequest(id, r.prompt(), r.params());
    }

    @Test
    void nSamplesShareThePromptAndEqualSingleRuns() {
        int[] p = Arrays.copyOf(story, 60);
        SamplingParams sp = SamplingParams.sample(1f, 1f, 77, 20).withN(4);
        try (BatchingEngine e = engine(8, 512)) {
            List<GenerationResult> all = e.submitSamples(new GenerationRequest("n", p, sp)).join();
            assertEquals(4, all.size());
            assertTrue(e.stats().reusedTokens() >= 3 * 59, "the prompt is computed once: " + e.stats());
            for (int i = 0; i < 4; i++) {
                GenerationResult one = e.submit(new GenerationRequest("n", p, sp.withN(1).withSeed(Seeds.derive(77, i))))
                        .join();
                assertSame(one, all.get(i));
            }
            GenerationResult best = e.submit(new GenerationRequest("n", p, sp)).join();
            double max = all.stream().mapToDouble(GenerationResult::logprob).max().orElseThrow();
            assertEquals(max, best.logprob(), 0.0, "submit with n > 1 returns the most likely sample");
        }
    }

    @Test
    void choicesNeverLeaveTheSet() {
        List<String> choices = List.of("happy", "sad", "a big dog", "a bird");
        try (BatchingEngine e = engine(8, 128)) {
            List<GenerationRequest> reqs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                SamplingParams sp = SamplingParams.sample(1.5f, 1f, i, 1).withChoices(choices);
                reqs.add(new GenerationRequest("c" + i, prompt(i), i % 4 == 0 ? sp.withTemperature(0f) : sp));
            }
            Set<String> seen = new HashSet<>();
            for (GenerationResult r : e.generate(reqs)) {
                assertTrue(choices.contains(r.text()), r.text());
                assertEquals(FinishReason.STOP, r.finishReason());
                assertEquals(r.text(), TOK.decode(r.tokens()));
                seen.add(r.text());
            }
            assertTrue(seen.size() > 1);
        }
    }

    @Test
    void jsonOutputAlwaysParses() throws Exception {
        ObjectMapper json = new ObjectMapper();
        try (BatchingEngine e = engine(8, 128)) {
            List<GenerationRequest> reqs = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                reqs.add(new GenerationRequest("j" + i, prompt(i),
                        SamplingParams.sample(1f, 1f, i, 10 + 5 * i).withJson(true)));
            }
            int complete = 0;
            for (GenerationResult r : e.generate(reqs)) {
                assertNull(r.error());
                json.readTree(r.text()); // throws if it does not parse
                assertTrue(r.text().trim().startsWith("{") || r.text().trim().startsWith("["), r.text());
                complete += r.finishReason() == FinishReason.STOP ? 1 : 0;
            }
            assertTrue(complete >= 0);
        }
    }

    @Test
    void beamSearchWidthOneIsGreedyAndWiderBeamsAreScoredConsistently() {
        int[] p = Arrays.copyOf(story, 12);
        GenerationResult greedy = new SequentialEngine(model, TOK, 256)
                .submit(new GenerationRequest("g", p, SamplingParams.greedy(30))).join();
        BeamResult one = BeamSearch.run(new ModelLogitsSource(model, 1, 256), p, 1, 1f, 30, TOK::isEndOfGeneration);
        assertArrayEquals(greedy.tokens(), one.tokens());
        try (BatchingEngine e = engine(4, 64)) {
            GenerationResult beam = e.submit(new GenerationRequest("b", p,
                    SamplingParams.greedy(12).withBeamWidth(4).withIgnoreEos(true).withLengthPenalty(0f))).join();
            assertEquals(12, beam.tokens().length);
            // The beam's reported log-probability is the model's own for those tokens.
            double direct = Scoring.logLikelihood(e, p, beam.tokens());
            assertEquals(direct, beam.logprob(), 1e-3);
            double greedyLp = Scoring.logLikelihood(e, p, Arrays.copyOf(
                    new SequentialEngine(model, TOK, 256).submit(new GenerationRequest("g", p,
                            SamplingParams.greedy(12).withIgnoreEos(true))).join().tokens(), 12));
            assertTrue(beam.logprob() >= greedyLp - 1e-6, beam.logprob() + " vs greedy " + greedyLp);
        }
    }

    @Test
    void badRequestsBecomeErrorResults() {
        try (BatchingEngine e = engine(2, 64)) {
            assertEquals(FinishReason.ERROR, e.submit(new GenerationRequest("a", new int[] {1, 9999},
                    SamplingParams.greedy(3))).join().finishReason());
            assertEquals(FinishReason.ERROR, e.submit(new GenerationRequest("b", new int[] {1},
                    SamplingParams.greedy(3).withJson(true).withChoices(List.of("x")))).join().finishReason());
            assertEquals(FinishReason.ERROR, e.submit(new GenerationRequest("c", null, SamplingParams.greedy(3)))
                    .join().finishReason());
            GenerationResult zero = e.submit(new GenerationRequest("d", new int[] {1}, SamplingParams.greedy(0))).join();
            assertEquals(FinishReason.LENGTH, zero.finishReason());
            assertEquals(0, zero.tokens().length);
        }
        BatchingEngine closed = engine(2, 64);
        closed.close();
        assertEquals(FinishReason.ERROR, closed.submit(greedy(1)).join().finishReason());
    }
}
