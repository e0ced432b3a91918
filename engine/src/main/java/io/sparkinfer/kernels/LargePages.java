package io.sparkinfer.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Large native buffers (weights) on transparent huge pages where Linux offers them:
 * anonymous {@code mmap}, {@code madvise(MADV_HUGEPAGE)} before the first touch, {@code munmap}
 * when the returned segment's automatic arena is collected. Elsewhere, or if a call fails, a
 * plain {@code Arena.ofAuto()} allocation.
 *
 * <p>Why: these machines run THP in "madvise" mode, so a plain allocation gets 4 KiB pages, and
 * in the VM each first touch costs ~3 us: packing a 1B Q4_0 model (667 MB) spent 2-3 s in page
 * faults; and reading weights through 4 KiB pages costs TLB misses (see
 * {@link VectorKernels#copyWeights}). Needs native access ({@code --enable-native-access=ALL-UNNAMED}, as the engine's
 * launchers pass); without it the JVM warns once and the calls still work.
 */
final class LargePages {
    private static final long HUGE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("sparkinfer.hugePages", "true"))
            && System.getProperty("os.name", "").startsWith("Linux");

    private static final MethodHandle MMAP;
    private static final MethodHandle MADVISE;
    private static final MethodHandle MUNMAP;

    static {
        MethodHandle mmap = null;
        MethodHandle madvise = null;
        MethodHandle munmap = null;
        if (ENABLED) {
            try {
                Linker linker = Linker.nativeLinker();
                Optional<MemorySegment> m = linker.defaultLookup().find("mmap");
                Optional<MemorySegment> a = linker.defaultLookup().find("madvise");
                Optional<MemorySegment> u = linker.defaultLookup().find("munmap");
                if (m.isPresent() && a.isPresent() && u.isPresent()) {
                    mmap = linker.downcallHandle(m.get(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                    madvise = linker.downcallHandle(a.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
                    munmap = linker.downcallHandle(u.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                }
            } catch (RuntimeException e) {
                mmap = null;
            }
        }
        MMAP = mmap;
        MADVISE = madvise;
        MUNMAP = munmap;
    }

    private LargePages() {
    }

    /** bytes of native memory, 64-byte aligned at least, zero-filled, freed when unreachable. */
    static MemorySegment allocate(long bytes) {
        if (MMAP == null || bytes < HUGE) {
            return Arena.ofAuto().allocate(Math.max(1, bytes), 64);
        }
        long size = (bytes + HUGE - 1) / HUGE * HUGE;
        try {
            // Over-map by one huge page and madvise the 2 MiB-aligned part, so it can be backed by
            // whole huge pages; all of it is unmapped together.
            long mapped = size + HUGE;
            MemorySegment base = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, mapped, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (base.address() == -1L || base.address() == 0L) {
                return Arena.ofAuto().allocate(bytes, 64);
            }
            long aligned = (base.address() + HUGE - 1) / HUGE * HUGE;
            int ignored = (int) MADVISE.invokeExact(MemorySegment.ofAddress(aligned), size, MADV_HUGEPAGE);
            long start = base.address();
            return MemorySegment.ofAddress(aligned).reinterpret(bytes, Arena.ofAuto(), s -> unmap(start, mapped));
        } catch (Throwable t) {
            return Arena.ofAuto().allocate(bytes, 64);
        }
    }

    /** A copy of src in memory from {@link #allocate}, copied on all cores of the shared pool. */
    static MemorySegment copyOf(MemorySegment src) {
        long bytes = src.byteSize();
        MemorySegment copy = allocate(bytes);
        long piece = 1L << 20;
        Parallel.forChunks((int) ((bytes + piece - 1) / piece), (from, to) -> {
            long start = from * piece;
            long end = Math.min(bytes, to * piece);
            MemorySegment.copy(src, start, copy, start, end - start);
        });
        return copy;
    }

    private static void unmap(long address, long bytes) {
        try {
            int ignored = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), bytes);
        } catch (Throwable t) {
            // Nothing to do: the address space stays reserved until the process ends.
        }
    }
}
