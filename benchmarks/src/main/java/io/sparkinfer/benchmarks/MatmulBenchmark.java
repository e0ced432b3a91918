package io.sparkinfer.benchmarks;

import io.sparkinfer.kernels.Kernels;
import io.sparkinfer.kernels.Parallel;
import io.sparkinfer.kernels.ScalarKernels;
import io.sparkinfer.kernels.VectorKernels;
import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.TensorCodec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One GEMM {@code out[nTokens x rows] = x[nTokens x cols] . W^T} at Llama-3.2-1B's projection
 * shapes (q/o: 2048x2048, gate/up: 8192x2048, down: 2048x8192), scalar vs vector kernels.
 * nTokens 1 is decode (weights streamed from memory once: bandwidth-bound); 8 and 32 are batched
 * decode and prefill (each weight block reused across tokens: compute-bound).
 *
 * <p>Weights live off-heap like a mmapped GGUF. Derive GFLOP/s = 2*rows*cols*nTokens / time and
 * GB/s = rows * rowBytes / time with {@code benchmarks/report.py}; with {@code -p threads=1} it also
 * gives the same from CPU time ({@link CpuTime}), which a shared machine's load does not inflate.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx6g"})
public class MatmulBenchmark {

    @Param({"vector", "scalar"})
    public String impl;

    @Param({"Q8_0", "Q4_0", "Q4_K", "F16"})
    public String type;

    /** rows x cols (ggml ne1 x ne0). */
    @Param({"2048x2048", "8192x2048", "2048x8192"})
    public String shape;

    @Param({"1", "8", "32"})
    public int nTokens;

    /** 0: the engine's shared pool (all cores); n > 0: a private pool of n threads (1 = all work inline). */
    @Param({"0"})
    public int threads;

    private Arena arena;
    private Kernels kernels;
    private WeightMatrix w;
    private float[] x;
    private float[] out;

    @Setup(Level.Trial)
    public void setup() {
        String[] rc = shape.split("x");
        int rows = Integer.parseInt(rc[0]), cols = Integer.parseInt(rc[1]);
        GGMLType t = GGMLType.valueOf(type);
        Parallel pool = threads == 0 ? Parallel.shared() : new Parallel(threads);
        kernels = impl.equals("scalar") ? new ScalarKernels(pool) : new VectorKernels(pool);
        // As a model load does: the vector kernels re-lay Q4_0 once (Kernels.prepare).
        w = kernels.prepare(randomWeights(t, rows, cols, 42));
        SplittableRandom r = new SplittableRandom(7);
        x = new float[nTokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        out = new float[nTokens * rows];
    }

    /** Uniform weights of about the scale of a trained projection, encoded row by row off-heap. */
    private WeightMatrix randomWeights(GGMLType t, int rows, int cols, long seed) {
        arena = Arena.ofShared();
        long rowBytes = t.byteSize(cols);
        MemorySegment data = arena.allocate(rowBytes * rows, 64);
        SplittableRandom r = new SplittableRandom(seed);
        float[] row = new float[cols];
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < cols; c++) {
                row[c] = (float) ((r.nextDouble() * 2 - 1) * 0.05);
            }
            TensorCodec.quantizeRow(t, row, 0, cols, data, i * rowBytes);
        }
        return new WeightMatrix("bench." + t + "." + shape, t, rows, cols, data);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[] matmul(CpuTime cpu) {
        cpu.begin();
        kernels.matmul(w, x, nTokens, out);
        cpu.end();
        return out;
    }
}
