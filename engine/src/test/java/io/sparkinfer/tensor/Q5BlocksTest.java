package io.sparkinfer.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Q5_0, Q5_1, Q4_1 and Q5_K: blocks built byte by byte from ggml's layout description, decoded with the
 * formula written out here independently of the codecs' loops; and the reference quantizers'
 * round trips.
 */
class Q5BlocksTest {

    @Test
    void q5_0DecodesAsScaleTimesFiveBitsMinus16() {
        Random rnd = new Random(4);
        byte[] b = new byte[22 * 3];
        for (int k = 0; k < b.length; k++) {
            b[k] = (byte) rnd.nextInt(256);
        }
        for (int blk = 0; blk < 3; blk++) {
            short d = Float.floatToFloat16(0.03125f * (blk + 1));
            b[22 * blk] = (byte) d;
            b[22 * blk + 1] = (byte) (d >> 8);
        }
        float[] y = new float[96];
        TensorCodec.dequantizeRow(GGMLType.Q5_0, MemorySegment.ofArray(b), 0, y, 0, 96);
        for (int e = 0; e < 96; e++) {
            int o = (e / 32) * 22, i = e % 32;
            long qh = (b[o + 2] & 0xffL) | (b[o + 3] & 0xffL) << 8 | (b[o + 4] & 0xffL) << 16 | (b[o + 5] & 0xffL) << 24;
            int qbyte = b[o + 6 + i % 16] & 0xff;
            int low = i < 16 ? qbyte & 15 : qbyte >> 4;
            int q = low | (int) ((qh >> i) & 1) << 4;
            assertEquals(0.03125f * (e / 32 + 1) * (q - 16), y[e], "element " + e);
        }
    }

    /** Q5_1 (fifth bits at byte 4) and Q4_1 (none): element = d * q + m. */
    @Test
    void q5_1AndQ4_1DecodeAsScaleTimesQuantPlusMin() {
        Random rnd = new Random(7);
        for (GGMLType type : new GGMLType[] {GGMLType.Q5_1, GGMLType.Q4_1}) {
            boolean five = type == GGMLType.Q5_1;
            int bytes = type.typeSize;
            int qs = five ? 8 : 4;
            byte[] b = new byte[bytes * 3];
            for (int k = 0; k < b.length; k++) {
                b[k] = (byte) rnd.nextInt(256);
            }
            for (int blk = 0; blk < 3; blk++) {
                short d = Float.floatToFloat16(0.0625f * (blk + 1)), m = Float.floatToFloat16(-0.5f * blk);
                b[bytes * blk] = (byte) d;
                b[bytes * blk + 1] = (byte) (d >> 8);
                b[bytes * blk + 2] = (byte) m;
                b[bytes * blk + 3] = (byte) (m >> 8);
            }
            float[] y = new float[96];
            TensorCodec.dequantizeRow(type, MemorySegment.ofArray(b), 0, y, 0, 96);
            for (int e = 0; e < 96; e++) {
                int o = (e / 32) * bytes, i = e % 32;
                long qh = (b[o + 4] & 0xffL) | (b[o + 5] & 0xffL) << 8 | (b[o + 6] & 0xffL) << 16 | (b[o + 7] & 0xffL) << 24;
                int qbyte = b[o + qs + i % 16] & 0xff;
                int q = (i < 16 ? qbyte & 15 : qbyte >> 4) | (five ? (int) ((qh >> i) & 1) << 4 : 0);
                assertEquals(q * (0.0625f * (e / 32 + 1)) + -0.5f * (e / 32), y[e], type + " element " + e);
            }
        }
    }

    @Test
    void q5_kDecodesAsScaleTimesFiveBitsMinusMin() {
        Random rnd = new Random(5);
        int[] sc = {1, 17, 33, 63, 16, 47, 62, 5};
        int[] m = {10, 20, 30, 40, 50, 60, 63, 0};
        byte[] b = new byte[176];
        short d = Float.floatToFloat16(0.0625f), dmin = Float.floatToFloat16(0.125f);
        b[0] = (byte) d;
        b[1] = (byte) (d >> 8);
        b[2] = (byte) dmin;
        b[3] = (byte) (dmin >> 8);
        for (int j = 0; j < 4; j++) { // ggml's 12-byte packing of eight 6-bit scales and mins
            b[4 + j] = (byte) ((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
            b[8 + j] = (byte) ((m[j] & 63) | ((m[j + 4] >> 4) << 6));
            b[12 + j] = (byte) ((sc[j + 4] & 15) | ((m[j + 4] & 15) << 4));
        }
        for (int k = 16; k < 176; k++) {
            b[k] = (byte) rnd.nextInt(256); // qh[32], then qs[128]
        }
        float[] y = new float[256];
        TensorCodec.dequantizeRow(GGMLType.Q5_K, MemorySegment.ofArray(b), 0, y, 0, 256);
        for (int e = 0; e < 256; e++) {
            int chunk = e / 64, l = e % 64, j = e / 32;
            int qbyte = b[48 + 32 * chunk + l % 32] & 0xff;
            int low = l < 32 ? qbyte & 15 : qbyte >> 4;
            int bit = (b[16 + l % 32] >> j) & 1; // sub-block j takes bit j of qh[l]
            float expected = 0.0625f * sc[j] * (low | bit << 4) - 0.125f * m[j];
            assertEquals(expected, y[e], "element " + e);
        }
    }

    @Test
    void quantizersLandWithinHalfAStep() {
        Random rnd = new Random(6);
        float[] x = new float[1024];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian() * (i < 512 ? 1f : 1e-3f);
        }
        for (GGMLType type : new GGMLType[] {GGMLType.Q5_0, GGMLType.Q5_1, GGMLType.Q4_1, GGMLType.Q5_K}) {
            MemorySegment seg = MemorySegment.ofArray(new byte[(int) type.byteSize(x.length)]);
            TensorCodec.quantizeRow(type, x, 0, x.length, seg, 0);
            float[] y = new float[x.length];
            TensorCodec.dequantizeRow(type, seg, 0, y, 0, x.length);
            double err = 0, sig = 0;
            for (int i = 0; i < x.length; i++) {
                int block = i / type.blockSize;
                float amax = 0;
                for (int k = block * type.blockSize; k < (block + 1) * type.blockSize; k++) {
                    amax = Math.max(amax, Math.abs(x[k]));
                }
                // Q5_0: steps of amax / 16, and the far end clamps one step short (as ggml's);
                // Q5_K: 32 levels over at most [-amax, amax] per sub-block, half a step off, its
                // scales rounded up (~1/1000) and to f16.
                // Q5_1, Q4_1: 31 or 15 steps over [min, max], half a step off (d and m rounded to f16).
                double bound = switch (type) {
                    case Q5_0 -> amax / 16.0;
                    case Q4_1 -> amax / 15.0;
                    default -> amax / 31.0;
                } * 1.01 + 1e-12;
                assertTrue(Math.abs(y[i] - x[i]) <= bound,
                        type + " element " + i + ": " + x[i] + " -> " + y[i]);
                err += (y[i] - x[i]) * (double) (y[i] - x[i]);
                sig += x[i] * (double) x[i];
            }
            assertTrue(Math.sqrt(err / sig) < (type == GGMLType.Q4_1 ? 0.1 : 0.05),
                    type + " relative RMS error " + Math.sqrt(err / sig));
        }
    }
}
