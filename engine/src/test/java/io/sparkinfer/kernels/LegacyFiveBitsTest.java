package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.Q4_1Codec;
import io.sparkinfer.tensor.Q5_0Codec;
import io.sparkinfer.tensor.Q5_1Codec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The five-bit layout of Q5_0, Q5_1 and Q4_1 rows ({@link LegacyFiveBits}) and its expansion to
 * the byte-per-value form of the four-token passes ({@link VectorLegacyDot#expand}): every value,
 * scale and min where the layout says, for rows of two groups (the second with 27 padded blocks).
 * That the kernels compute the right products from it: {@link KernelEquivalenceTest}, {@link
 * BatchInvarianceTest}, {@link Q5_0IntegerDotTest}, {@link Q5_1IntegerDotTest}.
 */
class LegacyFiveBitsTest {
    private static final int QK = 32;
    private static final int BLOCKS = 37;
    private static final GGMLType[] TYPES = {GGMLType.Q5_0, GGMLType.Q5_1, GGMLType.Q4_1};

    private static int value(GGMLType type, MemorySegment data, long o, int e) {
        return switch (type) {
            case Q5_0 -> Q5_0Codec.quant(data, o, e) - 16;
            case Q5_1 -> Q5_1Codec.quant(data, o, e) - 16;
            default -> Q4_1Codec.quant(data, o, e) - 8;
        };
    }

    /** The f16 d (and m, for the types with mins) of the block at w + o, or 0 for a padded block, in lane. */
    private static void assertScaleAndMin(WeightMatrix w, long o, boolean real, MemorySegment p, long scales, long mins,
                                          int lane, String where) {
        assertEquals(real ? w.data().get(ValueLayout.JAVA_SHORT_UNALIGNED, o) : 0,
                p.get(ValueLayout.JAVA_SHORT_UNALIGNED, scales + 2L * lane), where + " scale");
        if (w.type() != GGMLType.Q5_0) {
            assertEquals(real ? w.data().get(ValueLayout.JAVA_SHORT_UNALIGNED, o + 2) : 0,
                    p.get(ValueLayout.JAVA_SHORT_UNALIGNED, mins + 2L * lane), where + " min");
        }
    }

    @Test
    void packsEveryValueScaleAndMinLaneByLane() {
        for (GGMLType type : TYPES) {
            WeightMatrix w = KernelTestData.matrix(new Random(2), type, 3, BLOCKS * QK, 0);
            MemorySegment p = LegacyFiveBits.pack(w);
            long rowBytes = LegacyFiveBits.rowBytes(type, BLOCKS * QK);
            assertEquals(2L * (type == GGMLType.Q5_0 ? 704 : 768), rowBytes, "ggml's bytes for 64 blocks");
            assertEquals(3 * rowBytes, p.byteSize());
            for (int r = 0; r < 3; r++) {
                for (int b = 0; b < 64; b++) {
                    long group = r * rowBytes + (b / 32) * (long) LegacyFiveBits.bytes(type);
                    int lane = b % 32;
                    long o = ((long) r * BLOCKS + b) * type.typeSize;
                    boolean real = b < BLOCKS;
                    String where = type + " row " + r + " block " + b;
                    assertScaleAndMin(w, o, real, p, group + LegacyFiveBits.SCALES, group + LegacyFiveBits.MINS, lane,
                            where);
                    for (int e = 0; e < QK; e++) {
                        assertEquals(real ? value(type, w.data(), o, e) : 0, LegacyFiveBits.packedValue(p, group, e, lane),
                                where + " element " + e);
                    }
                }
            }
        }
    }

    /** The raw bits of iteration 3 of lane 5 (packedValue and pack could agree on a wrong layout). */
    @Test
    void iterationThreeSitsInTheSecondPairItsNibbleHigh() {
        assertEquals(160, LegacyFiveBits.PAIR);
        assertEquals(160 + 64, LegacyFiveBits.shorts(3));
        assertEquals(160 + 128, LegacyFiveBits.nibbles(3));
        assertEquals(LegacyFiveBits.nibbles(2), LegacyFiveBits.nibbles(3));
        assertEquals(640, LegacyFiveBits.SCALES);
        WeightMatrix w = KernelTestData.matrix(new Random(5), GGMLType.Q5_0, 1, 32 * QK, 0);
        MemorySegment p = LegacyFiveBits.pack(w);
        long o = 5L * Q5_0Codec.BYTES;
        int v1 = value(GGMLType.Q5_0, w.data(), o, 3);
        int v2 = value(GGMLType.Q5_0, w.data(), o, 19);
        int v3 = value(GGMLType.Q5_0, w.data(), o, 11);
        int v4 = value(GGMLType.Q5_0, w.data(), o, 27);
        int want = (v1 & 31) << 11 | (v2 & 31) << 6 | (v3 & 31) << 1 | (v4 & 16) >> 4;
        assertEquals(want, p.get(ValueLayout.JAVA_SHORT_UNALIGNED, 224 + 2 * 5) & 0xFFFF);
        assertEquals(v4 & 15, (p.get(ValueLayout.JAVA_BYTE, 288 + 5) >> 4) & 15);
    }

    @Test
    void expandWritesTheByteLayoutOfThePasses() {
        assumeTrue(VectorQ4Dot.SUPPORTED, "the vector kernels run at 256 and 512 bits");
        for (GGMLType type : TYPES) {
            WeightMatrix w = KernelTestData.matrix(new Random(3), type, 3, BLOCKS * QK, 0);
            MemorySegment p = LegacyFiveBits.pack(w);
            long rowBytes = 2L * LegacyInterleaved.bytes(type); // two groups
            long at = 64; // not at the scratch's start, as in VectorQ4Matmul
            MemorySegment out = Arena.ofAuto().allocate(at + 3 * rowBytes, 64);
            VectorLegacyDot.expand(p, 0, 3 * 2, LegacyFiveBits.bytes(type), out, at);
            for (int r = 0; r < 3; r++) {
                for (int b = 0; b < 64; b++) {
                    long group = at + r * rowBytes + (b / 32) * (long) LegacyInterleaved.bytes(type);
                    int lane = b % 32;
                    long o = ((long) r * BLOCKS + b) * type.typeSize;
                    boolean real = b < BLOCKS;
                    String where = type + " row " + r + " block " + b;
                    assertScaleAndMin(w, o, real, out, group + LegacyInterleaved.SCALES,
                            group + LegacyInterleaved.MINS, lane, where);
                    for (int e = 0; e < QK; e++) {
                        long step = group + LegacyInterleaved.slot(e % 16) * (long) LegacyInterleaved.STEP;
                        assertEquals(real ? value(type, w.data(), o, e) : 0,
                                out.get(ValueLayout.JAVA_BYTE, step + (e / 16) * 32L + lane), where + " element " + e);
                    }
                }
            }
        }
    }
}
