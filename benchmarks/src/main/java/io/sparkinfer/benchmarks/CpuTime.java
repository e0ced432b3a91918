package io.sparkinfer.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * CPU time of the benchmark thread, as JMH secondary results ({@code cpuNanos}, {@code calls}).
 * On a machine shared with other builds, wall time measures the load as much as the kernel; the
 * thread's CPU time does not. It covers the whole cost only when all work runs on the calling
 * thread, i.e. with {@code -p threads=1}; {@code benchmarks/report.py} divides the two.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class CpuTime {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    public long cpuNanos;
    public long calls;
    private long start;

    @Setup(Level.Iteration)
    public void reset() {
        cpuNanos = 0;
        calls = 0;
    }

    void begin() {
        start = MX.getCurrentThreadCpuTime();
    }

    void end() {
        cpuNanos += MX.getCurrentThreadCpuTime() - start;
        calls++;
    }
}
