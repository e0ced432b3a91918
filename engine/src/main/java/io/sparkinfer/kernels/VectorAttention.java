package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorWidth.F;
import static io.sparkinfer.kernels.VectorWidth.G;
import static io.sparkinfer.kernels.VectorWidth.HIGH1;
import static io.sparkinfer.kernels.VectorWidth.HIGH2;
import static io.sparkinfer.kernels.VectorWidth.HIGH4;
import static io.sparkinfer.kernels.VectorWidth.HIGH8;
import static io.sparkinfer.kernels.VectorWidth.XOR1;
import static io.sparkinfer.kernels.VectorWidth.XOR2;
import static io.sparkinfer.kernels.VectorWidth.XOR4;
import static io.sparkinfer.kernels.VectorWidth.XOR8;

import jdk.incubator.vector.FloatVector;

/**
 * {@link Kernels#attend} in vector lanes, bit for bit what the reference loop of {@link
 * Kernels#attend} gives with {@link VectorKernels}' own dot, softmax and axpy, only faster: that
 * loop paid a full lane-sum tree, a call and a scalar store per (head, key) score, and a load and
 * store of the output per (head, key) value row.
 *
 * <p>Scores: each dot's pre-sum vector ({@link VectorKernels#preSum}, the dot before its tree) goes
 * to a scratch of G vectors, and G dots at a time are folded together level by level (lanes with
 * bit h clear take x[i] + x[i ^ h], lanes with it set y[i] + y[i ^ h]): the same additions as
 * {@link VectorWidth#treeSum(float[], int)} for every dot (floats add commutatively, so every lane of a tree sum
 * holds the same bits), at ~4 instructions per dot instead of ~2 log2(G). Values: the output rows
 * of two heads stay in registers over all keys, each key's value row read once for both, with the
 * axpy's operations ({@code y + v * p}) in the same key order.
 *
 * <p>For head sizes that are a multiple of 4G floats (64 at 512 bits, 64 and 128 at 256) and 8 or
 * 16 lanes; other shapes run the reference loop.
 */
final class VectorAttention {
    /** Pre-sum vector slot of dot j: after the fold, lane j holds dot j (bit-reversed order). */
    private static final int[] SLOT = slots();
    private static final ThreadLocal<float[]> FOLD = ThreadLocal.withInitial(() -> new float[G * G]);

    private VectorAttention() {
    }

    static boolean supports(int headDim) {
        return (G == 8 || G == 16) && headDim > 0 && headDim % (4 * G) == 0;
    }

    private static int[] slots() {
        int bits = Integer.numberOfTrailingZeros(G);
        int[] slot = new int[G];
        for (int j = 0; j < G; j++) {
            slot[j] = Integer.reverse(j) >>> (32 - bits);
        }
        return slot;
    }

    /** See {@link Kernels#attend}; only where {@link #supports} the head size. */
    static void attend(VectorKernels k, float[] q, int qOff, float[] keys, float[] values, int kvOff, int kvStride,
                       int n, int heads, int headDim, float sqrtHeadDim, float[] scores, float[] out, int outOff) {
        scores(q, qOff, keys, kvOff, kvStride, n, heads, headDim, sqrtHeadDim, scores);
        for (int h = 0; h < heads; h++) {
            k.softmax(scores, h * n, n);
        }
        int h = 0;
        for (; h + 2 <= heads; h += 2) {
            for (int c = 0; c < headDim; c += 4 * G) {
                valuesTwoHeads(values, kvOff + c, kvStride, n, scores, h * n, (h + 1) * n,
                        out, outOff + h * headDim + c, outOff + (h + 1) * headDim + c);
            }
        }
        if (h < heads) {
            for (int c = 0; c < headDim; c += 4 * G) {
                valuesOneHead(values, kvOff + c, kvStride, n, scores, h * n, out, outOff + h * headDim + c);
            }
        }
    }

    /**
     * scores[h * n + t] = (q_h . k_t) / sqrtHeadDim, G dots at a time in (key, head) order: the
     * group's heads share each key row while it is in L1.
     */
    private static void scores(float[] q, int qOff, float[] keys, int kvOff, int kvStride, int n, int heads,
                               int headDim, float sqrtHeadDim, float[] scores) {
        float[] fold = FOLD.get();
        int dots = n * heads;
        int t = 0;
        int h = 0;
        for (int d0 = 0; d0 < dots; d0 += G) {
            int t0 = t;
            int h0 = h;
            for (int j = 0; j < G; j++) {
                if (d0 + j < dots) {
                    VectorKernels.preSum(q, qOff + h * headDim, keys, kvOff + t * kvStride, headDim, fold, SLOT[j] * G);
                    if (++h == heads) {
                        h = 0;
                        t++;
                    }
                } else {
                    FloatVector.zero(F).intoArray(fold, SLOT[j] * G);
                }
            }
            fold(fold);
            FloatVector.fromArray(F, fold, 0).div(sqrtHeadDim).intoArray(fold, 0);
            for (int j = 0, end = Math.min(G, dots - d0); j < end; j++) {
                scores[h0 * n + t0] = fold[j];
                if (++h0 == heads) {
                    h0 = 0;
                    t0++;
                }
            }
        }
    }

    /** G vectors of G floats at fold[0 ..) to their G tree sums at fold[0 .. G): lane j, vector j's. */
    private static void fold(float[] fold) {
        int count = G;
        if (G == 16) {
            for (int p = 0; p < count / 2; p++) {
                FloatVector x = FloatVector.fromArray(F, fold, 2 * p * G);
                FloatVector y = FloatVector.fromArray(F, fold, (2 * p + 1) * G);
                x.blend(y, HIGH8).add(y.blend(x, HIGH8).rearrange(XOR8)).intoArray(fold, p * G);
            }
            count /= 2;
        }
        for (int p = 0; p < count / 2; p++) {
            FloatVector x = FloatVector.fromArray(F, fold, 2 * p * G);
            FloatVector y = FloatVector.fromArray(F, fold, (2 * p + 1) * G);
            x.blend(y, HIGH4).add(y.blend(x, HIGH4).rearrange(XOR4)).intoArray(fold, p * G);
        }
        count /= 2;
        for (int p = 0; p < count / 2; p++) {
            FloatVector x = FloatVector.fromArray(F, fold, 2 * p * G);
            FloatVector y = FloatVector.fromArray(F, fold, (2 * p + 1) * G);
            x.blend(y, HIGH2).add(y.blend(x, HIGH2).rearrange(XOR2)).intoArray(fold, p * G);
        }
        FloatVector x = FloatVector.fromArray(F, fold, 0);
        FloatVector y = FloatVector.fromArray(F, fold, G);
        x.blend(y, HIGH1).add(y.blend(x, HIGH1).rearrange(XOR1)).intoArray(fold, 0);
    }

    /**
     * out rows of heads a and b, 4G floats from outA / outB: sum over t of values[v + t * stride]
     * times scores[sa + t] (sb + t), as {@code y + v * p} from zero in key order (the axpy's).
     */
    private static void valuesTwoHeads(float[] values, int v, int stride, int n, float[] scores, int sa, int sb,
                                       float[] out, int outA, int outB) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector b2 = a0;
        FloatVector b3 = a0;
        for (int t = 0; t < n; t++) {
            int r = v + t * stride;
            FloatVector v0 = FloatVector.fromArray(F, values, r);
            FloatVector v1 = FloatVector.fromArray(F, values, r + G);
            FloatVector v2 = FloatVector.fromArray(F, values, r + 2 * G);
            FloatVector v3 = FloatVector.fromArray(F, values, r + 3 * G);
            float pa = scores[sa + t];
            float pb = scores[sb + t];
            a0 = a0.add(v0.mul(pa));
            a1 = a1.add(v1.mul(pa));
            a2 = a2.add(v2.mul(pa));
            a3 = a3.add(v3.mul(pa));
            b0 = b0.add(v0.mul(pb));
            b1 = b1.add(v1.mul(pb));
            b2 = b2.add(v2.mul(pb));
            b3 = b3.add(v3.mul(pb));
        }
        a0.intoArray(out, outA);
        a1.intoArray(out, outA + G);
        a2.intoArray(out, outA + 2 * G);
        a3.intoArray(out, outA + 3 * G);
        b0.intoArray(out, outB);
        b1.intoArray(out, outB + G);
        b2.intoArray(out, outB + 2 * G);
        b3.intoArray(out, outB + 3 * G);
    }

    /** {@link #valuesTwoHeads} for one head (an odd group's last). */
    private static void valuesOneHead(float[] values, int v, int stride, int n, float[] scores, int sa,
                                      float[] out, int outA) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int t = 0; t < n; t++) {
            int r = v + t * stride;
            float pa = scores[sa + t];
            a0 = a0.add(FloatVector.fromArray(F, values, r).mul(pa));
            a1 = a1.add(FloatVector.fromArray(F, values, r + G).mul(pa));
            a2 = a2.add(FloatVector.fromArray(F, values, r + 2 * G).mul(pa));
            a3 = a3.add(FloatVector.fromArray(F, values, r + 3 * G).mul(pa));
        }
        a0.intoArray(out, outA);
        a1.intoArray(out, outA + G);
        a2.intoArray(out, outA + 2 * G);
        a3.intoArray(out, outA + 3 * G);
    }
}
