package io.sparkinfer.kernels;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.TensorCodec;
import io.sparkinfer.tensor.WeightMatrix;

/**
 * The reference kernels: plain loops, one accumulator, in the order llama2.c's run.c uses, so the
 * stories260K golden test can be checked against this implementation first. Matmul is split
 * across output rows (never the reduction), which keeps it batch-invariant.
 */
public final class ScalarKernels implements Kernels {
    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void matmul(WeightMatrix w, float[] x, int nTokens, float[] out) {
        if (w.type() == GGMLType.Q8_0 || w.type() == GGMLType.Q4_0) {
            matmulQuantized(w, x, nTokens, out);
            return;
        }
        final int rows = w.rows(), cols = w.cols();
        Parallel.forChunks(rows, (from, to) -> {
            float[] row = new float[cols];
            for (int r = from; r < to; r++) {
                dequantizeRow(w, r, row, 0);
                for (int t = 0; t < nTokens; t++) {
                    float sum = 0f;
                    int xo = t * cols;
                    for (int c = 0; c < cols; c++) {
                        sum += row[c] * x[xo + c];
                    }
                    out[t * rows + r] = sum;
                }
            }
        });
    }

    /**
     * Q8_0 / Q4_0 weights against int8-quantized activations, in exactly the arithmetic the vector
     * kernel performs: per block of 32, lane l (0..15) gets the integer w[l]*x[l] + w[l+16]*x[l+16],
     * converted to float and fused-multiply-added with the two block scales into accumulator l;
     * the 16 accumulators are summed in lane order at the end.
     */
    private void matmulQuantized(WeightMatrix w, float[] x, int nTokens, float[] out) {
        final int rows = w.rows(), cols = w.cols(), blocks = cols / 32;
        QuantizedActivations xq = QuantizedActivations.scratch();
        xq.quantize(x, nTokens, cols);
        final byte[] q = xq.q;
        final float[] xs = xq.scale;
        final boolean q4 = w.type() == GGMLType.Q4_0;
        final int blockBytes = w.type().typeSize;
        Parallel.forChunks(rows, (from, to) -> {
            byte[] wq = new byte[32];
            float[] acc = new float[16];
            for (int r = from; r < to; r++) {
                long rowAt = r * w.rowBytes();
                for (int t = 0; t < nTokens; t++) {
                    java.util.Arrays.fill(acc, 0f);
                    for (int b = 0; b < blocks; b++) {
                        long at = rowAt + (long) b * blockBytes;
                        float dw = Float.float16ToFloat(w.data().get(VectorKernels.LE_SHORT, at));
                        unpack(w, at, q4, wq);
                        float scale = dw * xs[t * blocks + b];
                        int xo = t * cols + b * 32;
                        for (int l = 0; l < 16; l++) {
                            int p = wq[l] * q[xo + l] + wq[l + 16] * q[xo + l + 16];
                            acc[l] = Math.fma((float) p, scale, acc[l]);
                        }
                    }
                    float sum = 0f;
                    for (int l = 0; l < 16; l++) {
                        sum += acc[l];
                    }
                    out[t * rows + r] = sum;
                }
            }
        });
    }

    /** The 32 signed integer weights of one Q8_0 or Q4_0 block. */
    private static void unpack(WeightMatrix w, long at, boolean q4, byte[] wq) {
        java.lang.foreign.MemorySegment d = w.data();
        if (q4) {
            for (int j = 0; j < 16; j++) {
                int b = d.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at + 2 + j) & 0xFF;
                wq[j] = (byte) ((b & 0x0F) - 8);
                wq[j + 16] = (byte) ((b >>> 4) - 8);
            }
        } else {
            for (int j = 0; j < 32; j++) {
                wq[j] = d.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at + 2 + j);
            }
        }
    }

    @Override
    public void dequantizeRow(WeightMatrix w, int row, float[] out, int off) {
        TensorCodec.dequantize(w.type(), w.data(), row * w.rowBytes(), out, off, w.cols());
    }

    @Override
    public void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps) {
        float ss = 0f;
        for (int i = 0; i < n; i++) {
            ss += x[xOff + i] * x[xOff + i];
        }
        ss /= n;
        ss += eps;
        ss = 1.0f / (float) Math.sqrt(ss);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = weight[i] * (ss * x[xOff + i]);
        }
    }

    @Override
    public void rope(float[] x, int off, int ropeDim, float[] cos, float[] sin, int tableOff, boolean neox) {
        int half = ropeDim / 2;
        for (int i = 0; i < half; i++) {
            int a = neox ? off + i : off + 2 * i;
            int b = neox ? off + i + half : off + 2 * i + 1;
            float c = cos[tableOff + i], s = sin[tableOff + i];
            float v0 = x[a], v1 = x[b];
            x[a] = v0 * c - v1 * s;
            x[b] = v0 * s + v1 * c;
        }
    }

    @Override
    public void softmax(float[] x, int off, int n) {
        float max = x[off];
        for (int i = 1; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            x[off + i] = (float) Math.exp(x[off + i] - max);
            sum += x[off + i];
        }
        for (int i = 0; i < n; i++) {
            x[off + i] /= sum;
        }
    }

    @Override
    public void swiglu(float[] gate, int gateOff, float[] up, int upOff, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[gateOff + i];
            gate[gateOff + i] = g * (1.0f / (1.0f + (float) Math.exp(-g))) * up[upOff + i];
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
