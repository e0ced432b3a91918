package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void everyIndexRunsExactlyOnceInContiguousChunks() {
        for (int threads = 1; threads <= 4; threads++) {
            Parallel p = new Parallel(threads);
            for (int n : new int[] {0, 1, 2, 3, 5, 64, 1001}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
                for (int rep = 0; rep < 50; rep++) {
                    p.run(n, (from, to) -> {
                        for (int i = from; i < to; i++) {
                            hits.incrementAndGet(i);
                        }
                    });
                }
                for (int i = 0; i < n; i++) {
                    assertEquals(50, hits.get(i), "threads " + threads + " n " + n + " index " + i);
                }
            }
        }
    }

    @Test
    void nestedCallsRunInlineWithoutDeadlock() {
        Parallel p = new Parallel(3);
        AtomicLong sum = new AtomicLong();
        p.run(6, (from, to) -> {
            for (int i = from; i < to; i++) {
                p.run(10, (a, b) -> sum.addAndGet(b - a));
                Parallel.forRange(4, j -> sum.incrementAndGet());
            }
        });
        assertEquals(6 * 10 + 6 * 4, sum.get());
    }

    @Test
    void concurrentCallersAllComplete() throws InterruptedException {
        Parallel p = new Parallel(2);
        AtomicLong sum = new AtomicLong();
        Thread[] callers = new Thread[4];
        for (int c = 0; c < callers.length; c++) {
            callers[c] = new Thread(() -> {
                for (int rep = 0; rep < 200; rep++) {
                    p.run(100, (from, to) -> sum.addAndGet(to - from));
                }
            });
            callers[c].start();
        }
        for (Thread t : callers) {
            t.join();
        }
        assertEquals(4L * 200 * 100, sum.get());
    }

    @Test
    void aWorkerFailureReachesTheCaller() {
        Parallel p = new Parallel(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.run(10, (from, to) -> {
            if (from > 0) {
                throw new IllegalStateException("boom in chunk at " + from);
            }
        }));
        assertEquals("boom in chunk at 5", e.getMessage());
        AtomicLong after = new AtomicLong();
        p.run(10, (from, to) -> after.addAndGet(to - from));
        assertEquals(10, after.get(), "the pool still works after a failure");
    }
}
