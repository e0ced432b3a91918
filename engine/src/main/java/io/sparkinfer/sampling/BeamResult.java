package io.sparkinfer.sampling;

/**
 * The best hypothesis of a beam search.
 *
 * @param tokens   generated tokens (the end token not included)
 * @param logprob  sum of the tokens' log-probabilities (the end token's included when it ended)
 * @param score    the ranking score: logprob / length^lengthPenalty
 * @param finished true when it ended with an end token, false when cut by the token budget
 */
public record BeamResult(int[] tokens, double logprob, double score, boolean finished) {
}
