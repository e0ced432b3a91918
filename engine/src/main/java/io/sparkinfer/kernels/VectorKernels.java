package io.sparkinfer.kernels;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.TensorCodec;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels. Float work uses {@link #F} (the preferred float species unless
 * {@code -Dsparkinfer.vector.bits} says otherwise). Q8_0 / Q4_0 matmuls use integer dot products
 * on int8-quantized activations with 16 int lanes per block half-pair, which needs 512-bit
 * vectors; where those are not native, quantized rows are dequantized and dotted in float.
 *
 * <p>Every matmul computes one token's result with the same sequence of operations whatever the
 * batch, so results are batch-invariant; tiles of 4 tokens share each loaded weight block.
 */
public final class VectorKernels implements Kernels {
    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final VectorSpecies<Float> F = speciesFromProperty();
    static final int FL = F.length();
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S256 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    /** Integer path available: 16 float lanes are native. */
    static final boolean INT8_PATH = FloatVector.SPECIES_PREFERRED.length() >= 16;

    private static VectorSpecies<Float> speciesFromProperty() {
        int bits = Integer.getInteger("sparkinfer.vector.bits", FloatVector.SPECIES_PREFERRED.vectorBitSize());
        return switch (bits) {
            case 128 -> FloatVector.SPECIES_128;
            case 256 -> FloatVector.SPECIES_256;
            case 512 -> FloatVector.SPECIES_512;
            default -> FloatVector.SPECIES_PREFERRED;
        };
    }

    @Override
    public String name() {
        return "vector-" + F.vectorBitSize() + (INT8_PATH ? "+int8" : "");
    }

    // ---------------------------------------------------------------- matmul

    @Override
    public void matmul(WeightMatrix w, float[] x, int nTokens, float[] out) {
        if (INT8_PATH && (w.type() == GGMLType.Q8_0 || w.type() == GGMLType.Q4_0)) {
            matmulInt8(w, x, nTokens, out);
        } else if (w.type() == GGMLType.F32) {
            matmulF32(w, x, nTokens, out);
        } else {
            matmulDequantized(w, x, nTokens, out);
        }
    }

    /** F32 weights read straight from the mapping. */
    private void matmulF32(WeightMatrix w, float[] x, int nTokens, float[] out) {
        final int rows = w.rows(), cols = w.cols();
        final MemorySegment seg = w.data();
        Parallel.forChunks(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                long rowAt = r * w.rowBytes();
                for (int t = 0; t < nTokens; t++) {
                    out[t * rows + r] = dotSegment(seg, rowAt, x, t * cols, cols);
                }
            }
        });
    }

    private static float dotSegment(MemorySegment seg, long at, float[] x, int xOff, int n) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * FL <= n; i += 2 * FL) {
            a0 = FloatVector.fromMemorySegment(F, seg, at + 4L * i, ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromArray(F, x, xOff + i), a0);
            a1 = FloatVector.fromMemorySegment(F, seg, at + 4L * (i + FL), ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromArray(F, x, xOff + i + FL), a1);
        }
        for (; i + FL <= n; i += FL) {
            a0 = FloatVector.fromMemorySegment(F, seg, at + 4L * i, ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromArray(F, x, xOff + i), a0);
        }
        float sum = sumLanesInOrder(a0.add(a1));
        for (; i < n; i++) {
            sum += seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED, at + 4L * i) * x[xOff + i];
        }
        return sum;
    }

    /** Other types: each row dequantized once into thread-local floats, then dotted with every token. */
    private void matmulDequantized(WeightMatrix w, float[] x, int nTokens, float[] out) {
        final int rows = w.rows(), cols = w.cols();
        Parallel.forChunks(rows, (from, to) -> {
            float[] row = rowScratch(cols);
            for (int r = from; r < to; r++) {
                TensorCodec.dequantize(w.type(), w.data(), r * w.rowBytes(), row, 0, cols);
                for (int t = 0; t < nTokens; t++) {
                    out[t * rows + r] = dot(row, 0, x, t * cols, cols);
                }
            }
        });
    }

    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] rowScratch(int n) {
        float[] a = ROW.get();
        if (a.length < n) {
            a = new float[n];
            ROW.set(a);
        }
        return a;
    }

    /**
     * Q8_0 / Q4_0: per block, two 16-lane int16 products (weights x activations for elements l and
     * l+16) added, widened to 16 float lanes and fused-multiply-added with d_w * d_x. Tiles of four
     * tokens reuse each unpacked weight block.
     */
    private void matmulInt8(WeightMatrix w, float[] x, int nTokens, float[] out) {
        final int rows = w.rows(), cols = w.cols(), blocks = cols / 32;
        QuantizedActivations xq = QuantizedActivations.scratch();
        xq.quantize(x, nTokens, cols);
        final byte[] q = xq.q;
        final float[] xs = xq.scale;
        final boolean q4 = w.type() == GGMLType.Q4_0;
        final int blockBytes = w.type().typeSize;
        final MemorySegment seg = w.data();
        Parallel.forChunks(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                long rowAt = r * w.rowBytes();
                int t = 0;
                for (; t + 4 <= nTokens; t += 4) {
                    FloatVector a0 = FloatVector.zero(F512), a1 = a0, a2 = a0, a3 = a0;
                    for (int b = 0; b < blocks; b++) {
                        long at = rowAt + (long) b * blockBytes;
                        float dw = Float.float16ToFloat(seg.get(LE_SHORT, at));
                        ShortVector wl, wh;
                        if (q4) {
                            ByteVector raw = ByteVector.fromMemorySegment(B128, seg, at + 2, ByteOrder.LITTLE_ENDIAN);
                            wl = (ShortVector) raw.and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2S, S256, 0);
                            wh = (ShortVector) raw.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F).sub((byte) 8)
                                    .convertShape(VectorOperators.B2S, S256, 0);
                        } else {
                            wl = (ShortVector) ByteVector.fromMemorySegment(B128, seg, at + 2, ByteOrder.LITTLE_ENDIAN)
                                    .convertShape(VectorOperators.B2S, S256, 0);
                            wh = (ShortVector) ByteVector.fromMemorySegment(B128, seg, at + 18, ByteOrder.LITTLE_ENDIAN)
                                    .convertShape(VectorOperators.B2S, S256, 0);
                        }
                        int xo = b * 32;
                        a0 = blockFma(wl, wh, q, t * cols + xo, dw * xs[t * blocks + b], a0);
                        a1 = blockFma(wl, wh, q, (t + 1) * cols + xo, dw * xs[(t + 1) * blocks + b], a1);
                        a2 = blockFma(wl, wh, q, (t + 2) * cols + xo, dw * xs[(t + 2) * blocks + b], a2);
                        a3 = blockFma(wl, wh, q, (t + 3) * cols + xo, dw * xs[(t + 3) * blocks + b], a3);
                    }
                    out[t * rows + r] = sumLanesInOrder(a0);
                    out[(t + 1) * rows + r] = sumLanesInOrder(a1);
                    out[(t + 2) * rows + r] = sumLanesInOrder(a2);
                    out[(t + 3) * rows + r] = sumLanesInOrder(a3);
                }
                for (; t < nTokens; t++) {
                    FloatVector a0 = FloatVector.zero(F512);
                    for (int b = 0; b < blocks; b++) {
                        long at = rowAt + (long) b * blockBytes;
                        float dw = Float.float16ToFloat(seg.get(LE_SHORT, at));
                        ShortVector wl, wh;
                        if (q4) {
                            ByteVector raw = ByteVector.fromMemorySegment(B128, seg, at + 2, ByteOrder.LITTLE_ENDIAN);
                            wl = (ShortVector) raw.and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2S, S256, 0);
                            wh = (ShortVector) raw.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F).sub((byte) 8)
                                    .convertShape(VectorOperators.B2S, S256, 0);
                        } else {
                            wl = (ShortVector) ByteVector.fromMemorySegment(B128, seg, at + 2, ByteOrder.LITTLE_ENDIAN)
                                    .convertShape(VectorOperators.B2S, S256, 0);
                            wh = (ShortVector) ByteVector.fromMemorySegment(B128, seg, at + 18, ByteOrder.LITTLE_ENDIAN)
                                    .convertShape(VectorOperators.B2S, S256, 0);
                        }
                        a0 = blockFma(wl, wh, q, t * cols + b * 32, dw * xs[t * blocks + b], a0);
                    }
                    out[t * rows + r] = sumLanesInOrder(a0);
                }
            }
        });
    }

    private static FloatVector blockFma(ShortVector wl, ShortVector wh, byte[] q, int xo, float scale, FloatVector acc) {
        ShortVector xl = (ShortVector) ByteVector.fromArray(B128, q, xo).convertShape(VectorOperators.B2S, S256, 0);
        ShortVector xh = (ShortVector) ByteVector.fromArray(B128, q, xo + 16).convertShape(VectorOperators.B2S, S256, 0);
        ShortVector p = wl.mul(xl).add(wh.mul(xh));
        FloatVector pf = (FloatVector) p.convertShape(VectorOperators.S2F, F512, 0);
        return pf.fma(FloatVector.broadcast(F512, scale), acc);
    }

    /**
     * Lane 0 + lane 1 + ... in order. {@code reduceLanes(ADD)}'s order is unspecified and does differ
     * between the interpreter and JIT-compiled code, which broke batch invariance (a cold call for
     * one token summed differently from a hot call for sixteen); the scalar twin relies on it too.
     */
    private static float sumLanesInOrder(FloatVector v) {
        float[] lanes = LANES.get();
        v.intoArray(lanes, 0);
        float s = 0f;
        for (int i = 0; i < v.length(); i++) {
            s += lanes[i];
        }
        return s;
    }

    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[64]);

    @Override
    public void dequantizeRow(WeightMatrix w, int row, float[] out, int off) {
        TensorCodec.dequantize(w.type(), w.data(), row * w.rowBytes(), out, off, w.cols());
    }

    // ---------------------------------------------------------------- element-wise

    @Override
    public void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps) {
        float ss = dot(x, xOff, x, xOff, n);
        ss /= n;
        ss += eps;
        float inv = 1.0f / (float) Math.sqrt(ss);
        int i = 0;
        for (; i + FL <= n; i += FL) {
            FloatVector.fromArray(F, x, xOff + i).mul(inv).mul(FloatVector.fromArray(F, weight, i))
                    .intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = weight[i] * (inv * x[xOff + i]);
        }
    }

    @Override
    public void rope(float[] x, int off, int ropeDim, float[] cos, float[] sin, int tableOff, boolean neox) {
        // Head dims are small (64-128): the scalar rotation is not worth vectorizing with shuffles.
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
        float max = Float.NEGATIVE_INFINITY;
        int i = 0;
        if (n >= FL) {
            FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; i + FL <= n; i += FL) {
                m = m.max(FloatVector.fromArray(F, x, off + i));
            }
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        float sum = 0f;
        for (i = 0; i < n; i++) {
            x[off + i] = (float) Math.exp(x[off + i] - max);
            sum += x[off + i];
        }
        float inv = 1f / sum;
        i = 0;
        for (; i + FL <= n; i += FL) {
            FloatVector.fromArray(F, x, off + i).mul(inv).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= inv;
        }
    }

    @Override
    public void swiglu(float[] gate, int gateOff, float[] up, int upOff, int n) {
        // The tail goes through the same vector EXP under a mask: an element's value must not depend
        // on where it falls in the array, or a batched call would differ from a single-token one.
        for (int i = 0; i < n; i += FL) {
            var m = F.indexInRange(i, n);
            FloatVector g = FloatVector.fromArray(F, gate, gateOff + i, m);
            FloatVector silu = g.div(g.neg().lanewise(VectorOperators.EXP).add(1f));
            silu.mul(FloatVector.fromArray(F, up, upOff + i, m)).intoArray(gate, gateOff + i, m);
        }
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        float sum = 0f;
        if (n >= FL) {
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
            for (; i + 2 * FL <= n; i += 2 * FL) {
                a0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), a0);
                a1 = FloatVector.fromArray(F, a, aOff + i + FL).fma(FloatVector.fromArray(F, b, bOff + i + FL), a1);
            }
            for (; i + FL <= n; i += FL) {
                a0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), a0);
            }
            sum = sumLanesInOrder(a0.add(a1));
        }
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    @Override
    public void axpy(float[] y, int yOff, float a, float[] x, int xOff, int n) {
        int i = 0;
        for (; i + FL <= n; i += FL) {
            FloatVector.fromArray(F, x, xOff + i).fma(FloatVector.broadcast(F, a), FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    @Override
    public void add(float[] y, int yOff, float[] x, int xOff, int n) {
        int i = 0;
        for (; i + FL <= n; i += FL) {
            FloatVector.fromArray(F, y, yOff + i).add(FloatVector.fromArray(F, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }
}
