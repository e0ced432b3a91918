package io.sparkinfer.spark;

import java.nio.charset.StandardCharsets;

/**
 * Each row's sampling seed derives from (job seed, row id) only, so a retried task, a resumed
 * job or another partitioning gives the row the same seed, hence the same output.
 */
public final class RowSeeds {
    private RowSeeds() {
    }

    /** SplitMix64 finalizer over the job seed mixed with the 64-bit FNV-1a hash of the id's UTF-8 bytes. */
    public static long of(long jobSeed, String rowId) {
        long h = 0xcbf29ce484222325L;
        for (byte b : rowId.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(jobSeed ^ mix(h));
    }

    static long mix(long z) {
        z += 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
