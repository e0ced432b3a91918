package io.sparkinfer.spark;

import java.util.Locale;

/**
 * What a job did: rows written by this run (errors included), rows skipped because a previous
 * run had written them (resume), tokens, wall time.
 */
public record JobSummary(long rows, long errors, long skipped, long promptTokens, long completionTokens, double seconds,
        String output, String fingerprint) {

    public double completionTokensPerSecond() {
        return seconds > 0 ? completionTokens / seconds : 0;
    }

    public double tokensPerSecond() {
        return seconds > 0 ? (promptTokens + completionTokens) / seconds : 0;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "sparkinfer summary: %d rows written (%d errors, %d skipped as already done), %d prompt + %d completion tokens "
                        + "in %.1f s: %.1f completion tokens/s, %.1f tokens/s all; output %s; fingerprint %s",
                rows, errors, skipped, promptTokens, completionTokens, seconds, completionTokensPerSecond(),
                tokensPerSecond(), output, fingerprint);
    }
}
