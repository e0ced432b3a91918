package io.sparkinfer.kernels;

import io.sparkinfer.tensor.GGMLType;

/**
 * The byte-per-value form of ggml's 32-element "legacy" types other than Q4_0 and Q8_0, which
 * the four-token passes of {@link VectorHalfSums} read: Q5_0 ({@code d * (q - 16)}), Q5_1 and
 * Q4_1 ({@code d * q + m}). A group of 32 blocks holds the values a byte each (one lane per
 * block, {@code q - }{@link #center} in a signed byte, 16 steps of {@link #STEP} bytes in {@link
 * #slot} order; {@link Q5_KInterleaved} lays Q5_K's values the same way), then the 32 blocks'
 * f16 d at {@link #SCALES}, then, for the types with a min, their f16 m at {@link #MINS}, each
 * in lane order.
 *
 * <p>Rows are kept at five bits a value ({@link LegacyFiveBits}); {@link VectorLegacyDot#expand}
 * writes a block of them in this form into scratch before the passes, which then read each
 * value with one widening instead of decoding it again for every four tokens.
 */
final class LegacyInterleaved {
    /** Bytes of one step: the 32 lanes' element i, then their element i + 16. */
    static final int STEP = 2 * Q4_0Interleaved.BLOCKS;
    /** Offset of the 32 f16 scales d in a group. */
    static final int SCALES = Q4_0Interleaved.STEPS * STEP;
    /** Offset of the 32 f16 mins m in a group (Q5_1, Q4_1). */
    static final int MINS = SCALES + 2 * Q4_0Interleaved.BLOCKS;

    private LegacyInterleaved() {
    }

    /**
     * Where step i sits among a group's 16: steps i and i + 8 side by side (0, 8, 1, 9, ...), the
     * order in which the kernels' loops read them, one iteration taking both. In step order a
     * loop read lines 0, 8, 1, 9, ... of each group: from DRAM one core ran 14 GB/s against 25
     * for sequential reads (session 15, on Q6_K's byte layout then).
     */
    static int slot(int i) {
        return 2 * (i % 8) + i / 8;
    }

    /** Whether type's elements carry a min ({@code d * q + m}): Q5_1, Q4_1. */
    static boolean hasMins(GGMLType type) {
        return type == GGMLType.Q5_1 || type == GGMLType.Q4_1;
    }

    /** The value subtracted from each quant: half its range (Q4_1: 8; Q5_0, Q5_1: 16). */
    static int center(GGMLType type) {
        return type == GGMLType.Q4_1 ? 8 : 16;
    }

    /** Bytes per group of type. */
    static int bytes(GGMLType type) {
        return MINS + (hasMins(type) ? 2 * Q4_0Interleaved.BLOCKS : 0);
    }
}
