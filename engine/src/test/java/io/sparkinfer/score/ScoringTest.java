package io.sparkinfer.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkinfer.generate.BatchingEngine;
import io.sparkinfer.generate.EngineOptions;
import io.sparkinfer.generate.LogProbs;
import io.sparkinfer.generate.SequentialEngine;
import io.sparkinfer.model.ForwardBatch;
import io.sparkinfer.model.KvCache;
import io.sparkinfer.model.LoadedModel;
import io.sparkinfer.model.Model;
import io.sparkinfer.testutil.SharedData;
import io.sparkinfer.testutil.Tok512;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Scores through the batching engine against plain forward calls on stories260K. */
class ScoringTest {
    static LoadedModel loaded;
    static Model model;
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

    static BatchingEngine engine(int maxSeqLen, int stepTokens) {
        return new BatchingEngine(model, new Tok512(),
                EngineOptions.of(maxSeqLen, 8 * KvCache.bytesPerSlot(model.config(), maxSeqLen)).withMaxBatchTokens(stepTokens));
    }

    /** Sum of -log p(t_i | t_<i) over tokens [from, end) of {@code tokens}, one plain forward call per token. */
    static double directNll(int[] tokens, int from) {
        int vocab = model.config().vocabSize();
        KvCache cache = model.newKvCache(1, tokens.length);
        double nll = 0;
        for (int i = 0; i < tokens.length - 1; i++) {
            float[] logits = model.forward(ForwardBatch.ofSequence(new int[] {tokens[i]}, i, 0), cache);
            if (i + 1 >= from) {
                nll -= LogProbs.logSoftmaxAt(logits, 0, vocab, tokens[i + 1]);
            }
        }
        return nll;
    }

    @Test
    void perplexityMatchesDirectComputation() {
        try (BatchingEngine e = engine(256, 64)) {
            Perplexity p = Scoring.perplexity(e, story, 512, 256);
            double nll = directNll(story, 1);
            assertEquals(1, p.windows());
            assertEquals(story.length - 1, p.tokens());
            assertEquals(nll, p.negLogLikelihood(), 1e-3 * Math.abs(nll) / 100);
            assertEquals(Math.exp(nll / (story.length - 1)), p.perplexity(), 1e-4);
        }
    }

    @Test
    void slidingWindowScoresEveryTokenOnceWithItsWindowAsContext() {
        try (BatchingEngine e = engine(64, 48)) {
            int window = 48, stride = 20;
            Perplexity p = Scoring.perplexity(e, story, window, stride);
            assertEquals(story.length - 1, p.tokens());
            double nll = 0;
            int scoredUpTo = 1;
            int windows = 0;
            for (int begin = 0; scoredUpTo < story.length; begin += stride) {
                int end = Math.min(begin + window, story.length);
                nll += directNll(Arrays.copyOfRange(story, begin, end), scoredUpTo - begin);
                scoredUpTo = end;
                windows++;
            }
            assertEquals(windows, p.windows());
            assertTrue(windows > 5);
            assertEquals(nll, p.negLogLikelihood(), 1e-5 * nll);
        }
    }

    @Test
    void labelScoresMatchTheSequentialEngineAndNormalize() {
        int[] prompt = Arrays.copyOf(story, 30);
        List<int[]> labels = List.of(new int[] {story[30]}, new int[] {300, 301, 302}, new int[] {story[30], story[31]},
                new int[] {5});
        double[] want = new SequentialEngine(model, new Tok512(), 256).scoreLabels(prompt, labels);
        try (BatchingEngine e = engine(256, 512)) {
            LabelScores s = Scoring.labels(e, prompt, labels);
            assertArrayEquals(want, s.logprobs(), 1e-4);
            assertArrayEquals(want, e.scoreLabels(prompt, labels), 1e-4);
            assertEquals(1.0, Arrays.stream(s.probabilities()).sum(), 1e-9);
            assertEquals(0, s.best());
            assertTrue(e.stats().reusedTokens() >= 3 * 29, "the prompt is computed once: " + e.stats());
        }
    }

    @Test
    void logLikelihoodIsTheSumOfTokenLogprobs() {
        int[] prompt = Arrays.copyOf(story, 10);
        int[] cont = Arrays.copyOfRange(story, 10, 25);
        try (BatchingEngine e = engine(256, 7)) {
            float[] per = Scoring.tokenLogprobs(e, prompt, cont);
            assertEquals(cont.length, per.length);
            double sum = 0;
            for (float f : per) {
                sum += f;
            }
            assertEquals(sum, Scoring.logLikelihood(e, prompt, cont), 1e-9);
            assertEquals(-directNll(Arrays.copyOf(story, 25), 10), sum, 1e-3);
        }
    }
}
