package io.sparkinfer.generate;

import io.sparkinfer.model.ModelConfig;
import io.sparkinfer.sampling.Seeds;
import io.sparkinfer.score.LabelScores;
import io.sparkinfer.score.Perplexity;
import io.sparkinfer.score.Scoring;
import io.sparkinfer.score.TokenScorer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The engine as the Spark layer (and the CLI) sees it: one per JVM, thread-safe, shared by all
 * task threads. Every request yields exactly one result, an error result included; a bad row
 * never throws out of {@link #generate}.
 */
public interface InferenceEngine extends AutoCloseable {

    ModelConfig config();

    /** Queues a request; the future completes with its result (never exceptionally for a bad row). */
    CompletableFuture<GenerationResult> submit(GenerationRequest request);

    /** All results, in request order. */
    default List<GenerationResult> generate(List<GenerationRequest> requests) {
        List<CompletableFuture<GenerationResult>> futures = new ArrayList<>(requests.size());
        for (GenerationRequest r : requests) {
            futures.add(submit(r));
        }
        List<GenerationResult> out = new ArrayList<>(requests.size());
        for (CompletableFuture<GenerationResult> f : futures) {
            out.add(f.join());
        }
        return out;
    }

    /**
     * Log-probability of each label continuation given the prompt (the prompt is computed once
     * and shared by every label): {@code result[i] = sum_j log P(labels[i][j] | prompt, labels[i][..j])}.
     */
    double[] scoreLabels(int[] prompt, List<int[]> labels);

    /**
     * All {@code n} samples of a request, sample i seeded with {@code Seeds.derive(seed, i)} (sample
     * 0 keeps the request's seed). Engines that share the prompt across samples override this.
     */
    default CompletableFuture<List<GenerationResult>> submitSamples(GenerationRequest request) {
        int n = request.params().n();
        List<CompletableFuture<GenerationResult>> parts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            parts.add(submit(new GenerationRequest(request.id(), request.prompt(),
                    request.params().withSeed(Seeds.derive(request.params().seed(), i)).withN(1))));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(v -> parts.stream().map(CompletableFuture::join).toList());
    }

    /** Label scores with probabilities normalized over the label set (see {@link #scoreLabels}). */
    default LabelScores labelScores(int[] prompt, List<int[]> labels) {
        return LabelScores.of(scoreLabels(prompt, labels));
    }

    /** {@code log P(continuation | prompt)}; engines that can score tokens implement {@link TokenScorer}. */
    default double logLikelihood(int[] prompt, int[] continuation) {
        return Scoring.logLikelihood(scorer(), prompt, continuation);
    }

    /** Perplexity of a token sequence with a sliding window (see {@link Scoring#perplexity}). */
    default Perplexity perplexity(int[] tokens, int window, int stride) {
        return Scoring.perplexity(scorer(), tokens, window, stride);
    }

    private TokenScorer scorer() {
        if (this instanceof TokenScorer s) {
            return s;
        }
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot score token sequences");
    }

    @Override
    void close();
}
