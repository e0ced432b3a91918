package io.sparkinfer.generate;

import io.sparkinfer.model.ModelConfig;
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

    @Override
    void close();
}
