package io.sparkinfer.tasks;

import java.util.List;

/**
 * Completes a batch of prompts. The Spark layer implements it with a distributed generation job;
 * tests and the single-machine CLI implement it with an engine directly.
 */
@FunctionalInterface
public interface TextCompleter {
    /** One completion per prompt, in order; {@code seedBase} makes the call reproducible. */
    List<Completion> complete(List<String> prompts, long seedBase);

    /** A completion and whether it stopped at the length limit (a truncated list is discarded). */
    record Completion(String text, boolean truncated) {
    }
}
