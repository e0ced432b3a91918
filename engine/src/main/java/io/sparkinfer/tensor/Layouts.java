package io.sparkinfer.tensor;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The little-endian, unaligned value layouts that ggml blocks are read and written with. GGUF is
 * little endian whatever the host, and blocks of 34 or 18 bytes leave fields unaligned.
 */
public final class Layouts {
    public static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Layouts() {
    }

    /** C's roundf: halves away from zero (Math.round would send -2.5 to -2). Exact in double for any float. */
    static int roundAway(float v) {
        double a = Math.floor(Math.abs((double) v) + 0.5);
        return (int) (v < 0 ? -a : a);
    }

    /** Checks that n elements fill whole blocks of the type. */
    static void checkBlocks(String type, int n, int blockSize) {
        if (n % blockSize != 0) {
            throw new IllegalArgumentException(type + ": " + n + " elements is not a multiple of the block size " + blockSize);
        }
    }
}
