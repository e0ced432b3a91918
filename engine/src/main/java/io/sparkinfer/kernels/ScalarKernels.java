package io.sparkinfer.kernels;

import io.sparkinfer.tensor.F16Codec;
import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.Layouts;
import io.sparkinfer.tensor.Q4_0Codec;
import io.sparkinfer.tensor.Q8_0Codec;
import io.sparkinfer.tensor.TensorCodec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;

/**
 * The reference kernels: plain loops, one sequential float accumulator, easy to check by eye.
 * Only matmul is multithreaded (over rows), so tests on real shapes stay fast.
 *
 * <p>Q8_0 and Q4_0 weights are multiplied against activations quantized by {@link Q8Activations}
 * with integer block dots, the same math as {@link VectorKernels}; other types dequantize each
 * weight row to floats and use float dots.
 */
public final class ScalarKernels implements Kernels {
    private final Parallel parallel;
    private final ThreadLocal<Q8Activations> activations = ThreadLocal.withInitial(Q8Activations::new);
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
        GGMLType type = w.type();
        if (type == GGMLType.Q8_0 || type == GGMLType.Q4_0) {
            matmulQuantized(w, x, nTokens, out);
        } else {
            matmulFloat(w, x, nTokens, out);
        }
    }

    private void matmulQuantized(WeightMatrix w, float[] x, int nTokens, float[] out) {
        Q8Activations a = activations.get();
        a.quantize(x, nTokens, w.cols());
        int rows = w.rows();
        long rowBytes = w.rowBytes();
        boolean q8 = w.type() == GGMLType.Q8_0;
        MemorySegment data = w.data();
        parallel.run(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                for (int t = 0; t < nTokens; t++) {
                    out[t * rows + r] = q8 ? dotQ8_0(data, r * rowBytes, a, t) : dotQ4_0(data, r * rowBytes, a, t);
                }
            }
        });
    }

    /** One Q8_0 row times token t: exact int dot per block, then {@code acc += (dw * dx) * isum}. */
    static float dotQ8_0(MemorySegment data, long rowOff, Q8Activations a, int t) {
        int nb = a.blocksPerToken;
        float acc = 0f;
        for (int b = 0; b < nb; b++) {
            long blk = rowOff + (long) b * Q8_0Codec.BYTES;
            int x0 = (t * nb + b) * Q8_0Codec.BLOCK;
            int isum = 0;
            for (int j = 0; j < Q8_0Codec.BLOCK; j++) {
                isum += data.get(Layouts.I8, blk + Q8_0Codec.QS + j) * a.q[x0 + j];
            }
            acc += (F16Codec.get(data, blk) * a.d[t * nb + b]) * isum;
        }
        return acc;
    }

    /** One Q4_0 row times token t, like {@link #dotQ8_0} with nibbles - 8 as the weight quants. */
    static float dotQ4_0(MemorySegment data, long rowOff, Q8Activations a, int t) {
        int nb = a.blocksPerToken;
        float acc = 0f;
        for (int b = 0; b < nb; b++) {
            long blk = rowOff + (long) b * Q4_0Codec.BYTES;
            int x0 = (t * nb + b) * Q4_0Codec.BLOCK;
            int isum = 0;
            for (int j = 0; j < Q4_0Codec.BLOCK / 2; j++) {
                int q = data.get(Layouts.I8, blk + Q4_0Codec.QS + j) & 0xFF;
                isum += ((q & 0x0F) - 8) * a.q[x0 + j] + ((q >>> 4) - 8) * a.q[x0 + j + 16];
            }
            acc += (F16Codec.get(data, blk) * a.d[t * nb + b]) * isum;
        }
        return acc;
    }

    private void matmulFloat(WeightMatrix w, float[] x, int nTokens, float[] out) {
        int rows = w.rows();
        int cols = w.cols();
        parallel.run(rows, (from, to) -> {
            float[] row = rowBuffer(cols);
            for (int r = from; r < to; r++) {
                TensorCodec.dequantize(w.type(), w.data(), r * w.rowBytes(), row, 0, cols);
                for (int t = 0; t < nTokens; t++) {
                    out[t * rows + r] = dot(row, 0, x, t * cols, cols);
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
        int half = ropeDim / 2;
        for (int i = 0; i < half; i++) {
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
