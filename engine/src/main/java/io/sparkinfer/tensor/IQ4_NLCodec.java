package io.sparkinfer.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.stream.IntStream;

/**
 * ggml IQ4_NL: blocks of 32 elements, 18 bytes: {@code d} (fp16), then 16 bytes of 4-bit indices
 * (element l in the low nibble of byte l, element l + 16 in its high nibble, as Q4_0) into a
 * fixed non-linear table of int8 levels, {@link #LEVELS}: element = {@code d * LEVELS[index]}.
 * llama.cpp writes it into Q3_K_M / IQ files for the matrices whose rows are not whole
 * 256-element super-blocks (SmolLM2-135M, Qwen2.5-0.5B: most of their weights).
 *
 * <p>The levels are int8 and a block has one f16 scale, so a block is exactly a Q8_0 block
 * with the same d: {@link #asQ8_0} re-encodes a matrix losslessly (IQ4_XS, whose sub-blocks
 * share these levels, to within f16 rounding of its scales), and the model multiplies it with
 * the Q8_0 kernels (8.5 bits per weight in memory against 4.5 or 4.25).
 */
public final class IQ4_NLCodec {
    public static final int BLOCK = 32;
    public static final int BYTES = 18;
    /** ggml's kvalues_iq4nl. */
    static final int[] LEVELS = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    private IQ4_NLCodec() {
    }

    /** The int8 level of element e (0..31) of the 16 index bytes at qs (an IQ4_NL block's from o + 2). */
    public static int level(MemorySegment src, long qs, int e) {
        int b = src.get(Layouts.I8, qs + e % 16) & 0xff;
        return LEVELS[e < 16 ? b & 0x0f : b >>> 4];
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int n) {
        Layouts.checkBlocks("IQ4_NL", n, BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            long o = off + (long) b * BYTES;
            float d = Float.float16ToFloat(src.get(Layouts.I16, o));
            for (int e = 0; e < BLOCK; e++) {
                dst[dstOff + b * BLOCK + e] = d * level(src, o + 2, e);
            }
        }
    }

    /**
     * A simple reference quantizer (not ggml's search over scales): d = -amax / 127 when the
     * largest magnitude is negative, else amax / 113 (the table's ends), then each element to its
     * nearest level.
     */
    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        Layouts.checkBlocks("IQ4_NL", n, BLOCK);
        for (int b = 0; b < n / BLOCK; b++) {
            int s = srcOff + b * BLOCK;
            long o = dstOff + (long) b * BYTES;
            float max = 0f;
            for (int e = 0; e < BLOCK; e++) {
                if (Math.abs(src[s + e]) > Math.abs(max)) {
                    max = src[s + e];
                }
            }
            float d = Float.float16ToFloat(Float.floatToFloat16(max < 0 ? -max / 127 : max / 113));
            dst.set(Layouts.I16, o, Float.floatToFloat16(d));
            for (int l = 0; l < 16; l++) {
                int lo = nearest(d == 0f ? 0f : src[s + l] / d);
                int hi = nearest(d == 0f ? 0f : src[s + l + 16] / d);
                dst.set(Layouts.I8, o + 2 + l, (byte) (lo | hi << 4));
            }
        }
    }

    static int nearest(float v) {
        int best = 0;
        for (int i = 1; i < LEVELS.length; i++) {
            if (Math.abs(LEVELS[i] - v) < Math.abs(LEVELS[best] - v)) {
                best = i;
            }
        }
        return best;
    }

    /**
     * An IQ4_NL or IQ4_XS matrix as Q8_0, in native memory: per 32 elements the levels as int8
     * values and the block's scale as Q8_0's f16 d. IQ4_NL's d is an f16: exact. IQ4_XS's is
     * {@code d * (ls - 32)}, rounded to f16 here: within half an f16 ulp (2^-11 relative, more
     * only for scales below f16's normal range, 6.1e-5), far below the 4-bit levels' own error
     * and the bfloat16 rounding the Q8_0 kernels apply to activations.
     */
    public static WeightMatrix asQ8_0(WeightMatrix w) {
        if (w.type() != GGMLType.IQ4_NL && w.type() != GGMLType.IQ4_XS) {
            throw new IllegalArgumentException(w.name() + ": not IQ4_NL or IQ4_XS but " + w.type());
        }
        long outRow = GGMLType.Q8_0.byteSize(w.cols());
        MemorySegment out = Arena.ofAuto().allocate(outRow * w.rows(), 64);
        // Row by row through byte arrays, in parallel: load time is what a Spark task waits for.
        IntStream.range(0, w.rows()).parallel().forEach(r -> {
            byte[] src = new byte[Math.toIntExact(w.rowBytes())];
            byte[] dst = new byte[Math.toIntExact(outRow)];
            MemorySegment.copy(w.data(), Layouts.I8, r * w.rowBytes(), src, 0, src.length);
            rowAsQ8_0(w.type(), src, dst, w.cols() / BLOCK);
            MemorySegment.copy(dst, 0, out, Layouts.I8, r * outRow, dst.length);
        });
        return new WeightMatrix(w.name(), GGMLType.Q8_0, w.rows(), w.cols(), out);
    }

    /** One row of {@code blocks} 32-element blocks of type (IQ4_NL or IQ4_XS) as Q8_0 blocks into dst. */
    private static void rowAsQ8_0(GGMLType type, byte[] src, byte[] dst, int blocks) {
        MemorySegment seg = MemorySegment.ofArray(src);
        for (int b = 0; b < blocks; b++) {
            int qs; // the block's 16 index bytes
            short d;
            if (type == GGMLType.IQ4_XS) {
                int sb = b / 8 * IQ4_XSCodec.BYTES;
                qs = (int) IQ4_XSCodec.indices(sb, b % 8);
                d = Float.floatToFloat16(IQ4_XSCodec.d(seg, sb) * IQ4_XSCodec.scale(seg, sb, b % 8));
            } else {
                int o = b * BYTES;
                qs = o + 2;
                d = (short) (src[o] & 0xff | src[o + 1] << 8);
            }
            int q = b * Q8_0Codec.BYTES;
            dst[q] = (byte) d;
            dst[q + 1] = (byte) (d >> 8);
            for (int l = 0; l < 16; l++) {
                int i = src[qs + l] & 0xff;
                dst[q + 2 + l] = (byte) LEVELS[i & 0x0f];
                dst[q + 18 + l] = (byte) LEVELS[i >>> 4];
            }
        }
    }
}
