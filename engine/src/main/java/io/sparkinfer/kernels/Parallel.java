package io.sparkinfer.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed pool of daemon threads for data-parallel loops of the engine. A loop over [0, n) is cut
 * into at most {@code threads} contiguous chunks; the caller runs chunk 0 and the workers the
 * rest. It is called hundreds of times per token, so there is no task object per index and no
 * queue: each worker has one mailbox (a generation counter), spins briefly, then parks.
 *
 * <p>Never deadlocks on nesting: a call from a worker thread, from inside a running loop, or
 * while another thread holds the pool runs inline on the calling thread.
 *
 * <p>The pool size is {@code Runtime.availableProcessors()}, or {@code -Dsparkinfer.threads=N}.
 */
public final class Parallel {
    /** How long a waiting thread spins before it parks: covers back-to-back loops of a forward pass. */
    private static final long SPIN_NANOS = 50_000;

    private final int threads;
    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    // The loop being run; published to workers by the volatile write of their generation.
    private Chunk body;
    private int n;
    private int chunks;
    private Thread caller;

    /** A pool with {@code threads} threads in all, the caller included (so threads - 1 workers). */
    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    /** A half-open range [from, to) of the work: one contiguous chunk. */
    @FunctionalInterface
    public interface Chunk {
        void run(int from, int to);
    }

    /** The engine-wide pool. */
    public static Parallel shared() {
        return Shared.POOL;
    }

    /** Threads of the shared pool, the caller included. */
    public static int threads() {
        return Shared.POOL.size();
    }

    /** Splits [0, n) into at most {@link #threads()} contiguous chunks and runs them on the shared pool. */
    public static void forChunks(int n, Chunk body) {
        Shared.POOL.run(n, body);
    }

    /** Runs {@code body} for every index in [0, n) on the shared pool (indices in contiguous chunks). */
    public static void forRange(int n, IntConsumer body) {
        Shared.POOL.run(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                body.accept(i);
            }
        });
    }

    /** Threads of this pool, the caller included. */
    public int size() {
        return threads;
    }

    /** Runs body over [0, n) split into at most {@link #size()} contiguous chunks; returns when all are done. */
    public void run(int n, Chunk body) {
        if (n <= 0) {
            return;
        }
        int chunks = Math.min(threads, n);
        if (chunks == 1 || Thread.currentThread() instanceof Worker || !busy.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.caller = Thread.currentThread();
            failure.set(null);
            pending.set(chunks - 1);
            for (int w = 0; w < chunks - 1; w++) {
                workers[w].wake();
            }
            runChunk(0);
            awaitWorkers();
            Throwable t = failure.get();
            if (t instanceof RuntimeException re) {
                throw re;
            } else if (t instanceof Error e) {
                throw e;
            } else if (t != null) {
                throw new IllegalStateException(t);
            }
        } finally {
            this.body = null;
            this.caller = null;
            busy.set(false);
        }
    }

    private void runChunk(int chunk) {
        int from = (int) ((long) n * chunk / chunks);
        int to = (int) ((long) n * (chunk + 1) / chunks);
        try {
            body.run(from, to);
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    private void awaitWorkers() {
        long start = System.nanoTime();
        while (pending.get() != 0) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
    }

    /** Holder idiom: the shared pool's threads start on first use only. */
    private static final class Shared {
        static final Parallel POOL = new Parallel(Math.max(1,
                Integer.getInteger("sparkinfer.threads", Runtime.getRuntime().availableProcessors())));
    }

    private final class Worker extends Thread {
        private final int chunk;
        private volatile long generation;

        Worker(int chunk) {
            super("sparkinfer-worker-" + chunk);
            this.chunk = chunk;
            setDaemon(true);
        }

        void wake() {
            generation++; // only the caller holding the pool writes it
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long start = System.nanoTime();
                while (generation == seen) {
                    if (System.nanoTime() - start < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                }
                seen = generation;
                runChunk(chunk);
                if (pending.decrementAndGet() == 0) {
                    LockSupport.unpark(caller);
                }
            }
        }
    }
}
