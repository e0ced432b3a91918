package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Kernels#attend}: the vector kernel ({@link VectorAttention}) must give exactly the bits of
 * the interface's reference loop run over the same kernel set's dot, softmax and axpy, for every
 * group size (1 to 7 heads per kv head), key count (partial fold groups included) and head size
 * (the supported multiples of 4G and the shapes that fall back), also once C2 has compiled it; and
 * the reference loop itself must be attention (checked in doubles).
 */
class AttentionKernelTest {
    private static final VectorKernels VECTOR = new VectorKernels();

    /** VectorKernels with attend left to the interface's default: the reference loop over its own primitives. */
    private static final Kernels REFERENCE_LOOP = (Kernels) Proxy.newProxyInstance(
            Kernels.class.getClassLoader(), new Class<?>[] {Kernels.class}, referenceLoop());

    private static InvocationHandler referenceLoop() {
        return (proxy, method, args) -> method.getName().equals("attend")
                ? InvocationHandler.invokeDefault(proxy, method, args)
                : method.invoke(VECTOR, args);
    }

    private record Case(float[] q, float[] keys, float[] values, int kvOff, int kvStride, int n, int heads, int headDim) {
        static Case random(Random rnd, int n, int heads, int headDim) {
            int kvHeads = 3;
            int kvStride = kvHeads * headDim;
            int kvOff = headDim; // the middle kv head: rows are strided, not contiguous
            float[] q = fill(rnd, heads * headDim + 5);
            return new Case(q, fill(rnd, n * kvStride), fill(rnd, n * kvStride), kvOff, kvStride, n, heads, headDim);
        }

        private static float[] fill(Random rnd, int len) {
            float[] a = new float[len];
            for (int i = 0; i < len; i++) {
                // Mixed magnitudes, so that any other order of additions would round differently.
                a[i] = (float) ((rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(4) - 2));
            }
            return a;
        }

        /** out (heads * headDim floats from 3) and the scores, from kernel k. */
        float[][] run(Kernels k) {
            float[] scores = new float[heads * n + 7];
            float[] out = new float[heads * headDim + 6];
            java.util.Arrays.fill(out, 42f); // attend must overwrite its rows, not add to them
            k.attend(q, 5, keys, values, kvOff, kvStride, n, heads, headDim, (float) Math.sqrt(headDim), scores, out, 3);
            return new float[][] {out, scores};
        }
    }

    private static void assertBitIdentical(Case c, String what) {
        float[][] expected = c.run(REFERENCE_LOOP);
        float[][] actual = c.run(VECTOR);
        for (int part = 0; part < 2; part++) {
            for (int i = 0; i < expected[part].length; i++) {
                assertEquals(Float.floatToRawIntBits(expected[part][i]), Float.floatToRawIntBits(actual[part][i]),
                        what + (part == 0 ? " out[" : " scores[") + i + "]: " + expected[part][i] + " vs " + actual[part][i]);
            }
        }
    }

    @Test
    void vectorKernelGivesTheReferenceLoopsBits() {
        Random rnd = new Random(11);
        int g = VectorWidth.G;
        for (int headDim : new int[] {8, 48, 4 * g, 8 * g}) {
            for (int heads = 1; heads <= 7; heads++) {
                for (int n : new int[] {1, 2, g - 1, g, g + 1, 3 * g + 5, 100}) {
                    assertBitIdentical(Case.random(rnd, n, heads, headDim),
                            "headDim " + headDim + ", heads " + heads + ", n " + n);
                }
            }
        }
    }

    @Test
    void vectorKernelKeepsTheBitsOnceCompiled() {
        Random rnd = new Random(12);
        Case c = Case.random(rnd, 37, 4, 4 * VectorWidth.G);
        float[][] first = c.run(VECTOR);
        for (int i = 0; i < 20_000; i++) {
            c.run(VECTOR); // past C1 and C2's thresholds
        }
        float[][] compiled = c.run(VECTOR);
        assertArrayEquals(first[0], compiled[0]);
        assertArrayEquals(first[1], compiled[1]);
        assertBitIdentical(c, "compiled");
    }

    @Test
    void referenceLoopIsSoftmaxAttention() {
        Random rnd = new Random(13);
        Case c = Case.random(rnd, 29, 3, 16);
        float[][] got = c.run(new ScalarKernels());
        for (int h = 0; h < c.heads; h++) {
            double[] s = new double[c.n];
            double max = Double.NEGATIVE_INFINITY;
            for (int t = 0; t < c.n; t++) {
                for (int d = 0; d < c.headDim; d++) {
                    s[t] += (double) c.q[5 + h * c.headDim + d] * c.keys[c.kvOff + t * c.kvStride + d];
                }
                s[t] /= Math.sqrt(c.headDim);
                max = Math.max(max, s[t]);
            }
            double sum = 0;
            for (int t = 0; t < c.n; t++) {
                s[t] = Math.exp(s[t] - max);
                sum += s[t];
            }
            for (int d = 0; d < c.headDim; d++) {
                double o = 0;
                for (int t = 0; t < c.n; t++) {
                    o += s[t] / sum * c.values[c.kvOff + t * c.kvStride + d];
                }
                float actual = got[0][3 + h * c.headDim + d];
                assertTrue(Math.abs(actual - o) <= 1e-5 + 1e-4 * Math.abs(o), "head " + h + " dim " + d + ": " + actual + " vs " + o);
            }
        }
    }
}
