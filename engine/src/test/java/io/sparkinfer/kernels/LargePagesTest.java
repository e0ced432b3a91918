package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class LargePagesTest {
    /** Large and small requests: the exact size, 64-byte aligned, zero-filled, writable. */
    @Test
    void allocatesZeroedAlignedWritableMemory() {
        for (long bytes : new long[] {1, 4096, (3L << 20) + 12345}) {
            MemorySegment s = LargePages.allocate(bytes);
            assertEquals(bytes, s.byteSize());
            assertEquals(0, s.address() % 64, "aligned for vector loads");
            for (long o = 0; o < bytes; o += 4093) {
                assertEquals(0, s.get(ValueLayout.JAVA_BYTE, o), "zero at " + o);
            }
            s.set(ValueLayout.JAVA_BYTE, bytes - 1, (byte) 7);
            assertEquals(7, s.get(ValueLayout.JAVA_BYTE, bytes - 1));
            assertTrue(s.isNative() && !s.isMapped(), "the one segment class the kernels read");
        }
    }
}
