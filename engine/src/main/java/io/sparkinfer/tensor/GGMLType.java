package io.sparkinfer.tensor;

/**
 * The ggml tensor types, with ggml's numeric ids and block geometry.
 *
 * <p>Geometry follows ggml exactly: a tensor row of {@code n} elements of a quantized type is
 * {@code n / blockSize} blocks of {@code typeSize} bytes each. Types we can only name (not
 * compute with) are listed so that a GGUF file using them gives a clear "unsupported" error
 * rather than "unknown id".
 */
public enum GGMLType {
    F32(0, 1, 4, true),
    F16(1, 1, 2, true),
    Q4_0(2, 32, 2 + 16, true),
    /** d (f16), m (f16), 16 bytes of 4-bit quants. */
    Q4_1(3, 32, 2 + 2 + 16, true),
    /** d (f16), 4 bytes of fifth bits, 16 bytes of 4-bit quants. */
    Q5_0(6, 32, 2 + 4 + 16, true),
    /** d (f16), m (f16), 4 bytes of fifth bits, 16 bytes of 4-bit quants. */
    Q5_1(7, 32, 2 + 2 + 4 + 16, true),
    Q8_0(8, 32, 2 + 32, true),
    Q8_1(9, 32, 4 + 4 + 32, false),
    /** 16 bytes of 4-bit scales and mins, 64 bytes of 2-bit quants, d (f16), dmin (f16). */
    Q2_K(10, 256, 256 / 16 + 256 / 4 + 2 + 2, true),
    /** 32 bytes of third bits, 64 bytes of 2-bit low parts, 12 bytes of 6-bit scales, d (f16). */
    Q3_K(11, 256, 256 / 8 + 256 / 4 + 12 + 2, true),
    /** d (f16), dmin (f16), 12 bytes of 6-bit scales/mins, 128 bytes of 4-bit quants. */
    Q4_K(12, 256, 2 + 2 + 12 + 128, true),
    /** d (f16), dmin (f16), 12 bytes of 6-bit scales/mins, 32 bytes of fifth bits, 128 of 4-bit quants. */
    Q5_K(13, 256, 2 + 2 + 12 + 32 + 128, true),
    /** 128 bytes low 4 bits, 64 bytes high 2 bits, 16 int8 scales, d (f16). */
    Q6_K(14, 256, 128 + 64 + 16 + 2, true),
    Q8_K(15, 256, 4 + 256 + 32, false),
    IQ2_XXS(16, 256, 2 + 64, false),
    IQ2_XS(17, 256, 2 + 64 + 8, false),
    IQ3_XXS(18, 256, 2 + 96, false),
    IQ1_S(19, 256, 2 + 32 + 16, false),
    /** d (f16), 16 bytes of 4-bit indices into a non-linear table ({@link IQ4_NLCodec}). */
    IQ4_NL(20, 32, 2 + 16, true),
    IQ3_S(21, 256, 2 + 64 + 32 + 8 + 4, false),
    IQ2_S(22, 256, 2 + 64 + 16, false),
    /** d (f16), 6-bit sub-block scales, IQ4_NL indices ({@link IQ4_XSCodec}). */
    IQ4_XS(23, 256, 2 + 2 + 4 + 128, true),
    I8(24, 1, 1, false),
    I16(25, 1, 2, false),
    I32(26, 1, 4, false),
    I64(27, 1, 8, false),
    F64(28, 1, 8, false),
    IQ1_M(29, 256, 32 + 16 + 8, false),
    BF16(30, 1, 2, true),
    TQ1_0(34, 256, 2 + 4 + 48, false),
    TQ2_0(35, 256, 2 + 64, false);

    private static final GGMLType[] BY_ID = new GGMLType[64];

    static {
        for (GGMLType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    /** ggml's numeric id, as stored in GGUF tensor infos. */
    public final int id;
    /** Elements per block (1 for plain float types). */
    public final int blockSize;
    /** Bytes per block. */
    public final int typeSize;
    /** Whether sparkinfer's kernels can compute with this type. */
    public final boolean supported;

    GGMLType(int id, int blockSize, int typeSize, boolean supported) {
        this.id = id;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
        this.supported = supported;
    }

    /** The names of the types sparkinfer computes with, for error messages ("F32, F16, ..."). */
    public static String supportedNames() {
        StringBuilder names = new StringBuilder();
        for (GGMLType t : values()) {
            if (t.supported) {
                names.append(names.isEmpty() ? "" : ", ").append(t);
            }
        }
        return names.toString();
    }

    /** Bytes that {@code elements} elements occupy; elements must be a multiple of the block size. */
    public long byteSize(long elements) {
        if (elements % blockSize != 0) {
            throw new IllegalArgumentException(
                    this + ": " + elements + " elements is not a multiple of the block size " + blockSize);
        }
        return elements / blockSize * typeSize;
    }

    /** The type with this ggml id, or an error that names the id. */
    public static GGMLType fromId(int id) {
        GGMLType t = id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
        if (t == null) {
            throw new IllegalArgumentException("unknown ggml tensor type id " + id);
        }
        return t;
    }
}
