package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorWidth.B;
import static io.sparkinfer.kernels.VectorWidth.F;
import static io.sparkinfer.kernels.VectorWidth.G;
import static io.sparkinfer.kernels.VectorWidth.I;
import static io.sparkinfer.kernels.VectorWidth.treeSum;

import io.sparkinfer.tensor.Q8_0Codec;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One Q8_0 weight row times one token, read straight from the weights: the decode-step
 * kernel. Each 32-element block is decoded in registers to the exact floats of
 * {@link VectorRowDecoder} ({@code q * d}: an int8 times an f16 is exact in a float) and
 * multiplied into two accumulators, even G-chunks into one and odd into the other, exactly as
 * {@link VectorFloatMatmul#dot1} does over a decoded row. So a token's result is bit-identical
 * whether it is decoded alone (this kernel) or in a batch (decoded rows and multi-token tiles).
 *
 * <p>Why floats and not integer dots on quantized activations: the Vector API has no int8 or
 * int16 dot-accumulate (VNNI / pmaddwd), and int8 x int8 products overflow int16 after two, so
 * an integer Q8_0 block dot costs more instructions than two FMAs in floats; the activations
 * keep 8 significant bits each (bfloat16, {@link Bf16Activations}: every Q8_0 kernel reads x
 * already rounded), where llama.cpp's int8 blocks keep 8 bits of the block's largest. Measured on one Zen 5 core: 17 GB/s of Q8_0 weights for
 * both kernels on decode, but 1.4x the throughput on prefill tiles. (Q4_0 x int8 products are
 * small enough to sum a whole block in int16: {@link VectorQ4Dot}.)
 */
final class VectorQuantDot {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final int QK = 32;

    private VectorQuantDot() {
    }

    private static final VectorSpecies<Short> SCALE = ShortVector.SPECIES_64;

    /**
     * The block's f16 scale as a float. Read with a vector load (lane 0 of 4 shorts) rather than
     * {@code MemorySegment.get}: vector loads skip their bounds check in the launchers
     * ({@code VECTOR_ACCESS_OOB_CHECK=0}), scalar segment reads never do, and the check per block
     * per row showed up in decode profiles. The 8 bytes read stay inside the block's 18 or 34.
     */
    static float scale(MemorySegment w, long blk) {
        w = NativeSegments.pin(w);
        return Float.float16ToFloat(ShortVector.fromMemorySegment(SCALE, w, blk, LE).lane(0));
    }

    /**
     * Row at {@code base} (cols / 32 blocks) dotted with x[x0 .. x0 + cols). lanes, here and in
     * the kernels below: a scratch for the lane sums (G floats per result of one call), which
     * take the vectors stored ({@link VectorWidth#treeSum(float[], int)}).
     */
    static float q8_0(MemorySegment w, long base, float[] x, int x0, int cols, float[] lanes) {
        w = NativeSegments.pin(w);
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int nb = cols / QK;
        for (int b = 0; b < nb; b++) {
            long blk = base + (long) b * Q8_0Codec.BYTES;
            float d = scale(w, blk);
            int xb = x0 + b * QK;
            for (int k = 0; k < QK; k += 2 * G) {
                FloatVector w0 = ((FloatVector) ByteVector.fromMemorySegment(B, w, blk + Q8_0Codec.QS + k, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d);
                FloatVector w1 = ((FloatVector) ByteVector.fromMemorySegment(B, w, blk + Q8_0Codec.QS + k + G, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d);
                a0 = w0.fma(FloatVector.fromArray(F, x, xb + k), a0);
                a1 = w1.fma(FloatVector.fromArray(F, x, xb + k + G), a1);
            }
        }
        a0.add(a1).intoArray(lanes, 0);
        return treeSum(lanes, 0);
    }

    /**
     * Two Q8_0 rows (at base0 and base1) times one token: each row's chains are exactly those of
     * {@link #q8_0}, but the activation loads and the loop are shared by the two rows.
     * Results go to out[o0] and out[o1].
     */
    static void q8_0x2(MemorySegment w, long base0, long base1, float[] x, int x0, int cols, float[] out, int o0,
                       int o1, float[] lanes) {
        w = NativeSegments.pin(w);
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        int nb = cols / QK;
        for (int b = 0; b < nb; b++) {
            long blk0 = base0 + (long) b * Q8_0Codec.BYTES;
            long blk1 = base1 + (long) b * Q8_0Codec.BYTES;
            float d0 = scale(w, blk0);
            float d1 = scale(w, blk1);
            int xb = x0 + b * QK;
            for (int k = 0; k < QK; k += 2 * G) {
                FloatVector y0 = FloatVector.fromArray(F, x, xb + k);
                FloatVector y1 = FloatVector.fromArray(F, x, xb + k + G);
                a0 = ((FloatVector) ByteVector.fromMemorySegment(B, w, blk0 + Q8_0Codec.QS + k, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d0).fma(y0, a0);
                a1 = ((FloatVector) ByteVector.fromMemorySegment(B, w, blk0 + Q8_0Codec.QS + k + G, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d0).fma(y1, a1);
                b0 = ((FloatVector) ByteVector.fromMemorySegment(B, w, blk1 + Q8_0Codec.QS + k, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d1).fma(y0, b0);
                b1 = ((FloatVector) ByteVector.fromMemorySegment(B, w, blk1 + Q8_0Codec.QS + k + G, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d1).fma(y1, b1);
            }
        }
        a0.add(a1).intoArray(lanes, 0);
        b0.add(b1).intoArray(lanes, G);
        out[o0] = treeSum(lanes, 0);
        out[o1] = treeSum(lanes, G);
    }

    /**
     * Two Q8_0 rows (at base0 and base1) times four tokens (aligned activations at float x0,
     * x0 + xs, x0 + 2 xs, x0 + 3 xs): the small-batch kernel. Each block is decoded in registers
     * once for the four tokens, so the weights are neither stored nor read back (a decoded-row
     * tile at 8 tokens spends as long decoding as multiplying), and the DRAM reads of the rows
     * interleave with the FMAs. Per (row, token) the chains are exactly those of {@link #q8_0}.
     * Row k's result for token t goes to out[ok + t * stride].
     */
    static void q8_0x2x4(MemorySegment w, long base0, long base1, MemorySegment x, long x0, long xs, int cols,
                         float[] out, int o0, int o1, int stride, float[] lanes) {
        w = NativeSegments.pin(w);
        x = NativeSegments.pin(x);
        long x1 = x0 + xs;
        long x2 = x1 + xs;
        long x3 = x2 + xs;
        // Row 0: a..d (tokens 0..3), row 1: e..h; even G-chunks in *0, odd in *1.
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        FloatVector e0 = a0, e1 = a0, f0 = a0, f1 = a0, g0 = a0, g1 = a0, h0 = a0, h1 = a0;
        int nb = cols / QK;
        for (int b = 0; b < nb; b++) {
            long blk0 = base0 + (long) b * Q8_0Codec.BYTES;
            long blk1 = base1 + (long) b * Q8_0Codec.BYTES;
            float s0 = scale(w, blk0);
            float s1 = scale(w, blk1);
            long xb = (long) b * QK;
            for (int k = 0; k < QK; k += 2 * G) {
                FloatVector u = ((FloatVector) ByteVector.fromMemorySegment(B, w, blk0 + Q8_0Codec.QS + k, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(s0);
                FloatVector v = ((FloatVector) ByteVector.fromMemorySegment(B, w, blk1 + Q8_0Codec.QS + k, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(s1);
                FloatVector y = FloatVector.fromMemorySegment(F, x, (x0 + xb + k) * 4L, NATIVE);
                a0 = u.fma(y, a0);
                e0 = v.fma(y, e0);
                y = FloatVector.fromMemorySegment(F, x, (x1 + xb + k) * 4L, NATIVE);
                b0 = u.fma(y, b0);
                f0 = v.fma(y, f0);
                y = FloatVector.fromMemorySegment(F, x, (x2 + xb + k) * 4L, NATIVE);
                c0 = u.fma(y, c0);
                g0 = v.fma(y, g0);
                y = FloatVector.fromMemorySegment(F, x, (x3 + xb + k) * 4L, NATIVE);
                d0 = u.fma(y, d0);
                h0 = v.fma(y, h0);
                long j = xb + k + G;
                u = ((FloatVector) ByteVector.fromMemorySegment(B, w, blk0 + Q8_0Codec.QS + k + G, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(s0);
                v = ((FloatVector) ByteVector.fromMemorySegment(B, w, blk1 + Q8_0Codec.QS + k + G, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(s1);
                y = FloatVector.fromMemorySegment(F, x, (x0 + j) * 4L, NATIVE);
                a1 = u.fma(y, a1);
                e1 = v.fma(y, e1);
                y = FloatVector.fromMemorySegment(F, x, (x1 + j) * 4L, NATIVE);
                b1 = u.fma(y, b1);
                f1 = v.fma(y, f1);
                y = FloatVector.fromMemorySegment(F, x, (x2 + j) * 4L, NATIVE);
                c1 = u.fma(y, c1);
                g1 = v.fma(y, g1);
                y = FloatVector.fromMemorySegment(F, x, (x3 + j) * 4L, NATIVE);
                d1 = u.fma(y, d1);
                h1 = v.fma(y, h1);
            }
        }
        a0.add(a1).intoArray(lanes, 0);
        b0.add(b1).intoArray(lanes, G);
        c0.add(c1).intoArray(lanes, 2 * G);
        d0.add(d1).intoArray(lanes, 3 * G);
        e0.add(e1).intoArray(lanes, 4 * G);
        f0.add(f1).intoArray(lanes, 5 * G);
        g0.add(g1).intoArray(lanes, 6 * G);
        h0.add(h1).intoArray(lanes, 7 * G);
        out[o0] = treeSum(lanes, 0);
        out[o0 + stride] = treeSum(lanes, G);
        out[o0 + 2 * stride] = treeSum(lanes, 2 * G);
        out[o0 + 3 * stride] = treeSum(lanes, 3 * G);
        out[o1] = treeSum(lanes, 4 * G);
        out[o1 + stride] = treeSum(lanes, 5 * G);
        out[o1 + 2 * stride] = treeSum(lanes, 6 * G);
        out[o1 + 3 * stride] = treeSum(lanes, 7 * G);
    }
}
