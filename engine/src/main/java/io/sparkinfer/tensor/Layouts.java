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

    /**
     * The element of largest magnitude among {@code src[s .. s + n)} (the first on ties), sign
     * kept: Q4_0's and Q5_0's scale maps it to the grid's negative end.
     */
    static float signedAbsMax(float[] src, int s, int n) {
        float amax = 0f, max = 0f;
        for (int j = 0; j < n; j++) {
            float v = src[s + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        return max;
    }

    /** {@code {min, max}} of {@code src[s .. s + n)}: Q4_1's and Q5_1's grid ends. */
    static float[] minMax(float[] src, int s, int n) {
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (int j = 0; j < n; j++) {
            min = Math.min(min, src[s + j]);
            max = Math.max(max, src[s + j]);
        }
        return new float[] {min, max};
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
