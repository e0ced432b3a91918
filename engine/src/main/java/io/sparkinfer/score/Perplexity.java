package io.sparkinfer.score;

/**
 * The perplexity of a text.
 *
 * @param perplexity {@code exp(negLogLikelihood / tokens)}
 * @param negLogLikelihood sum of {@code -log P(token | context)} over the scored tokens
 * @param tokens     tokens scored (all but the first, which has no context)
 * @param windows    forward windows used (more than one past the context length)
 */
public record Perplexity(double perplexity, double negLogLikelihood, int tokens, int windows) {
}
