package io.sparkinfer.kernels;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.Q4_0Codec;
import io.sparkinfer.tensor.Q4_1Codec;
import io.sparkinfer.tensor.Q4_KCodec;
import io.sparkinfer.tensor.Q5_0Codec;
import io.sparkinfer.tensor.Q5_1Codec;
import io.sparkinfer.tensor.Q5_KCodec;
import io.sparkinfer.tensor.Q2_KCodec;
import io.sparkinfer.tensor.Q3_KCodec;
import io.sparkinfer.tensor.Q6_KCodec;
import io.sparkinfer.tensor.TensorCodec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The reference kernels: plain loops, one sequential float accumulator, easy to check by eye.
 * Only matmul is multithreaded (over rows), so tests on real shapes stay fast.
 *
 * <p>Matmul dequantizes each weight row to floats (for Q8_0, {@code q * d}: exact) and takes
 * float dots with the activations (for Q8_0 rounded to bfloat16 first, {@link
 * Bf16Activations#round}), the same math as {@link VectorKernels}, which differs only in the
 * order it sums. Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K and Q6_K are the exceptions, in both: their
 * activations are quantized to int8 per block ({@link Q8Activations}) and each block's integer
 * dot is scaled, llama.cpp's products with Q8_0 / Q8_K activations ({@link #q4_0Matmul}, {@link
 * #legacyMatmul}, {@link #q4_KMatmul}, {@link #q5_KMatmul}, {@link #q6_KMatmul}).
 */
public final class ScalarKernels implements Kernels {
    private final Parallel parallel;
    private final ThreadLocal<float[][]> rowScratch = ThreadLocal.withInitial(() -> new float[1][0]);

    public ScalarKernels() {
        this(Parallel.shared());
    }

    public ScalarKernels(Parallel parallel) {
        this.parallel = parallel;
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void matmul(WeightMatrix w, float[] x, int nTokens, float[] out) {
        MatmulChecks.check(w, x, nTokens, out);
        if (nTokens == 0) {
            return;
        }
        switch (w.type()) { // the types multiplied as integers on int8 activations
            case Q4_0 -> q4_0Matmul(w, x, nTokens, out, parallel);
            case Q5_0, Q5_1, Q4_1 -> legacyMatmul(w, x, nTokens, out, parallel);
            case Q4_K -> q4_KMatmul(w, x, nTokens, out, parallel);
            case Q5_K -> q5_KMatmul(w, x, nTokens, out, parallel);
            case Q6_K, Q3_K, Q2_K -> q6_KMatmul(w, x, nTokens, out, parallel);
            default -> floatMatmul(w, x, nTokens, out);
        }
    }

    /** Dequantized rows times the activations (bfloat16-rounded for Q8_0), one float dot each. */
    private void floatMatmul(WeightMatrix w, float[] x, int nTokens, float[] out) {
        int rows = w.rows();
        int cols = w.cols();
        float[] xr = x;
        if (Bf16Activations.roundsFor(w.type())) {
            xr = new float[nTokens * cols];
            for (int i = 0; i < xr.length; i++) {
                xr[i] = Bf16Activations.round(x[i]);
            }
        }
        float[] xv = xr;
        parallel.run(rows, (from, to) -> {
            float[] row = rowBuffer(cols);
            for (int r = from; r < to; r++) {
                TensorCodec.dequantize(w.type(), w.data(), r * w.rowBytes(), row, 0, cols);
                for (int t = 0; t < nTokens; t++) {
                    out[t * rows + r] = dot(row, 0, xv, t * cols, cols);
                }
            }
        });
    }

    /**
     * The reference Q4_0 matmul: activations quantized by {@link Q8Activations#quantizeBlock}, per
     * block {@code sum += isum * (d_w * d_x)} with isum the exact integer dot of (nibble - 8) and
     * the int8 activations. {@link VectorKernels} does the same products, summed in another order.
     */
    static void q4_0Matmul(WeightMatrix w, float[] x, int nTokens, float[] out, Parallel parallel) {
        int rows = w.rows();
        int cols = w.cols();
        int blocks = cols / Q4_0Codec.BLOCK;
        int[] q = new int[nTokens * cols];
        float[] d = new float[nTokens * blocks];
        quantizeActivations(x, nTokens, cols, q, d, null);
        parallel.run(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                long row = r * w.rowBytes();
                for (int t = 0; t < nTokens; t++) {
                    float sum = 0f;
                    for (int b = 0; b < blocks; b++) {
                        long blk = row + (long) b * Q4_0Codec.BYTES;
                        float dw = Float.float16ToFloat(w.data().get(ValueLayout.JAVA_SHORT_UNALIGNED, blk));
                        int isum = 0;
                        for (int i = 0; i < Q4_0Codec.BLOCK / 2; i++) {
                            int bits = w.data().get(ValueLayout.JAVA_BYTE, blk + Q4_0Codec.QS + i) & 0xFF;
                            int xq = t * cols + b * Q4_0Codec.BLOCK + i;
                            isum += ((bits & 0x0F) - 8) * q[xq] + ((bits >>> 4) - 8) * q[xq + Q4_0Codec.BLOCK / 2];
                        }
                        sum = Math.fma((float) isum, dw * d[t * blocks + b], sum);
                    }
                    out[t * rows + r] = sum;
                }
            }
        });
    }

    /**
     * Every token's activations quantized per 32-element block ({@link Q8Activations#quantizeBlock}):
     * the integers into q (token t's at {@code t * cols}), the block scales into d, and if dsums is
     * not null each block's {@link Q8Activations#scaledSum}.
     */
    private static void quantizeActivations(float[] x, int nTokens, int cols, int[] q, float[] d, float[] dsums) {
        int blocks = cols / Q4_0Codec.BLOCK;
        for (int t = 0; t < nTokens; t++) {
            for (int b = 0; b < blocks; b++) {
                int at = t * cols + b * Q4_0Codec.BLOCK;
                d[t * blocks + b] = Q8Activations.quantizeBlock(x, at, q, at);
                if (dsums != null) {
                    dsums[t * blocks + b] = Q8Activations.scaledSum(d[t * blocks + b], q, at);
                }
            }
        }
    }

    /**
     * The reference Q4_K matmul, llama.cpp's Q4_K x Q8_K product on 32-element blocks: activations
     * quantized as for Q4_0, and per sub-block (32 weights {@code d1 * q - m1}) {@code sum =
     * fma(isum, d1 * dx, sum)} then {@code sum = fma(c1, dx * sum(xq), sum)}, with isum the exact
     * integer dot of (q - 8) and the int8 activations, {@code d1 = d * sc} and {@code c1 = 8 * d1 +
     * (-dmin) * m}: {@code dx * (d1 * isum + c1 * sum(xq))} is the sub-block's dot. {@link
     * VectorQ4KDot} does the same operations per sub-block, summed in another order.
     */
    static void q4_KMatmul(WeightMatrix w, float[] x, int nTokens, float[] out, Parallel parallel) {
        minScaleMatmul(w, x, nTokens, out, parallel, Q4_KCodec.BYTES, 8, (data, o, e) -> {
            int bits = data.get(ValueLayout.JAVA_BYTE, o + 16 + 32L * (e / 64) + e % 32) & 0xFF;
            return e % 64 < 32 ? bits & 0x0F : bits >>> 4;
        });
    }

    /** The unsigned quant of element e (0..255) of the super-block at o: Q4_K's or Q5_K's. */
    private interface SuperBlockQuant {
        int of(MemorySegment data, long o, int e);
    }

    /**
     * Q4_K's and Q5_K's reference: super-blocks of {@code bytes} bytes with d, dmin and Q4_K's
     * 6-bit scales and mins first, quants 0 .. 2 * center - 1; per sub-block {@code sum =
     * fma(isum, d1 * dx, sum)}, then {@code sum = fma(c1, dx * sum(xq), sum)} with {@code isum}
     * the exact integer dot of (q - center) and the int8 activations and {@code c1 = center * d1 +
     * (-dmin) * m}.
     */
    private static void minScaleMatmul(WeightMatrix w, float[] x, int nTokens, float[] out, Parallel parallel,
                                       int bytes, int center, SuperBlockQuant quant) {
        int rows = w.rows();
        int cols = w.cols();
        int blocks = cols / Q4_0Codec.BLOCK;
        int[] q = new int[nTokens * cols];
        float[] d = new float[nTokens * blocks];
        float[] dsums = new float[nTokens * blocks];
        quantizeActivations(x, nTokens, cols, q, d, dsums);
        MemorySegment data = w.data();
        parallel.run(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                long row = r * w.rowBytes();
                for (int t = 0; t < nTokens; t++) {
                    float sum = 0f;
                    for (int sb = 0; sb < cols / Q4_KCodec.BLOCK; sb++) {
                        long o = row + (long) sb * bytes;
                        float dw = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, o));
                        float negMin = -Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, o + 2));
                        for (int j = 0; j < 8; j++) {
                            float d1 = dw * Q4_KCodec.scale(data, o + 4, j);
                            float c1 = center * d1 + negMin * Q4_KCodec.min(data, o + 4, j);
                            int b = sb * 8 + j;
                            int isum = 0;
                            for (int l = 0; l < Q4_0Codec.BLOCK; l++) {
                                isum += (quant.of(data, o, 32 * j + l) - center) * q[t * cols + b * Q4_0Codec.BLOCK + l];
                            }
                            sum = Math.fma((float) isum, d1 * d[t * blocks + b], sum);
                            sum = Math.fma(c1, dsums[t * blocks + b], sum);
                        }
                    }
                    out[t * rows + r] = sum;
                }
            }
        });
    }

    /**
     * The reference Q6_K (and Q3_K, Q2_K) matmul, llama.cpp's Q6_K x Q8_K product on 32-element
     * blocks: activations quantized as for Q4_0, and per block (two sub-blocks of 16, scales sa
     * and sb) {@code sum = fma(fma(sa, A, sb * B), d * dx, sum)}, with A and B the exact integer
     * dots of the values (Q6_K: q - 32; Q3_K: q, -4..3; Q2_K: q, 0..3) and the int8 activations
     * over the two sub-blocks; Q2_K then adds its mins, {@code sum = fma(fma(ma, XA, mb * XB),
     * -dmin * dx, sum)} with XA, XB the sums of the activations. {@link VectorQ6KDot} and {@link
     * VectorQ2KDot} do the same operations per block, summed in another order.
     */
    static void q6_KMatmul(WeightMatrix w, float[] x, int nTokens, float[] out, Parallel parallel) {
        int rows = w.rows();
        int cols = w.cols();
        int blocks = cols / Q4_0Codec.BLOCK;
        int[] q = new int[nTokens * cols];
        float[] d = new float[nTokens * blocks];
        quantizeActivations(x, nTokens, cols, q, d, null);
        MemorySegment data = w.data();
        GGMLType type = w.type();
        int superBytes = type.typeSize;
        parallel.run(rows, (from, to) -> {
            int[] values = new int[Q6_KCodec.BLOCK];
            int[] scales = new int[16];
            int[] mins = new int[16];
            for (int r = from; r < to; r++) {
                long row = r * w.rowBytes();
                for (int t = 0; t < nTokens; t++) {
                    float sum = 0f;
                    for (int sb = 0; sb < cols / Q6_KCodec.BLOCK; sb++) {
                        long o = row + (long) sb * superBytes;
                        float dw = switch (type) {
                            case Q3_K -> Q3_KCodec.d(data, o);
                            case Q2_K -> Q2_KCodec.d(data, o);
                            default -> Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, o + 208));
                        };
                        float negMin = type == GGMLType.Q2_K ? -Q2_KCodec.dmin(data, o) : 0f;
                        for (int e = 0; e < Q6_KCodec.BLOCK; e++) {
                            values[e] = switch (type) {
                                case Q3_K -> Q3_KCodec.quant(data, o, e);
                                case Q2_K -> Q2_KCodec.quant(data, o, e);
                                default -> Q6_KCodec.quant(data, o, e) - 32;
                            };
                        }
                        for (int k = 0; k < 16; k++) {
                            scales[k] = switch (type) {
                                case Q3_K -> Q3_KCodec.scale(data, o, k);
                                case Q2_K -> Q2_KCodec.scale(data, o, k);
                                default -> data.get(ValueLayout.JAVA_BYTE, o + 192 + k);
                            };
                            mins[k] = type == GGMLType.Q2_K ? Q2_KCodec.min(data, o, k) : 0;
                        }
                        for (int j = 0; j < 8; j++) {
                            int b = sb * 8 + j;
                            int first = 0;
                            int second = 0;
                            int firstX = 0;
                            int secondX = 0;
                            for (int l = 0; l < 16; l++) {
                                int xa = q[t * cols + b * Q4_0Codec.BLOCK + l];
                                int xb = q[t * cols + b * Q4_0Codec.BLOCK + 16 + l];
                                first += values[32 * j + l] * xa;
                                second += values[32 * j + 16 + l] * xb;
                                firstX += xa;
                                secondX += xb;
                            }
                            float sa = scales[2 * j];
                            float sbScale = scales[2 * j + 1];
                            float dx = d[t * blocks + b];
                            sum = Math.fma(Math.fma(sa, (float) first, sbScale * second), dw * dx, sum);
                            if (type == GGMLType.Q2_K) {
                                float ma = mins[2 * j];
                                float mb = mins[2 * j + 1];
                                sum = Math.fma(Math.fma(ma, (float) firstX, mb * secondX), negMin * dx, sum);
                            }
                        }
                    }
                    out[t * rows + r] = sum;
                }
            }
        });
    }

    /**
     * The reference Q5_K matmul: {@link #q4_KMatmul}'s operations ({@link #minScaleMatmul}) with
     * 5-bit values centred on 16. {@link VectorQ5KDot} does the same operations per sub-block,
     * summed in another order.
     */
    static void q5_KMatmul(WeightMatrix w, float[] x, int nTokens, float[] out, Parallel parallel) {
        minScaleMatmul(w, x, nTokens, out, parallel, Q5_KCodec.BYTES, 16, Q5_KCodec::quant);
    }

    /**
     * The reference Q5_0, Q5_1 and Q4_1 matmul, llama.cpp's products with Q8_0 activations: per
     * block {@code sum = fma(isum, d * dx, sum)}, isum the exact integer dot of (q - center) and
     * the int8 activations ({@link LegacyInterleaved#center}); for Q5_1 and Q4_1 ({@code d * q +
     * m}) then {@code sum = fma(center * d + m, dx * sum(xq), sum)}. {@link VectorLegacyDot} does
     * the same per block, summed in another order.
     */
    static void legacyMatmul(WeightMatrix w, float[] x, int nTokens, float[] out, Parallel parallel) {
        int rows = w.rows();
        int cols = w.cols();
        int blocks = cols / Q4_0Codec.BLOCK;
        GGMLType type = w.type();
        boolean mins = LegacyInterleaved.hasMins(type);
        int center = LegacyInterleaved.center(type);
        int[] q = new int[nTokens * cols];
        float[] d = new float[nTokens * blocks];
        float[] dsums = mins ? new float[nTokens * blocks] : null;
        quantizeActivations(x, nTokens, cols, q, d, dsums);
        MemorySegment data = w.data();
        parallel.run(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                long row = r * w.rowBytes();
                for (int t = 0; t < nTokens; t++) {
                    float sum = 0f;
                    for (int b = 0; b < blocks; b++) {
                        long o = row + (long) b * type.typeSize;
                        float dw = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, o));
                        int isum = 0;
                        for (int l = 0; l < Q4_0Codec.BLOCK; l++) {
                            int quant = switch (type) {
                                case Q5_0 -> Q5_0Codec.quant(data, o, l);
                                case Q5_1 -> Q5_1Codec.quant(data, o, l);
                                default -> Q4_1Codec.quant(data, o, l);
                            };
                            isum += (quant - center) * q[t * cols + b * Q4_0Codec.BLOCK + l];
                        }
                        sum = Math.fma((float) isum, dw * d[t * blocks + b], sum);
                        if (mins) {
                            float mw = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, o + 2));
                            sum = Math.fma(center * dw + mw, dsums[t * blocks + b], sum);
                        }
                    }
                    out[t * rows + r] = sum;
                }
            }
        });
    }

    private float[] rowBuffer(int cols) {
        float[][] holder = rowScratch.get();
        if (holder[0].length < cols) {
            holder[0] = new float[cols];
        }
        return holder[0];
    }

    @Override
    public void dequantizeRow(WeightMatrix w, int row, float[] out, int off) {
        TensorCodec.dequantizeRow(w.type(), w.data(), row * w.rowBytes(), out, off, w.cols());
    }

    @Override
    public void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps) {
        float ss = 0f;
        for (int i = 0; i < n; i++) {
            ss += x[xOff + i] * x[xOff + i];
        }
        float scale = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) {
            out[outOff + i] = weight[i] * (scale * x[xOff + i]);
        }
    }

    @Override
    public void rope(float[] x, int off, int ropeDim, float[] cos, float[] sin, int tableOff, boolean neox) {
        ropePairs(x, off, ropeDim / 2, 0, cos, sin, tableOff, neox);
    }

    /**
     * Rotates the pairs {@code from .. half} of one head (see {@link Kernels#rope}); also the
     * scalar part of {@link VectorKernels#rope}, so both kernels do the same arithmetic.
     */
    static void ropePairs(float[] x, int off, int half, int from, float[] cos, float[] sin, int tableOff,
                          boolean neox) {
        for (int i = from; i < half; i++) {
            int i0 = neox ? off + i : off + 2 * i;
            int i1 = neox ? off + i + half : off + 2 * i + 1;
            float c = cos[tableOff + i];
            float s = sin[tableOff + i];
            float x0 = x[i0];
            float x1 = x[i1];
            x[i0] = x0 * c - x1 * s;
            x[i1] = x0 * s + x1 * c;
        }
    }

    @Override
    public void softmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            x[off + i] = DeterministicExp.exp(x[off + i] - max);
            sum += x[off + i];
        }
        float inv = 1f / sum;
        for (int i = 0; i < n; i++) {
            x[off + i] *= inv;
        }
    }

    @Override
    public void swiglu(float[] gate, int gateOff, float[] up, int upOff, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[gateOff + i];
            gate[gateOff + i] = g / (DeterministicExp.exp(-g) + 1f) * up[upOff + i];
        }
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    @Override
    public void axpy(float[] y, int yOff, float a, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    @Override
    public void add(float[] y, int yOff, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }
}
