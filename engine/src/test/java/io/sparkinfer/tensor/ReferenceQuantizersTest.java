package io.sparkinfer.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Q8_0 and Q4_0 blocks computed by hand from ggml's reference quantizers, compared byte for byte. */
class ReferenceQuantizersTest {

    private static byte[] encode(GGMLType type, float[] x) {
        byte[] out = new byte[(int) type.byteSize(x.length)];
        TensorCodec.quantizeRow(type, x, 0, x.length, MemorySegment.ofArray(out), 0);
        return out;
    }

    @Test
    void q8_0HalvesRoundAwayFromZeroLikeRoundf() {
        // amax 127 -> d = 1 exactly (fp16 0x3C00), so each quant is roundf(x).
        float[] x = new float[32];
        float[] head = {127f, -127f, 2.5f, -2.5f, 0.49f, 1.5f, -0.5f, 0.5f, -126.6f, 3.49999f};
        System.arraycopy(head, 0, x, 0, head.length);
        byte[] expected = new byte[34];
        expected[0] = 0x00;
        expected[1] = 0x3C;
        byte[] q = {127, -127, 3, -3, 0, 2, -1, 1, -127, 3};
        System.arraycopy(q, 0, expected, 2, q.length);
        assertArrayEquals(expected, encode(GGMLType.Q8_0, x));
    }

    @Test
    void q8_0ScaleIsStoredAsF16AndZeroBlockIsAllZero() {
        // amax 63.5 -> d = 0.5 (fp16 0x3800), id = 2: quants are roundf(2x).
        float[] x = new float[64];
        x[0] = 63.5f;
        x[1] = -0.25f;  // -0.5 -> -1
        x[2] = 0.2f;    // 0.4 -> 0
        x[3] = 10.75f;  // 21.5 -> 22
        byte[] expected = new byte[68];
        expected[1] = 0x38;
        expected[2] = 127;
        expected[3] = -1;
        expected[4] = 0;
        expected[5] = 22;
        // second block: all zeros -> d = 0 and quants 0
        assertArrayEquals(expected, encode(GGMLType.Q8_0, x));
    }

    @Test
    void q4_0NegativeExtremeGivesPositiveScale() {
        // max (largest magnitude, signed) = -8 -> d = 1, id = 1: q = min(15, (int)(x + 8.5)).
        float[] x = new float[32];
        x[0] = -8f;     // 0
        x[1] = 7f;      // 15
        x[2] = 7.4f;    // 15.9 -> 15
        x[3] = -0.6f;   // 7.9 -> 7
        x[4] = 0.5f;    // 9
        x[5] = -0.5f;   // 8
        x[16] = 8f;     // later, same magnitude: not the max; 16.5 -> capped 15
        x[17] = -7.9f;  // 0.6 -> 0
        byte[] expected = new byte[18];
        expected[0] = 0x00;
        expected[1] = 0x3C;
        int[] lo = new int[16], hi = new int[16];
        java.util.Arrays.fill(lo, 8);
        java.util.Arrays.fill(hi, 8);
        lo[0] = 0; lo[1] = 15; lo[2] = 15; lo[3] = 7; lo[4] = 9; lo[5] = 8;
        hi[0] = 15; hi[1] = 0;
        for (int j = 0; j < 16; j++) {
            expected[2 + j] = (byte) (lo[j] | hi[j] << 4);
        }
        assertArrayEquals(expected, encode(GGMLType.Q4_0, x));
    }

    @Test
    void q4_0PositiveExtremeGivesNegativeScale() {
        // max = +8 (first of the two magnitude-8 values) -> d = -1 (fp16 0xBC00), id = -1.
        float[] x = new float[32];
        x[0] = 8f;      // -8 + 8.5 = 0.5 -> 0
        x[1] = -8f;     // 16.5 -> 15
        x[2] = 3f;      // 5.5 -> 5
        byte[] expected = new byte[18];
        expected[0] = 0x00;
        expected[1] = (byte) 0xBC;
        for (int j = 0; j < 16; j++) {
            expected[2 + j] = (byte) 0x88;
        }
        expected[2] = (byte) 0x80;
        expected[3] = (byte) 0x8F;
        expected[4] = (byte) 0x85;
        assertArrayEquals(expected, encode(GGMLType.Q4_0, x));
        float[] back = new float[32];
        TensorCodec.dequantizeRow(GGMLType.Q4_0, MemorySegment.ofArray(expected), 0, back, 0, 32);
        assertEquals(8f, back[0]);
        assertEquals(-7f, back[1]);
        assertEquals(3f, back[2]);
        assertEquals(-0f, back[5]);
    }

    @Test
    void bf16RoundsToNearestEvenAndKeepsNaN() {
        assertEquals((short) 0x3F80, BF16Codec.fromFloat(1.0f + 0x1p-8f));            // tie -> even (down)
        assertEquals((short) 0x3F82, BF16Codec.fromFloat(1.0078125f + 0x1p-8f));      // tie -> even (up)
        assertEquals((short) 0x3F81, BF16Codec.fromFloat(1.0f + 0x1p-8f + 0x1p-20f)); // past the tie -> up
        assertEquals(true, Float.isNaN(BF16Codec.toFloat(BF16Codec.fromFloat(Float.intBitsToFloat(0x7fffffff)))));
        assertEquals(Float.NEGATIVE_INFINITY, BF16Codec.toFloat(BF16Codec.fromFloat(Float.NEGATIVE_INFINITY)));
    }
}
