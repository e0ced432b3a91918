package io.sparkinfer.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Q4_K and Q6_K: blocks built byte by byte from ggml's layout description, decoded with the
 * formula written out here independently of the codec's loops.
 */
class KQuantBlocksTest {

    @Test
    void q4_kDecodesAsScaleTimesNibbleMinusMin() {
        Random rnd = new Random(1);
        int[] sc = {1, 17, 33, 63, 16, 47, 62, 5};   // values >= 16 for j >= 4 exercise the high bits
        int[] m = {10, 20, 30, 40, 50, 60, 63, 0};
        byte[] b = new byte[144 * 2];
        for (int blk = 0; blk < 2; blk++) {
            int o = blk * 144;
            short d = Float.floatToFloat16(blk == 0 ? 0.5f : 0.0123f), dmin = Float.floatToFloat16(blk == 0 ? 0.25f : 0.007f);
            b[o] = (byte) d;
            b[o + 1] = (byte) (d >> 8);
            b[o + 2] = (byte) dmin;
            b[o + 3] = (byte) (dmin >> 8);
            for (int j = 0; j < 4; j++) {
                b[o + 4 + j] = (byte) ((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
                b[o + 8 + j] = (byte) ((m[j] & 63) | ((m[j + 4] >> 4) << 6));
                b[o + 12 + j] = (byte) ((sc[j + 4] & 15) | ((m[j + 4] & 15) << 4));
            }
            for (int k = 0; k < 128; k++) {
                b[o + 16 + k] = (byte) rnd.nextInt(256);
            }
        }
        MemorySegment seg = MemorySegment.ofArray(b);
        float[] y = new float[512];
        TensorCodec.dequantizeRow(GGMLType.Q4_K, seg, 0, y, 0, 512);
        for (int e = 0; e < 512; e++) {
            int o = (e / 256) * 144, i = e % 256;
            float d = Float.float16ToFloat((short) ((b[o] & 0xff) | (b[o + 1] << 8)));
            float dmin = Float.float16ToFloat((short) ((b[o + 2] & 0xff) | (b[o + 3] << 8)));
            int chunk = i / 64, l = i % 64, j = i / 32;
            int qbyte = b[o + 16 + 32 * chunk + (l % 32)] & 0xff;
            int q = l < 32 ? qbyte & 15 : qbyte >> 4;
            float expected = d * sc[j] * q - dmin * m[j];
            assertEquals(expected, y[e], "element " + e);
            assertEquals(sc[j], Q4_KCodec.scale(seg, o + 4, j));
            assertEquals(m[j], Q4_KCodec.min(seg, o + 4, j));
        }
    }

    @Test
    void q6_kDecodesAsScaleTimesSixBitsMinus32() {
        Random rnd = new Random(2);
        byte[] b = new byte[210];
        for (int k = 0; k < 208; k++) {
            b[k] = (byte) rnd.nextInt(256);   // ql, qh and signed int8 scales
        }
        short d = Float.floatToFloat16(0.125f);
        b[208] = (byte) d;
        b[209] = (byte) (d >> 8);
        float[] y = new float[256];
        TensorCodec.dequantizeRow(GGMLType.Q6_K, MemorySegment.ofArray(b), 0, y, 0, 256);
        for (int e = 0; e < 256; e++) {
            int half = e / 128, r = e % 128, l = r % 32, quarter = r / 32;
            int ql = b[64 * half + l + (quarter % 2) * 32] & 0xff;
            int low = quarter < 2 ? ql & 15 : ql >> 4;
            int high = ((b[128 + 32 * half + l] & 0xff) >> (2 * quarter)) & 3;
            int q = (low | high << 4) - 32;
            float expected = 0.125f * b[192 + e / 16] * q;
            assertEquals(expected, y[e], "element " + e);
            assertEquals(q + 32, Q6_KCodec.quant(MemorySegment.ofArray(b), 0, e));
        }
    }
}
