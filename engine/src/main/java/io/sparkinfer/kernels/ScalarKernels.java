package io.sparkinfer.kernels;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The reference kernels: plain loops, one accumulator, in the order llama2.c's run.c uses, so the
 * stories260K golden test can be checked against this implementation first. Matmul is split
 * across output rows (never the reduction), which keeps it batch-invariant.
 */
public final class ScalarKernels implements Kernels {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void matmul(WeightMatrix w, float[] x, int nTokens, float[] out) {
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

    @Override
    public void dequantizeRow(WeightMatrix w, int row, float[] out, int off) {
        MemorySegment d = w.data();
        long base = row * w.rowBytes();
        int n = w.cols();
        GGMLType type = w.type();
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) out[off + i] = d.get(F32, base + 4L * i);
            }
            case F16 -> {
                for (int i = 0; i < n; i++) out[off + i] = Float.float16ToFloat(d.get(I16, base + 2L * i));
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) out[off + i] = Float.intBitsToFloat(d.get(I16, base + 2L * i) << 16);
            }
            default -> throw new UnsupportedOperationException("scalar kernels: no dequantization for " + type
                    + " (tensor " + w.name() + ")");
        }
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
