package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.WeightMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernels take one segment class only (plain native memory), and every kind of segment the
 * engine hands them is of it; a matrix on the Java heap still multiplies, through a native copy.
 */
class NativeSegmentsTest {
    @Test
    void everyBufferTheEngineMakesIsPlainNative() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment allocated = arena.allocate(256, 64);
            for (MemorySegment s : new MemorySegment[] {allocated, allocated.asSlice(64, 64).asReadOnly(),
                    MemorySegment.ofAddress(allocated.address()).reinterpret(256),
                    new AlignedFloats().atLeast(100), LargePages.allocate(4096)}) {
                assertSame(s, NativeSegments.pin(s));
            }
        }
    }

    @Test
    void heapAndMappedSegmentsAreRejectedWithTheirDescription(@TempDir Path dir) throws IOException {
        IllegalArgumentException heap = assertThrows(IllegalArgumentException.class,
                () -> NativeSegments.pin(MemorySegment.ofArray(new byte[8])));
        assertTrue(heap.getMessage().contains("plain native") && heap.getMessage().contains("heap"), heap.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NativeSegments.pin(MemorySegment.ofArray(new float[8])));

        // FileChannel.map's class is another one: MappedFile hands the parser a plain view instead.
        Path file = Files.write(dir.resolve("w.bin"), new byte[64]);
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, 64, arena);
            assertThrows(IllegalArgumentException.class, () -> NativeSegments.pin(mapped));
        }
    }

    @Test
    void aHeapMatrixMultipliesAsItsNativeCopyDoes() {
        Random rnd = new Random(7);
        VectorKernels kernels = new VectorKernels();
        for (GGMLType type : new GGMLType[] {GGMLType.Q8_0, GGMLType.F16, GGMLType.Q4_0}) {
            WeightMatrix onHeap = KernelTestData.matrix(rnd, type, 24, 96, 0);
            assertTrue(onHeap.data().heapBase().isPresent());
            MemorySegment copy = Arena.ofAuto().allocate(onHeap.data().byteSize(), 64);
            copy.copyFrom(onHeap.data());
            WeightMatrix plain = new WeightMatrix("w", type, 24, 96, copy);
            for (int tokens : new int[] {1, 5, 16}) {
                float[] x = KernelTestData.floats(rnd, tokens * 96, 0);
                float[] a = new float[tokens * 24];
                float[] b = new float[tokens * 24];
                kernels.matmul(onHeap, x, tokens, a);
                kernels.matmul(plain, x, tokens, b);
                assertArrayEquals(b, a, type + " at " + tokens + " tokens");
            }
            float[] row = new float[96];
            float[] rowPlain = new float[96];
            kernels.dequantizeRow(onHeap, 3, row, 0);
            kernels.dequantizeRow(plain, 3, rowPlain, 0);
            assertArrayEquals(rowPlain, row, type + " row 3");
            assertTrue(NativeSegments.isPlainNative(kernels.prepare(onHeap).data()), type + " prepared");
        }
    }
}
