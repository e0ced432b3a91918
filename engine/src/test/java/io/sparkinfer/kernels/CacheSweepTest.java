package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The sweep reads exactly [from, to): vector loads up to the last whole pair of vectors, bytes
 * after (the tests run with the Vector API's bounds checks on, so a load past the end throws).
 */
class CacheSweepTest {
    @Test
    void readsEveryRangeInsideTheSegmentAndNothingPastIt() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(1000, 64);
            for (int from : new int[] {0, 1, 63, 64, 500}) {
                for (int to = from; to <= 1000; to += 37) {
                    int f = from;
                    int t = to;
                    assertDoesNotThrow(() -> CacheSweep.read(data, f, t), from + ".." + to);
                }
                assertDoesNotThrow(() -> CacheSweep.read(data, from, 1000));
            }
            assertThrows(IndexOutOfBoundsException.class, () -> CacheSweep.read(data, 0, 1001));
            assertThrows(IndexOutOfBoundsException.class, () -> CacheSweep.read(data, 900, 1100));
        }
    }
}
