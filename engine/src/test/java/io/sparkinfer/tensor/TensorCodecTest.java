package io.sparkinfer.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TensorCodecTest {
    final SplittableRandom rnd = new SplittableRandom(7);

    @Test
    void q8_0BlockIsBitExact() {
        float[] x = new float[32];
        for (int i = 0; i < 32; i++) {
            x[i] = i - 16; // amax 16 -> d = 16/127
        }
        MemorySegment s = MemorySegment.ofArray(new byte[34]);
        TensorCodec.quantize(GGMLType.Q8_0, x, 0, 32, s, 0);
        assertEquals(Float.floatToFloat16(16f / 127f), s.get(Bytes.I16, 0));
        for (int i = 0; i < 32; i++) {
            assertEquals((byte) Math.round((i - 16) * (127f / 16f)), s.get(ValueLayout.JAVA_BYTE, 2 + i));
        }
    }

    @Test
    void q4_0BlockIsBitExact() {
        float[] x = new float[32];
        x[3] = -8f; // the value of largest magnitude: d = -8 / -8 = 1
        x[20] = 7f;
        x[0] = 2.4f;
        MemorySegment s = MemorySegment.ofArray(new byte[18]);
        TensorCodec.quantize(GGMLType.Q4_0, x, 0, 32, s, 0);
        assertEquals(Float.floatToFloat16(1f), s.get(Bytes.I16, 0));
        // element j low nibble of byte j, element j+16 high nibble; stored value = x/d + 8.5 truncated
        assertEquals((byte) (10 | (8 << 4)), s.get(ValueLayout.JAVA_BYTE, 2)); // x0=2.4 -> 10, x16=0 -> 8
        assertEquals((byte) (0 | (8 << 4)), s.get(ValueLayout.JAVA_BYTE, 2 + 3)); // x3=-8 -> 0
        assertEquals((byte) (8 | (15 << 4)), s.get(ValueLayout.JAVA_BYTE, 2 + 4)); // x20=7 -> 15
        float[] back = new float[32];
        TensorCodec.dequantize(GGMLType.Q4_0, s, 0, back, 0, 32);
        assertEquals(2f, back[0]);
        assertEquals(-8f, back[3]);
        assertEquals(7f, back[20]);
    }

    @Test
    void roundTripsWithinPerTypeTolerance() {
        int n = 4096;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        // max error relative to the block's largest magnitude
        check(GGMLType.F32, x, 0);
        check(GGMLType.F16, x, 1e-3);
        check(GGMLType.BF16, x, 8e-3);
        check(GGMLType.Q8_0, x, 1.0 / 127);
        check(GGMLType.Q4_0, x, 1.0 / 8 + 1e-3);
    }

    private void check(GGMLType type, float[] x, double tol) {
        MemorySegment s = MemorySegment.ofArray(new byte[(int) type.byteSize(x.length)]);
        TensorCodec.quantize(type, x, 0, x.length, s, 0);
        float[] back = new float[x.length];
        TensorCodec.dequantize(type, s, 0, back, 0, x.length);
        for (int b = 0; b < x.length / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[b * 32 + j]));
            }
            for (int j = 0; j < 32; j++) {
                assertEquals(x[b * 32 + j], back[b * 32 + j], tol * amax + 1e-7, type + " element " + (b * 32 + j));
            }
        }
    }

    @Test
    void q4_KDequantizesPerTheFormula() {
        byte[] b = new byte[144];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        MemorySegment s = MemorySegment.ofArray(b);
        s.set(Bytes.I16, 0, Float.floatToFloat16(0.5f));
        s.set(Bytes.I16, 2, Float.floatToFloat16(0.25f));
        float[] out = new float[256];
        TensorCodec.dequantize(GGMLType.Q4_K, s, 0, out, 0, 256);
        for (int i = 0; i < 256; i++) {
            int sub = i / 32;            // sub-block 0..7
            int pair = sub / 2;          // 64-element group: 32 low nibbles then 32 high nibbles
            int l = i % 32;
            int qbyte = b[16 + pair * 32 + l] & 0xFF;
            int q = sub % 2 == 0 ? qbyte & 15 : qbyte >> 4;
            int[] sm = scaleMin(b, sub);
            assertEquals(0.5f * sm[0] * q - 0.25f * sm[1], out[i], 1e-5f, "element " + i);
        }
    }

    /** Bit layout of the 12 scale bytes, written from ggml's description, independently of Q4_K. */
    private static int[] scaleMin(byte[] b, int j) {
        int[] sc = new int[12];
        for (int i = 0; i < 12; i++) {
            sc[i] = b[4 + i] & 0xFF;
        }
        if (j < 4) {
            return new int[] {sc[j] & 63, sc[j + 4] & 63};
        }
        return new int[] {(sc[j + 4] & 15) | ((sc[j - 4] >> 6) << 4), (sc[j + 4] >> 4) | ((sc[j] >> 6) << 4)};
    }

    @Test
    void q6_KDequantizesPerTheFormula() {
        byte[] b = new byte[210];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        MemorySegment s = MemorySegment.ofArray(b);
        s.set(Bytes.I16, 208, Float.floatToFloat16(0.125f));
        float[] out = new float[256];
        TensorCodec.dequantize(GGMLType.Q6_K, s, 0, out, 0, 256);
        for (int i = 0; i < 256; i++) {
            int half = i / 128, r = i % 128, quarter = r / 32, l = r % 32;
            int ql = b[half * 64 + l + (quarter % 2) * 32] & 0xFF;
            int low = quarter < 2 ? ql & 15 : ql >> 4;
            int high = ((b[128 + half * 32 + l] & 0xFF) >> (2 * quarter)) & 3;
            int q = (low | (high << 4)) - 32;
            int scale = b[192 + half * 8 + l / 16 + 2 * quarter];
            assertEquals(0.125f * scale * q, out[i], 1e-5f, "element " + i);
        }
    }

    @Test
    void quantizeMatrixLaysOutRows() {
        float[] x = new float[64 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        MemorySegment s = TensorCodec.quantizeMatrix(GGMLType.F32, x, 3, 64);
        assertArrayEquals(x, s.toArray(ValueLayout.JAVA_FLOAT_UNALIGNED));
    }
}
