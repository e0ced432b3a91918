package io.sparkinfer.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Tells C2 the exact class of the segments a kernel reads and writes: plain native memory, the
 * one class the engine hands the kernels (weights from {@code MappedFile} or {@link LargePages},
 * buffers from {@link AlignedFloats}). Every kernel method that loads or stores vectors through
 * a segment starts with {@code s = NativeSegments.pin(s)} for each of them, small helpers too
 * (C2 compiles a helper on its own when it stops inlining in a big kernel);
 * {@code KernelSegmentPinsTest} checks the sources for it.
 *
 * <p>Why: without it, C2 compiles a Vector API segment access from type profiles kept inside the
 * JDK's own methods ({@code FloatVector.intoMemorySegment}, {@code ScopedMemoryAccess}), which
 * every caller in the JVM shares. The Vector API's fallback code writes to them too: while a
 * {@code reinterpretAsInts} or {@code reinterpretAsFloats} runs interpreted or in C1 (e.g.
 * {@link DeterministicExp} in the first forwards), it stores the vector into a heap {@code
 * byte[]} segment and loads it back. A kernel compiled after that sees a second segment class in
 * those profiles and C2 emits its accesses with an unknown base (an array or null): measured, a
 * bfloat16 rounding with {@code reinterpretAsInts} ahead of the Q8_0 tiles took batched decode of
 * 8 sequences from 52 to 26 tok/s, the time in the row decoder's stores. A class check against a
 * constant gives the value an exact type on the path that passes it, so the inlined JDK code
 * binds statically and the shared profiles no longer matter; the check is one compare, hoisted
 * out of the kernels' loops.
 */
final class NativeSegments {
    /** The plain native segment class ({@code MemorySegment.NULL} is one). */
    private static final Class<?> NATIVE = MemorySegment.NULL.getClass();

    private NativeSegments() {
    }

    /** s, known to C2 from here on to be a plain native segment; anything else is a bug upstream. */
    static MemorySegment pin(MemorySegment s) {
        if (s.getClass() != NATIVE) {
            throw new IllegalArgumentException("kernels read plain native segments only, got " + s);
        }
        return s;
    }

    /** Whether {@link #pin} takes s. */
    static boolean isPlainNative(MemorySegment s) {
        return s.getClass() == NATIVE;
    }
}
