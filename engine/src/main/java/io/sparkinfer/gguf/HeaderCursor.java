package io.sparkinfer.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Sequential little-endian reads over a mapped file, with a clear error when the file ends early. */
final class HeaderCursor {
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment seg;
    private final String source;
    /** True for GGUF v1: counts and string lengths are 32-bit there. */
    private final boolean narrowCounts;
    private long pos;

    HeaderCursor(MemorySegment seg, String source, long pos, boolean narrowCounts) {
        this.seg = seg;
        this.source = source;
        this.pos = pos;
        this.narrowCounts = narrowCounts;
    }

    long position() {
        return pos;
    }

    private long need(long n, String what) {
        if (n < 0 || pos + n > seg.byteSize()) {
            throw new GgufFormatException(source + ": truncated GGUF file: needs " + n + " bytes for " + what
                    + " at offset " + pos + " but the file has " + seg.byteSize() + " bytes");
        }
        long p = pos;
        pos += n;
        return p;
    }

    byte i8(String what) {
        return seg.get(ValueLayout.JAVA_BYTE, need(1, what));
    }

    short i16(String what) {
        return seg.get(I16, need(2, what));
    }

    int i32(String what) {
        return seg.get(I32, need(4, what));
    }

    long i64(String what) {
        return seg.get(I64, need(8, what));
    }

    float f32(String what) {
        return seg.get(F32, need(4, what));
    }

    double f64(String what) {
        return seg.get(F64, need(8, what));
    }

    /** A count: uint32 in v1, uint64 from v2 on; rejects absurd values before allocating. */
    long count(String what) {
        long n = narrowCounts ? Integer.toUnsignedLong(i32(what)) : i64(what);
        if (n < 0 || n > seg.byteSize()) {
            throw new GgufFormatException(source + ": truncated or corrupt GGUF file: " + what + " = " + Long.toUnsignedString(n)
                    + " at offset " + (pos - (narrowCounts ? 4 : 8)) + " exceeds the file size " + seg.byteSize());
        }
        return n;
    }

    String string(String what) {
        long len = count("length of " + what);
        long p = need(len, what);
        byte[] bytes = seg.asSlice(p, len).toArray(ValueLayout.JAVA_BYTE);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
