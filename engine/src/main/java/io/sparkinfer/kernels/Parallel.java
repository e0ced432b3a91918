package io.sparkinfer.kernels;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * The engine's one thread pool: {@code sparkinfer.threads} daemon workers (default: all cores).
 * {@link #forRange} splits [0, n) into one contiguous chunk per thread, the caller running the
 * first, which keeps the per-call cost to a few queue hand-offs: it is called hundreds of times
 * per forward pass. Calls from inside a worker run inline, so nesting cannot deadlock.
 */
public final class Parallel {
    private static final int THREADS = Integer.getInteger("sparkinfer.threads", Runtime.getRuntime().availableProcessors());
    private static final LinkedBlockingQueue<Runnable> QUEUE = new LinkedBlockingQueue<>();
    private static final ThreadLocal<Boolean> IS_WORKER = ThreadLocal.withInitial(() -> false);

    static {
        for (int i = 1; i < THREADS; i++) {
            Thread t = new Thread(Parallel::work, "sparkinfer-worker-" + i);
            t.setDaemon(true);
            t.start();
        }
    }

    private Parallel() {
    }

    /** Threads that {@link #forRange} uses, the caller included. */
    public static int threads() {
        return THREADS;
    }

    private static void work() {
        IS_WORKER.set(true);
        while (true) {
            try {
                QUEUE.take().run();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Runs {@code body.accept(i)} for every i in [0, n), spread over the pool; returns when all are done. */
    public static void forRange(int n, IntConsumer body) {
        forChunks(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                body.accept(i);
            }
        });
    }

    /** A half-open range [from, to) of the work. */
    @FunctionalInterface
    public interface Chunk {
        void run(int from, int to);
    }

    /** Splits [0, n) into at most {@link #threads()} contiguous chunks and runs them in parallel. */
    public static void forChunks(int n, Chunk body) {
        int parts = Math.min(THREADS, n);
        if (parts <= 1 || IS_WORKER.get()) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        CountDownLatch done = new CountDownLatch(parts - 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int p = 1; p < parts; p++) {
            int from = (int) ((long) n * p / parts), to = (int) ((long) n * (p + 1) / parts);
            QUEUE.add(() -> {
                try {
                    body.run(from, to);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            });
        }
        body.run(0, (int) ((long) n / parts));
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for parallel work", e);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        } else if (t instanceof Error err) {
            throw err;
        } else if (t != null) {
            throw new IllegalStateException(t);
        }
    }
}
