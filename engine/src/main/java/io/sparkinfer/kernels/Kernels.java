package io.sparkinfer.kernels;

import io.sparkinfer.tensor.WeightMatrix;

/**
 * The numeric kernels of the forward pass. Two implementations with the same method names:
 * {@code ScalarKernels} (the reference, plain loops) and {@code VectorKernels} (Vector API);
 * {@link KernelsProvider} picks one once per JVM.
 *
 * <p>Batch invariance (the exactly-once contract depends on it): the result for one token must be
 * bit-identical whatever {@code nTokens} is, whichever other tokens share the call, and however
 * many threads run it. So work is split across output rows, never across the reduction.
 */
public interface Kernels {

    /** A short name for logs and benchmarks, e.g. "scalar" or "vector-512". */
    String name();

    /**
     * GEMM: {@code out[t * rows + r] = sum_c W[r][c] * x[t * cols + c]} for every token
     * {@code t < nTokens} and row {@code r < w.rows()}. Each weight block is reused across many
     * tokens (prompt processing, and decode of many sequences at once). Multithreaded. x as
     * the kernels see it: Q8_0 weights multiply x rounded to bfloat16 ({@link
     * Bf16Activations#round}), Q4_0, Q4_K and Q6_K weights x quantized to int8 per block ({@link Q8Activations});
     * other types multiply x as given.
     */
    void matmul(WeightMatrix w, float[] x, int nTokens, float[] out);

    /**
     * The form of a matmul weight that this kernel set multiplies fastest, made once when a model
     * loads (for example a re-laid copy in {@link WeightMatrix#packed()}, or the data copied to
     * huge pages). {@link #matmul} gives the same bits for {@code w} and {@code prepare(w)}; the
     * unprepared form may be slower.
     */
    default WeightMatrix prepare(WeightMatrix w) {
        return w;
    }

    /** One row of W, dequantized to floats into {@code out[off .. off + cols)} (embedding lookup). */
    void dequantizeRow(WeightMatrix w, int row, float[] out, int off);

    /** {@code out[i] = x[i] * weight[i] / sqrt(mean(x^2) + eps)} over n elements. out may alias x. */
    void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps);

    /**
     * Rotary embedding of one head vector in place, from a precomputed table of
     * {@code cos/sin[tableOff + i]} for {@code i < ropeDim / 2}. NORMAL layout (llama) rotates the
     * pairs (2i, 2i+1); NEOX layout (qwen2/qwen3) rotates (i, i + ropeDim/2). Elements past
     * ropeDim are left as they are.
     */
    void rope(float[] x, int off, int ropeDim, float[] cos, float[] sin, int tableOff, boolean neox);

    /** In-place softmax over {@code x[off .. off + n)}, max-subtracted. */
    void softmax(float[] x, int off, int n);

    /** {@code gate[i] = silu(gate[i]) * up[i]} for i < n (SwiGLU). */
    void swiglu(float[] gate, int gateOff, float[] up, int upOff, int n);

    /** Dot product of n floats. */
    float dot(float[] a, int aOff, float[] b, int bOff, int n);

    /**
     * Attention of one token for the {@code heads} query heads that share one kv head
     * (grouped-query attention): for each head h, {@code s_t = (q_h . k_t) / sqrtHeadDim} over the
     * keys t < n, softmax, and {@code out_h = sum_t s_t v_t}. q_h is at {@code q[qOff + h *
     * headDim]}, out_h at {@code out[outOff + h * headDim]}, k_t and v_t at {@code kvOff + t *
     * kvStride} in keys and values. scores: scratch of at least {@code heads * n} floats (it ends
     * holding the probabilities, head h's at {@code h * n}). The division (not a multiply by the
     * reciprocal) is llama2.c's, to stay bit-close to that reference.
     *
     * <p>This loop over {@link #dot}, {@link #softmax} and {@link #axpy} is the definition: an
     * implementation may compute it faster only with the same bits as this loop over its own
     * dot, softmax and axpy.
     */
    default void attend(float[] q, int qOff, float[] keys, float[] values, int kvOff, int kvStride, int n,
                        int heads, int headDim, float sqrtHeadDim, float[] scores, float[] out, int outOff) {
        for (int t = 0; t < n; t++) {
            int kOff = kvOff + t * kvStride;
            for (int h = 0; h < heads; h++) {
                scores[h * n + t] = dot(q, qOff + h * headDim, keys, kOff, headDim) / sqrtHeadDim;
            }
        }
        for (int h = 0; h < heads; h++) {
            softmax(scores, h * n, n);
        }
        java.util.Arrays.fill(out, outOff, outOff + heads * headDim, 0f);
        for (int t = 0; t < n; t++) {
            int vOff = kvOff + t * kvStride;
            for (int h = 0; h < heads; h++) {
                axpy(out, outOff + h * headDim, scores[h * n + t], values, vOff, headDim);
            }
        }
    }

    /** {@code y[i] += a * x[i]} for i < n. */
    void axpy(float[] y, int yOff, float a, float[] x, int xOff, int n);

    /** {@code y[i] += x[i]} for i < n (residual connections). */
    void add(float[] y, int yOff, float[] x, int xOff, int n);
}
