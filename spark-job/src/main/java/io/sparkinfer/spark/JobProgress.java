package io.sparkinfer.spark;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The driver's progress line while a job runs: rows done/total, errors, tokens/s, ETA. Counts
 * come from the job's accumulators: finished tasks from task-end events, running tasks from the
 * executors' heartbeats ({@code spark.executor.heartbeatInterval}), so the line moves while
 * long tasks run. Printed every {@code progress_interval_s} seconds (0: off) to stderr.
 */
public final class JobProgress extends SparkListener implements AutoCloseable {
    private final long[] accIds;
    private final long total;
    private final long startNanos = System.nanoTime();
    private final long[] done = new long[4];
    private final Map<Long, long[]> running = new ConcurrentHashMap<>();
    private final Thread printer;
    private final PrintStream out;

    public JobProgress(JobCounters counters, long total, int intervalSeconds, PrintStream out) {
        this.accIds = counters.ids();
        this.total = total;
        this.out = out;
        if (intervalSeconds > 0) {
            printer = new Thread(() -> {
                try {
                    while (true) {
                        Thread.sleep(intervalSeconds * 1000L);
                        out.println(line());
                    }
                } catch (InterruptedException e) {
                    // closed
                }
            }, "sparkinfer-progress");
            printer.setDaemon(true);
            printer.start();
        } else {
            printer = null;
        }
    }

    private int slot(long accId) {
        for (int i = 0; i < accIds.length; i++) {
            if (accIds[i] == accId) {
                return i;
            }
        }
        return -1;
    }

    private long[] values(scala.collection.Iterable<AccumulableInfo> infos) {
        long[] v = new long[4];
        boolean any = false;
        for (AccumulableInfo info : CollectionConverters.asJava(infos)) {
            int s = slot(info.id());
            if (s >= 0 && info.update().isDefined() && info.update().get() instanceof Number n) {
                v[s] = n.longValue();
                any = true;
            }
        }
        return any ? v : null;
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> t
                : CollectionConverters.asJava(update.accumUpdates())) {
            long[] v = values(t._4());
            if (v != null) {
                running.put((Long) t._1(), v);
            }
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        running.remove(end.taskInfo().taskId());
        if (end.reason() == Success$.MODULE$) {
            long[] v = values(end.taskInfo().accumulables());
            if (v != null) {
                synchronized (done) {
                    for (int i = 0; i < 4; i++) {
                        done[i] += v[i];
                    }
                }
            }
        }
    }

    /** rows, errors, prompt tokens, completion tokens so far (finished tasks + running tasks' last heartbeat). */
    public long[] snapshot() {
        long[] s;
        synchronized (done) {
            s = done.clone();
        }
        for (long[] v : running.values()) {
            for (int i = 0; i < 4; i++) {
                s[i] += v[i];
            }
        }
        return s;
    }

    public String line() {
        long[] s = snapshot();
        double secs = (System.nanoTime() - startNanos) / 1e9;
        double rate = secs > 0 ? s[3] / secs : 0;
        double rowsPerSec = secs > 0 ? s[0] / secs : 0;
        String eta = rowsPerSec > 0 && total > 0 ? formatSeconds((total - s[0]) / rowsPerSec) : "?";
        return String.format(Locale.ROOT, "[sparkinfer] %d/%d rows (%.0f%%), %d errors, %.1f completion tokens/s, elapsed %s, ETA %s",
                s[0], total, total > 0 ? 100.0 * s[0] / total : 0, s[1], rate, formatSeconds(secs), eta);
    }

    static String formatSeconds(double secs) {
        long t = Math.max(0, Math.round(secs));
        return String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60);
    }

    @Override
    public void close() {
        if (printer != null) {
            printer.interrupt();
        }
    }
}
