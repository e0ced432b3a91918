package io.sparkinfer.sampling;

/** Seeds derived from a request's seed, so that sample i of n is reproducible on its own. */
public final class Seeds {
    private Seeds() {
    }

    /**
     * The seed of sample {@code index} of a request. Sample 0 keeps the request's seed, so asking
     * for n > 1 samples does not change the first one; the others are mixed (SplitMix64 finalizer)
     * so that neighbouring indices give unrelated streams.
     */
    public static long derive(long seed, int index) {
        if (index == 0) {
            return seed;
        }
        long z = seed + 0x9E3779B97F4A7C15L * index;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
