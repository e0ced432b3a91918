package io.sparkinfer.benchmarks;

import io.sparkinfer.kernels.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ceiling for decode: how fast the engine's pool can merely read 256 MiB off-heap (XOR of all
 * bytes, so nothing is skipped), with the threads and vector width the kernels use. Read the
 * matmul GB/s figures against this one, taken in the same session: on a shared machine the
 * ceiling moves with the load.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class StreamBenchmark {
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_PREFERRED;
    /** 256 MiB: far past any cache. */
    static final long BYTES = 256L << 20;

    private Arena arena;
    private MemorySegment data;
    private final byte[] partial = new byte[64];

    @Setup(Level.Trial)
    public void setup() {
        arena = Arena.ofShared();
        data = arena.allocate(BYTES, 64);
        for (long i = 0; i < BYTES; i += 8) {
            data.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i, i * 0x9E3779B97F4A7C15L);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** GB/s = 268,435 / (us/op): 2^28 bytes per op. */
    @Benchmark
    public byte readAll() {
        int chunks = 1024;
        long chunkBytes = BYTES / chunks;
        Parallel.forChunks(chunks, (from, to) -> {
            ByteVector acc0 = ByteVector.zero(B), acc1 = ByteVector.zero(B);
            for (long o = from * chunkBytes, end = to * chunkBytes; o < end; o += 2L * B.vectorByteSize()) {
                acc0 = acc0.lanewise(VectorOperators.XOR, ByteVector.fromMemorySegment(B, data, o, ByteOrder.LITTLE_ENDIAN));
                acc1 = acc1.lanewise(VectorOperators.XOR, ByteVector.fromMemorySegment(B, data, o + B.vectorByteSize(), ByteOrder.LITTLE_ENDIAN));
            }
            byte x = acc0.lanewise(VectorOperators.XOR, acc1).reduceLanes(VectorOperators.XOR);
            partial[from % partial.length] ^= x;
        });
        return partial[0];
    }
}
