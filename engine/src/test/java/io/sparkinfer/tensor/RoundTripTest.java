package io.sparkinfer.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Encode then decode, per type, within a stated per-element tolerance:
 * <ul>
 *   <li>F32: exact. F16: relative 2^-11 (half an ulp). BF16: relative 2^-8.
 *   <li>Q8_0: half a step (amax/127 per block of 32) plus the fp16 rounding of d (2^-11 relative,
 *       times 127 quants) -> amax * (1/254 + 2^-10).
 *   <li>Q4_0: one step |d| = amax/8 (ggml's quantizer caps +8 steps at 7, so the value opposite the
 *       extreme can be off by a whole step) plus amax * 2^-10.
 *   <li>Q4_K, Q6_K: half the sub-block's decoded step (d * sc), read back from the block, plus float
 *       rounding (1e-5 relative).
 * </ul>
 */
class RoundTripTest {
    private static final int[] SIZES_32 = {32, 64, 256, 4096, 4352};
    private static final int[] SIZES_FLOAT = {1, 31, 32, 33, 207, 4098};

    /** Value generators: gaussian, uniform with outliers, all negative, constant, large, one spike. */
    static float[] data(int kind, int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = switch (kind) {
                case 0 -> (float) r.nextGaussian();
                case 1 -> (r.nextInt(50) == 0 ? 40f : 1f) * (r.nextFloat() * 2 - 1);
                case 2 -> -0.01f - r.nextFloat();
                case 3 -> 0.75f;
                case 4 -> (float) r.nextGaussian() * 20000f;
                default -> i % 97 == 5 ? -300f : (float) r.nextGaussian() * 0.01f;
            };
        }
        return x;
    }

    private static float[] roundTrip(GGMLType type, float[] x, MemorySegment[] keep) {
        MemorySegment seg = MemorySegment.ofArray(new byte[(int) type.byteSize(x.length)]);
        TensorCodec.quantizeRow(type, x, 0, x.length, seg, 0);
        float[] y = new float[x.length];
        TensorCodec.dequantizeRow(type, seg, 0, y, 0, x.length);
        keep[0] = seg;
        return y;
    }

    @Test
    void floatTypes() {
        MemorySegment[] seg = new MemorySegment[1];
        for (int n : SIZES_FLOAT) {
            for (int kind = 0; kind < 6; kind++) {
                float[] x = data(kind, n, n * 31L + kind);
                float[] f32 = roundTrip(GGMLType.F32, x, seg), f16 = roundTrip(GGMLType.F16, x, seg), bf16 = roundTrip(GGMLType.BF16, x, seg);
                for (int i = 0; i < n; i++) {
                    assertTrue(f32[i] == x[i]);
                    if (Math.abs(x[i]) < 65504f) {   // past fp16's largest finite value it is infinity, as in ggml
                        assertTrue(Math.abs(f16[i] - x[i]) <= Math.abs(x[i]) * 0x1p-11f + 0x1p-25f, "F16 " + x[i] + " -> " + f16[i]);
                    }
                    assertTrue(Math.abs(bf16[i] - x[i]) <= Math.abs(x[i]) * 0x1p-8f, "BF16 " + x[i] + " -> " + bf16[i]);
                }
            }
        }
    }

    @Test
    void legacyQuants() {
        MemorySegment[] seg = new MemorySegment[1];
        for (int n : SIZES_32) {
            for (int kind = 0; kind < 6; kind++) {
                float[] x = data(kind, n, n * 17L + kind);
                float[] q8 = roundTrip(GGMLType.Q8_0, x, seg), q4 = roundTrip(GGMLType.Q4_0, x, seg);
                for (int b = 0; b < n / 32; b++) {
                    float amax = 0f;
                    for (int j = 0; j < 32; j++) {
                        amax = Math.max(amax, Math.abs(x[32 * b + j]));
                    }
                    for (int j = 0; j < 32; j++) {
                        int i = 32 * b + j;
                        assertTrue(Math.abs(q8[i] - x[i]) <= amax * (1f / 254 + 0x1p-10f), "Q8_0 kind " + kind + " " + x[i] + " -> " + q8[i]);
                        assertTrue(Math.abs(q4[i] - x[i]) <= amax * (1f / 8 + 0x1p-10f), "Q4_0 kind " + kind + " " + x[i] + " -> " + q4[i]);
                    }
                }
            }
        }
    }

    @Test
    void kQuantsLandWithinHalfAStep() {
        MemorySegment[] seg = new MemorySegment[1];
        for (int n : new int[] {256, 4096, 4352}) {
            for (int kind = 0; kind < 6; kind++) {
                float[] x = data(kind, n, n * 7L + kind);
                float[] y = roundTrip(GGMLType.Q4_K, x, seg);
                for (int i = 0; i < n; i++) {
                    long o = (long) (i / 256) * 144;
                    float d = Float.float16ToFloat(seg[0].get(Layouts.I16, o));
                    float dmin = Float.float16ToFloat(seg[0].get(Layouts.I16, o + 2));
                    int j = i % 256 / 32;
                    float step = d * Q4_KCodec.scale(seg[0], o + 4, j), m = dmin * Q4_KCodec.min(seg[0], o + 4, j);
                    assertTrue(Math.abs(y[i] - x[i]) <= 0.5f * step + 1e-5f * (Math.abs(x[i]) + m),
                            "Q4_K kind " + kind + " at " + i + ": " + x[i] + " -> " + y[i] + " step " + step);
                }
                y = roundTrip(GGMLType.Q6_K, x, seg);
                for (int i = 0; i < n; i++) {
                    long o = (long) (i / 256) * 210;
                    float d = Float.float16ToFloat(seg[0].get(Layouts.I16, o + 208));
                    float step = d * seg[0].get(Layouts.I8, o + 192 + i % 256 / 16);
                    assertTrue(Math.abs(y[i] - x[i]) <= 0.5f * step + 1e-5f * Math.abs(x[i]),
                            "Q6_K kind " + kind + " at " + i + ": " + x[i] + " -> " + y[i] + " step " + step);
                }
            }
        }
    }

    @Test
    void kQuantStepsAreSmallForGaussianData() {
        // Half-a-step is only useful if the step is small: RMS error relative to RMS value.
        MemorySegment[] seg = new MemorySegment[1];
        float[] x = data(0, 4096, 99);
        double[] limits = {0.1, 0.025};   // uniform error step/sqrt(12): ~16 levels per sub-block for Q4_K, ~64 for Q6_K
        GGMLType[] types = {GGMLType.Q4_K, GGMLType.Q6_K};
        for (int t = 0; t < 2; t++) {
            float[] y = roundTrip(types[t], x, seg);
            double err = 0, sig = 0;
            for (int i = 0; i < x.length; i++) {
                err += (y[i] - x[i]) * (double) (y[i] - x[i]);
                sig += x[i] * (double) x[i];
            }
            double rel = Math.sqrt(err / sig);
            assertTrue(rel < limits[t], types[t] + " relative RMS error " + rel);
        }
    }

    @Test
    void matrixRowsAreEncodedAtTheirOffsets() {
        // Rows 1 and 2 start at non-zero source and destination offsets: each must equal the row
        // encoded on its own.
        int rows = 3, cols = 512;
        float[] x = data(0, rows * cols, 5);
        for (GGMLType type : new GGMLType[] {GGMLType.F32, GGMLType.F16, GGMLType.BF16, GGMLType.Q8_0,
                GGMLType.Q4_0, GGMLType.Q4_K, GGMLType.Q6_K, GGMLType.Q5_0, GGMLType.Q5_1,
                GGMLType.Q4_1, GGMLType.Q5_K}) {
            WeightMatrix w = TensorCodec.quantize("w", type, x, rows, cols);
            for (int r = 0; r < rows; r++) {
                MemorySegment alone = MemorySegment.ofArray(new byte[(int) w.rowBytes()]);
                TensorCodec.quantizeRow(type, java.util.Arrays.copyOfRange(x, r * cols, (r + 1) * cols), 0, cols, alone, 0);
                MemorySegment inMatrix = w.data().asSlice(r * w.rowBytes(), w.rowBytes());
                org.junit.jupiter.api.Assertions.assertEquals(-1L, alone.mismatch(inMatrix), type + " row " + r);
                float[] a = new float[cols + 7], b = new float[cols];
                TensorCodec.dequantizeRow(type, w.data(), r * w.rowBytes(), a, 7, cols);
                TensorCodec.dequantizeRow(type, alone, 0, b, 0, cols);
                org.junit.jupiter.api.Assertions.assertArrayEquals(b, java.util.Arrays.copyOfRange(a, 7, cols + 7), 0f);
            }
        }
    }
}
