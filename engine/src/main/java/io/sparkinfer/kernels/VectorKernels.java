package io.sparkinfer.kernels;

import static io.sparkinfer.kernels.VectorWidth.F;
import static io.sparkinfer.kernels.VectorWidth.G;
import static io.sparkinfer.kernels.VectorWidth.treeSum;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * The Vector API kernels, method for method the twin of {@link ScalarKernels}.
 *
 * <p>Agreement with the scalar reference: element-wise kernels (axpy, add, rope, the rmsnorm
 * multiply, dequantizeRow) are bit-identical; reductions (dot, rmsnorm's sum of squares, softmax's
 * sum, matmuls of every weight type) differ only in float summation order: matmuls multiply the
 * exactly decoded weights ({@link VectorRowDecoder}, {@link VectorQuantDot}) with the float
 * activations, rounded to bfloat16 first for Q8_0 ({@link Bf16Activations#roundsFor}); Q4_0,
 * Q4_K and Q6_K both tiers multiply as integers on int8 activations ({@link VectorQ4Dot}, {@link
 * VectorQ4KDot}, {@link VectorQ6KDot}; {@link ScalarKernels#q4_0Matmul}, {@link
 * ScalarKernels#q4_KMatmul}, {@link ScalarKernels#q6_KMatmul}); exp (softmax, swiglu) is {@link
 * DeterministicExp}, identical in vector lanes, scalar tails and every JIT tier. Float lane sums are a fixed tree
 * ({@link VectorWidth#treeSum(float[], int)}), never {@code reduceLanes(ADD)}, so every result is reproducible
 * run to run and independent of batch and thread count.
 */
public final class VectorKernels implements Kernels {
    private final Parallel parallel;
    /** Per thread (caller or worker): decoded weight rows, copied activations, a raw row and a G-float lane buffer. */
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    public VectorKernels() {
        this(Parallel.shared());
    }

    public VectorKernels(Parallel parallel) {
        this.parallel = parallel;
    }

    /** Bits of the CPU's preferred vector species; KernelsProvider falls back to scalar below 256. */
    public static int preferredBits() {
        return VectorWidth.PREFERRED_BITS;
    }

    @Override
    public String name() {
        return "vector-" + VectorWidth.BITS;
    }

    private static final class Scratch {
        /** Decoded weight rows for the tiles. */
        final AlignedFloats rows = new AlignedFloats();
        /** This thread's activations, copied for the tiles when it calls a matmul (workers read them). */
        final AlignedFloats activations = new AlignedFloats();
        float[] tmp = new float[0];
        byte[] bytes = new byte[0];
        /** Lane sums' scratch ({@link VectorWidth#treeSum(float[], int)}): the tiles' 12 vectors. */
        final float[] lanes = new float[VectorFloatMatmul.LANES];
        /** This thread's activations quantized for the Q4_0 dots (workers read the caller's). */
        final AlignedFloats quantized = new AlignedFloats();
        /**
         * A copy of the input last quantized into {@link #quantized} (tokens x cols floats), or
         * cols = -1: q/k/v and gate/up multiply the same input, which is then quantized once.
         */
        float[] quantizedInput = new float[0];
        int quantizedTokens;
        int quantizedCols = -1;
        /** {@link #quantized} spread for bundled rows ({@link RowBundles#spread}), of spreadCols columns or -1. */
        final AlignedFloats spread = new AlignedFloats();
        int spreadTokens;
        int spreadCols = -1;
        final int[] spreadGroup = new int[RowBundles.SPREAD_INTS];
        /** Scratch of {@link Q8Activations#quantize}: block rows, a transpose tile, one block. */
        final int[] quantizeInts = new int[Q8Activations.SCRATCH_INTS];
        final byte[] steps = new byte[Q4_0Interleaved.STEPS * 2 * Q4_0Interleaved.BLOCKS * Short.BYTES];

        /** Activations rounded to bfloat16 for the Q8_0 kernels ({@link Bf16Activations}). */
        float[] rounded = new float[0];
        /** Their packing for the tiles ({@link Bf16Activations#pack}). */
        final AlignedFloats packed = new AlignedFloats();

        float[] rounded(int n) {
            if (rounded.length < n) {
                rounded = new float[n];
            }
            return rounded;
        }

        byte[] bytes(int n) {
            if (bytes.length < n) {
                bytes = new byte[n];
            }
            return bytes;
        }

        float[] tmp(int n) {
            if (tmp.length < n) {
                tmp = new float[n];
            }
            return tmp;
        }
    }

    @Override
    public void matmul(WeightMatrix matrix, float[] x, int nTokens, float[] out) {
        MatmulChecks.check(matrix, x, nTokens, out);
        if (nTokens == 0) {
            return;
        }
        WeightMatrix w = plainNative(matrix);
        if (integer(w.type())) {
            integerMatmul(w, x, nTokens, out);
            return;
        }
        Scratch caller = scratch.get();
        // Q8_0 multiplies activations rounded to bfloat16 in every kernel
        // (Bf16Activations): the tiles then read them packed, at half the bytes.
        boolean bf16 = Bf16Activations.roundsFor(w.type());
        float[] xr = x;
        if (bf16) {
            xr = caller.rounded(nTokens * w.cols());
            Bf16Activations.round(x, nTokens * w.cols(), xr);
        }
        float[] xv = xr;
        if (VectorFloatMatmul.fused(w, nTokens)) {
            parallel.run(w.rows(), (from, to) ->
                    VectorFloatMatmul.fusedRows(w, xv, null, nTokens, out, from, to, scratch.get().lanes));
            return;
        }
        MemorySegment xs = caller.activations.copyRows(xv, nTokens, w.cols());
        if (VectorFloatMatmul.smallBatch(w, nTokens)) {
            parallel.run(w.rows(), (from, to) ->
                    VectorFloatMatmul.fusedRows(w, xv, xs, nTokens, out, from, to, scratch.get().lanes));
            return;
        }
        MemorySegment xp = null;
        if (bf16) {
            xp = caller.packed.atLeast((long) nTokens * Bf16Activations.strideInts(w.cols()));
            Bf16Activations.pack(xv, nTokens, w.cols(), xp);
        }
        MemorySegment xpv = xp;
        long rowFloats = 3L * AlignedFloats.stride(w.cols());
        parallel.run(w.rows(), (from, to) -> {
            Scratch s = scratch.get();
            VectorFloatMatmul.tiledRows(w, xs, xpv, nTokens, out, from, to, s.rows.atLeast(rowFloats),
                    s.tmp(w.cols()), s.bytes((int) w.rowBytes()), s.lanes);
        });
    }

    /**
     * Whether {@link #prepare} copies the other matmul weights out of the file mapping into
     * huge-page native memory ({@link LargePages}). Measured on a 1B Q8_0 (3 rounds, same
     * minutes): decode 27-31 vs 17-23 tok/s, prefill 92-101 vs 65-87: streaming 1.3 GB through
     * 4 KiB pages of the page cache costs TLB misses that 2 MiB pages do not. The price is the
     * model's size in native memory (the mapping's page cache can be reclaimed);
     * {@code -Dsparkinfer.weights.copy=false} keeps the weights zero-copy in the mapping. Read at
     * each load (Spark executors set it from {@code spark.sparkinfer.weights.copy}).
     */
    static boolean copyWeights() {
        return Boolean.parseBoolean(System.getProperty("sparkinfer.weights.copy", "true"));
    }

    /**
     * The integer types: re-laid for the integer dots into {@link WeightMatrix#packed()} ({@link
     * Q4_0Interleaved} and {@link LegacyFiveBits}: the size of the ggml rows; {@link
     * Q4_KInterleaved}: 19 bytes per 32 weights against 18; {@link Q5_KInterleaved}: 23 against
     * 22; {@link Q6_KInterleaved}, Q6_K: 27 against 26.25), on huge pages. Other types: copied
     * to huge pages ({@link #copyWeights}).
     */
    @Override
    public WeightMatrix prepare(WeightMatrix w) {
        if (w.packed() != null) {
            return w;
        }
        if (integer(w.type()) && VectorQ4Dot.SUPPORTED) {
            return plainNative(w).withPacked(pack(w));
        }
        if (copyWeights()) {
            return new WeightMatrix(w.name(), w.type(), w.rows(), w.cols(), LargePages.copyOf(w.data()));
        }
        return plainNative(w);
    }

    /**
     * w with its rows in plain native memory, the one kind of segment the kernels take ({@link
     * NativeSegments}): a model's weights are already (from {@code MappedFile}, or copied by
     * {@link #prepare}); a matrix built on the Java heap ({@code TensorCodec.quantize}, in tests)
     * is copied, once by {@link #prepare} or for each call that gets it unprepared.
     */
    private static WeightMatrix plainNative(WeightMatrix w) {
        if (NativeSegments.isPlainNative(w.data())) {
            return w;
        }
        MemorySegment copy = Arena.ofAuto().allocate(w.data().byteSize(), AlignedFloats.ALIGN);
        copy.copyFrom(w.data());
        return new WeightMatrix(w.name(), w.type(), w.rows(), w.cols(), copy, w.packed());
    }

    /** Whether type multiplies as integers on int8 activations ({@link VectorQ4Matmul}). */
    private static boolean integer(GGMLType type) {
        return switch (type) {
            case Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    /** w re-laid for its integer kernels: as {@link RowBundles} where they apply, else row by row. */
    private static MemorySegment pack(WeightMatrix w) {
        return packRows(RowBundles.applies(w.type(), w.cols()) ? RowBundles.virtual(w) : w);
    }

    private static MemorySegment packRows(WeightMatrix w) {
        return switch (w.type()) {
            case Q4_K -> Q4_KInterleaved.pack(w);
            case Q6_K, Q3_K, Q2_K -> Q6_KInterleaved.pack(w);
            case Q5_K -> Q5_KInterleaved.pack(w);
            case Q5_0, Q5_1, Q4_1 -> LegacyFiveBits.pack(w);
            default -> Q4_0Interleaved.pack(w);
        };
    }

    /**
     * Q4_0, Q4_K and Q6_K, as integer dots on int8 activations: the caller quantizes the activations
     * (spread over the pool when there are several tokens), then the rows are split among
     * threads. An unprepared matrix is packed for the call.
     */
    private void integerMatmul(WeightMatrix w, float[] x, int nTokens, float[] out) {
        if (!VectorQ4Dot.SUPPORTED) {
            switch (w.type()) {
                case Q4_K -> ScalarKernels.q4_KMatmul(w, x, nTokens, out, parallel);
                case Q6_K, Q3_K, Q2_K -> ScalarKernels.q6_KMatmul(w, x, nTokens, out, parallel);
                case Q5_K -> ScalarKernels.q5_KMatmul(w, x, nTokens, out, parallel);
                case Q5_0, Q5_1, Q4_1 -> ScalarKernels.legacyMatmul(w, x, nTokens, out, parallel);
                default -> ScalarKernels.q4_0Matmul(w, x, nTokens, out, parallel);
            }
            return;
        }
        MemorySegment packed = w.packed() != null ? w.packed() : pack(w);
        int rows = w.rows();
        GGMLType type = w.type();
        boolean bundled = RowBundles.applies(type, w.cols());
        // Bundled: the kernels run over RowBundles' virtual rows, on activations spread to match.
        int packedRows = bundled ? RowBundles.bundles(rows) : rows;
        int cols = bundled ? RowBundles.virtualCols(w.cols()) : w.cols();
        if (packed.byteSize() < packedRows * VectorQ4Matmul.rowBytes(type, cols)) {
            throw new IllegalArgumentException(w.name() + ": packed copy has " + packed.byteSize()
                    + " bytes, not the " + type + " interleaved layout of " + packedRows + " x " + cols);
        }
        MemorySegment xk = activations(scratch.get(), x, nTokens, w.cols(), bundled);
        parallel.run(packedRows, (from, to) -> VectorQ4Matmul.rows(packed, type, rows, cols, xk, nTokens, out,
                from, to, scratch.get().rows.atLeast(VectorQ4Matmul.accFloats(type, cols)), bundled));
    }

    /**
     * x quantized for the integer dots in the caller's scratch and, for bundled rows, spread to
     * match them ({@link RowBundles#spread}), both in one pass over the tokens (one parallel
     * region, not two). Each is reused while x holds the same floats as the last call's input
     * (q/k/v and gate/up multiply the same input; a vectorized compare of n x cols floats costs
     * far less than quantizing them again).
     */
    private MemorySegment activations(Scratch caller, float[] x, int nTokens, int cols, boolean bundled) {
        int n = nTokens * cols;
        MemorySegment xq = caller.quantized.atLeast(floatsFor(nTokens * Q8Activations.tokenBytes(cols)));
        boolean quantize = caller.quantizedCols != cols || caller.quantizedTokens != nTokens
                || !Arrays.equals(caller.quantizedInput, 0, n, x, 0, n);
        if (quantize) {
            caller.quantizedCols = -1;
            caller.spreadCols = -1;
        }
        boolean spread = bundled && (caller.spreadCols != cols || caller.spreadTokens != nTokens);
        MemorySegment xs = bundled
                ? caller.spread.atLeast(floatsFor(nTokens * Q8Activations.tokenBytes(RowBundles.virtualCols(cols))))
                : null;
        if (quantize || spread) {
            Parallel.Chunk work = (from, to) -> {
                Scratch s = scratch.get();
                if (quantize) {
                    Q8Activations.quantize(x, cols, from, to, xq, s.quantizeInts, s.steps);
                }
                if (spread) {
                    RowBundles.spread(xq, cols, from, to, xs, s.spreadGroup);
                }
            };
            if (nTokens == 1) {
                work.run(0, 1);
            } else {
                parallel.run(nTokens, work);
            }
        }
        if (quantize) {
            if (caller.quantizedInput.length < n) {
                caller.quantizedInput = new float[n];
            }
            System.arraycopy(x, 0, caller.quantizedInput, 0, n);
            caller.quantizedTokens = nTokens;
            caller.quantizedCols = cols;
        }
        if (spread) {
            caller.spreadTokens = nTokens;
            caller.spreadCols = cols;
        }
        return bundled ? xs : xq;
    }

    private static long floatsFor(long bytes) {
        return (bytes + Float.BYTES - 1) / Float.BYTES;
    }

    @Override
    public void dequantizeRow(WeightMatrix matrix, int row, float[] out, int off) {
        MatmulChecks.checkRow(matrix, row, out, off);
        WeightMatrix w = plainNative(matrix);
        Scratch s = scratch.get();
        MemorySegment decoded = s.rows.atLeast(w.cols());
        VectorRowDecoder.decode(w.type(), w.data(), row * w.rowBytes(), decoded, 0, w.cols(), s.tmp(w.cols()),
                s.bytes((int) w.rowBytes()));
        MemorySegment.copy(decoded, AlignedFloats.FLOAT, 0, out, off, w.cols());
    }

    @Override
    public void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps) {
        float ss = sumOfSquares(x, xOff, n);
        float scale = (float) (1.0 / Math.sqrt(ss / n + eps));
        int i = 0;
        for (; i < F.loopBound(n); i += G) {
            FloatVector xv = FloatVector.fromArray(F, x, xOff + i);
            FloatVector.fromArray(F, weight, i).mul(xv.mul(scale)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = weight[i] * (scale * x[xOff + i]);
        }
    }

    private float sumOfSquares(float[] x, int off, int n) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int i = 0;
        int bound2 = n - n % (2 * G);
        for (; i < bound2; i += 2 * G) {
            FloatVector v0 = FloatVector.fromArray(F, x, off + i);
            FloatVector v1 = FloatVector.fromArray(F, x, off + i + G);
            a0 = v0.fma(v0, a0);
            a1 = v1.fma(v1, a1);
        }
        for (; i < F.loopBound(n); i += G) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            a0 = v.fma(v, a0);
        }
        float[] lanes = scratch.get().lanes;
        a0.add(a1).intoArray(lanes, 0);
        float s = treeSum(lanes, 0);
        for (; i < n; i++) {
            s += x[off + i] * x[off + i];
        }
        return s;
    }

    /** Lane k of a vector of interleaved pairs takes pair k / 2's cos and sin. */
    private static final VectorShuffle<Float> PAIR_OF_LANE = VectorShuffle.fromOp(F, k -> k / 2);
    /** The lanes that hold the G / 2 pairs' cos or sin before {@link #PAIR_OF_LANE} spreads them. */
    private static final VectorMask<Float> LOW_HALF = F.indexInRange(0, G / 2);
    /** -1 in a pair's first lane: {@code x0 c - x1 s}, then {@code x1 c + x0 s}. */
    private static final FloatVector PAIR_SIGNS = FloatVector.fromArray(F, pairSigns(), 0);

    private static float[] pairSigns() {
        float[] signs = new float[G];
        for (int k = 0; k < G; k++) {
            signs[k] = k % 2 == 0 ? -1f : 1f;
        }
        return signs;
    }

    /**
     * NEOX pairs (i, i + half) are two contiguous runs, so they vectorize directly. NORMAL pairs
     * (2i, 2i + 1; the llama family's) are interleaved: G / 2 of them per vector, each pair's cos
     * and sin spread to its two lanes and x's lanes swapped within pairs; scalar, they took 5% of
     * SmolLM2-135M's prefill (30 layers of 12 heads of 64, session 18). Either way the arithmetic
     * is the scalar kernel's: two products rounded, then added (a negated product is exact).
     */
    @Override
    public void rope(float[] x, int off, int ropeDim, float[] cos, float[] sin, int tableOff, boolean neox) {
        int half = ropeDim / 2;
        int i = 0;
        if (neox) {
            for (; i < F.loopBound(half); i += G) {
                FloatVector c = FloatVector.fromArray(F, cos, tableOff + i);
                FloatVector s = FloatVector.fromArray(F, sin, tableOff + i);
                FloatVector x0 = FloatVector.fromArray(F, x, off + i);
                FloatVector x1 = FloatVector.fromArray(F, x, off + i + half);
                x0.mul(c).sub(x1.mul(s)).intoArray(x, off + i);
                x0.mul(s).add(x1.mul(c)).intoArray(x, off + i + half);
            }
        } else {
            for (; i + G / 2 <= half; i += G / 2) {
                FloatVector c = FloatVector.fromArray(F, cos, tableOff + i, LOW_HALF).rearrange(PAIR_OF_LANE);
                FloatVector s = FloatVector.fromArray(F, sin, tableOff + i, LOW_HALF).rearrange(PAIR_OF_LANE)
                        .mul(PAIR_SIGNS);
                FloatVector v = FloatVector.fromArray(F, x, off + 2 * i);
                v.mul(c).add(v.rearrange(VectorWidth.XOR1).mul(s)).intoArray(x, off + 2 * i);
            }
        }
        ScalarKernels.ropePairs(x, off, half, i, cos, sin, tableOff, neox);
    }

    @Override
    public void softmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        int i = 0;
        if (n >= G) {
            FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; i < F.loopBound(n); i += G) {
                // The fresh vector is the receiver, the loop-carried m an argument: a call on m
                // was bound by the JDK's own FloatVector.max profile, which had none here (a
                // virtual call, the vectors boxed; see VectorQ4Dot.SHORTS). max is exact either way.
                m = FloatVector.fromArray(F, x, off + i).max(m);
            }
            max = m.reduceLanes(VectorOperators.MAX); // max is exact in any order
        }
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        DeterministicExp.exp(x, off, 1f, max, x, off, n);
        // The sum of the exps as before the exp left this loop: whole vectors into one
        // accumulator, its tree, then the tail in order.
        FloatVector acc = FloatVector.zero(F);
        i = 0;
        for (; i < F.loopBound(n); i += G) {
            acc = FloatVector.fromArray(F, x, off + i).add(acc); // as m above; addition commutes exactly
        }
        float[] lanes = scratch.get().lanes;
        acc.intoArray(lanes, 0);
        float sum = treeSum(lanes, 0);
        for (; i < n; i++) {
            sum += x[off + i];
        }
        float inv = 1f / sum;
        i = 0;
        for (; i < F.loopBound(n); i += G) {
            FloatVector.fromArray(F, x, off + i).mul(inv).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= inv;
        }
    }

    /** Floats of gate per {@link #swiglu} chunk: exp(-g) of a chunk goes to scratch, then is used from L1. */
    private static final int SWIGLU_CHUNK = 1024;

    @Override
    public void swiglu(float[] gate, int gateOff, float[] up, int upOff, int n) {
        float[] e = scratch.get().tmp(SWIGLU_CHUNK);
        for (int c = 0; c < n; c += SWIGLU_CHUNK) {
            int len = Math.min(SWIGLU_CHUNK, n - c);
            int go = gateOff + c;
            int uo = upOff + c;
            DeterministicExp.exp(gate, go, -1f, 0f, e, 0, len);
            int i = 0;
            for (; i < F.loopBound(len); i += G) {
                FloatVector g = FloatVector.fromArray(F, gate, go + i);
                FloatVector sig = FloatVector.fromArray(F, e, i).add(1f);
                g.div(sig).mul(FloatVector.fromArray(F, up, uo + i)).intoArray(gate, go + i);
            }
            for (; i < len; i++) {
                gate[go + i] = gate[go + i] / (e[i] + 1f) * up[uo + i];
            }
        }
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = n - n % G;
        float sum = 0f;
        if (n >= G) {
            float[] lanes = scratch.get().lanes;
            preSum(a, aOff, b, bOff, n, lanes, 0);
            sum = treeSum(lanes, 0);
        }
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /**
     * The dot of a and b over their first {@code n - n % G} elements before its lane sum: four
     * accumulators (elements i, i + G, i + 2G, i + 3G of each 4G), then any whole vector left into
     * the first, added as {@code (s0 + s1) + (s2 + s3)}, stored at out[at ..) (G floats; a vector
     * returned from a method that is not inlined is boxed). {@link #dot} sums it with {@code
     * treeSum}; {@link VectorAttention} folds G of them at once with the same additions.
     */
    static void preSum(float[] a, int aOff, float[] b, int bOff, int n, float[] out, int at) {
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = FloatVector.zero(F);
        FloatVector s2 = FloatVector.zero(F);
        FloatVector s3 = FloatVector.zero(F);
        int i = 0;
        int bound4 = n - n % (4 * G);
        for (; i < bound4; i += 4 * G) {
            s0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), s0);
            s1 = FloatVector.fromArray(F, a, aOff + i + G).fma(FloatVector.fromArray(F, b, bOff + i + G), s1);
            s2 = FloatVector.fromArray(F, a, aOff + i + 2 * G).fma(FloatVector.fromArray(F, b, bOff + i + 2 * G), s2);
            s3 = FloatVector.fromArray(F, a, aOff + i + 3 * G).fma(FloatVector.fromArray(F, b, bOff + i + 3 * G), s3);
        }
        for (; i < F.loopBound(n); i += G) {
            s0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), s0);
        }
        s0.add(s1).add(s2.add(s3)).intoArray(out, at);
    }

    @Override
    public void attend(float[] q, int qOff, float[] keys, float[] values, int kvOff, int kvStride, int n,
                       int heads, int headDim, float sqrtHeadDim, float[] scores, float[] out, int outOff) {
        if (VectorAttention.supports(headDim)) {
            VectorAttention.attend(this, q, qOff, keys, values, kvOff, kvStride, n, heads, headDim, sqrtHeadDim,
                    scores, out, outOff);
        } else {
            Kernels.super.attend(q, qOff, keys, values, kvOff, kvStride, n, heads, headDim, sqrtHeadDim,
                    scores, out, outOff);
        }
    }

    @Override
    public void axpy(float[] y, int yOff, float a, float[] x, int xOff, int n) {
        int i = 0;
        for (; i < F.loopBound(n); i += G) {
            FloatVector.fromArray(F, y, yOff + i).add(FloatVector.fromArray(F, x, xOff + i).mul(a))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    @Override
    public void add(float[] y, int yOff, float[] x, int xOff, int n) {
        int i = 0;
        for (; i < F.loopBound(n); i += G) {
            FloatVector.fromArray(F, y, yOff + i).add(FloatVector.fromArray(F, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }
}
