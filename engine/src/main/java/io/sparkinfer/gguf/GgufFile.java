package io.sparkinfer.gguf;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (versions 1, 2 and 3), memory-mapped as one {@link MemorySegment} so files over
 * 2 GB need no special handling. The header (metadata and tensor descriptors) is parsed on open;
 * tensor data stays in the mapping and is handed out as zero-copy slices.
 *
 * <p>Layout: magic "GGUF", version, tensor count, metadata count, metadata key/values, tensor
 * infos, padding to {@code general.alignment} (default 32), then the tensor data.
 */
public final class GgufFile implements AutoCloseable {
    public static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian int
    public static final int DEFAULT_ALIGNMENT = 32;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final int version;
    private final GgufMetadata metadata;
    private final Map<String, GgufTensorInfo> tensors;
    private final long dataOffset;
    private final int alignment;

    private GgufFile(Path path, Arena arena, MemorySegment mapping) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        String src = path.toString();
        if (mapping.byteSize() < 8) {
            throw new GgufFormatException(src + ": not a GGUF file (only " + mapping.byteSize() + " bytes)");
        }
        HeaderCursor c = new HeaderCursor(mapping, src, 0, false);
        int magic = c.i32("magic");
        if (magic != MAGIC) {
            throw new GgufFormatException(src + ": not a GGUF file (magic 0x" + Integer.toHexString(magic)
                    + ", expected 0x46554747 'GGUF')");
        }
        version = c.i32("version");
        if (version < 1 || version > 3) {
            String hint = Integer.reverseBytes(version) >= 1 && Integer.reverseBytes(version) <= 3
                    ? " (a big-endian GGUF file: not supported)" : "";
            throw new GgufFormatException(src + ": unsupported GGUF version " + version + hint);
        }
        c = new HeaderCursor(mapping, src, c.position(), version == 1);
        long tensorCount = c.count("tensor count");
        long kvCount = c.count("metadata count");

        Map<String, GgufValue> kv = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = c.string("metadata key #" + i);
            kv.put(key, readValue(c, key, src));
        }
        metadata = new GgufMetadata(src, kv);
        alignment = kv.containsKey("general.alignment") ? metadata.getInt("general.alignment") : DEFAULT_ALIGNMENT;
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new GgufFormatException(src + ": general.alignment " + alignment + " is not a power of two");
        }

        Map<String, GgufTensorInfo> infos = new LinkedHashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = c.string("tensor name #" + i);
            int nDims = c.i32("dimension count of " + name);
            if (nDims < 1 || nDims > 4) {
                throw new GgufFormatException(src + ": tensor '" + name + "' has " + nDims + " dimensions (1..4 allowed)");
            }
            long[] dims = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                dims[d] = version == 1 ? Integer.toUnsignedLong(c.i32("dims of " + name)) : c.i64("dims of " + name);
                if (dims[d] <= 0) {
                    throw new GgufFormatException(src + ": tensor '" + name + "' has dimension " + dims[d]);
                }
            }
            int typeId = c.i32("type of " + name);
            GGMLType type;
            try {
                type = GGMLType.fromId(typeId);
            } catch (IllegalArgumentException e) {
                throw new GgufFormatException(src + ": tensor '" + name + "' has unknown tensor type id " + typeId);
            }
            long offset = c.i64("offset of " + name);
            GgufTensorInfo info = new GgufTensorInfo(name, type, dims, offset);
            if (info.elementCount() % type.blockSize != 0) {
                throw new GgufFormatException(src + ": tensor '" + name + "' of type " + type + " has "
                        + info.elementCount() + " elements, not a multiple of the block size " + type.blockSize);
            }
            if (infos.put(name, info) != null) {
                throw new GgufFormatException(src + ": duplicate tensor name '" + name + "'");
            }
        }
        tensors = Collections.unmodifiableMap(infos);
        dataOffset = alignUp(c.position(), alignment);
        for (GgufTensorInfo t : infos.values()) {
            long end = dataOffset + t.offset() + t.byteSize();
            if (t.offset() < 0 || end > mapping.byteSize()) {
                throw new GgufFormatException(src + ": truncated GGUF file: tensor '" + t.name() + "' ends at byte "
                        + end + " but the file has " + mapping.byteSize() + " bytes");
            }
        }
    }

    /** Opens and maps a GGUF file; the mapping lives until {@link #close()}. */
    public static GgufFile open(Path path) {
        return MappedFile.open(path, (arena, mapping) -> new GgufFile(path, arena, mapping));
    }

    static long alignUp(long x, int alignment) {
        return (x + alignment - 1) / alignment * alignment;
    }

    private static GgufValue readValue(HeaderCursor c, String key, String src) {
        int typeId = c.i32("value type of " + key);
        GgufValueType type = GgufValueType.fromId(typeId);
        if (type == null) {
            throw new GgufFormatException(src + ": metadata '" + key + "' has unknown value type " + typeId);
        }
        if (type != GgufValueType.ARRAY) {
            return GgufValue.of(type, readScalar(c, type, key));
        }
        int elemId = c.i32("array type of " + key);
        GgufValueType elem = GgufValueType.fromId(elemId);
        if (elem == null || elem == GgufValueType.ARRAY) {
            throw new GgufFormatException(src + ": metadata '" + key + "' has unsupported array element type " + elemId);
        }
        long n = c.count("array length of " + key);
        int len = Math.toIntExact(n);
        Object array = switch (elem) {
            case UINT8, INT8 -> {
                byte[] a = new byte[len];
                for (int i = 0; i < len; i++) a[i] = c.i8(key);
                yield a;
            }
            case UINT16, INT16 -> {
                short[] a = new short[len];
                for (int i = 0; i < len; i++) a[i] = c.i16(key);
                yield a;
            }
            case UINT32, INT32 -> {
                int[] a = new int[len];
                for (int i = 0; i < len; i++) a[i] = c.i32(key);
                yield a;
            }
            case UINT64, INT64 -> {
                long[] a = new long[len];
                for (int i = 0; i < len; i++) a[i] = c.i64(key);
                yield a;
            }
            case FLOAT32 -> {
                float[] a = new float[len];
                for (int i = 0; i < len; i++) a[i] = c.f32(key);
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[len];
                for (int i = 0; i < len; i++) a[i] = c.f64(key);
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[len];
                for (int i = 0; i < len; i++) a[i] = c.i8(key) != 0;
                yield a;
            }
            case STRING -> {
                String[] a = new String[len];
                for (int i = 0; i < len; i++) a[i] = c.string(key);
                yield a;
            }
            default -> throw new AssertionError(elem);
        };
        return GgufValue.array(elem, array);
    }

    private static Object readScalar(HeaderCursor c, GgufValueType type, String key) {
        return switch (type) {
            case UINT8 -> c.i8(key) & 0xFF;
            case INT8 -> c.i8(key);
            case UINT16 -> c.i16(key) & 0xFFFF;
            case INT16 -> c.i16(key);
            case UINT32 -> Integer.toUnsignedLong(c.i32(key));
            case INT32 -> c.i32(key);
            case FLOAT32 -> c.f32(key);
            case BOOL -> c.i8(key) != 0;
            case STRING -> c.string(key);
            case UINT64, INT64 -> c.i64(key);
            case FLOAT64 -> c.f64(key);
            case ARRAY -> throw new AssertionError();
        };
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public int alignment() {
        return alignment;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** Tensor descriptors in file order. */
    public Map<String, GgufTensorInfo> tensors() {
        return tensors;
    }

    public List<String> tensorNames() {
        return new ArrayList<>(tensors.keySet());
    }

    public boolean hasTensor(String name) {
        return tensors.containsKey(name);
    }

    public GgufTensorInfo tensorInfo(String name) {
        GgufTensorInfo t = tensors.get(name);
        if (t == null) {
            throw new GgufFormatException(path + ": missing tensor '" + name + "'");
        }
        return t;
    }

    /** The raw bytes of a tensor, a zero-copy slice of the mapping. */
    public MemorySegment tensorData(String name) {
        GgufTensorInfo t = tensorInfo(name);
        return mapping.asSlice(dataOffset + t.offset(), t.byteSize());
    }

    /**
     * A 2-D tensor (or 1-D, as one row) as a weight matrix, checking its shape against what the
     * model expects: {@code cols} = ne0, {@code rows} = ne1.
     */
    public WeightMatrix matrix(String name, int expectedRows, int expectedCols) {
        GgufTensorInfo t = tensorInfo(name);
        long cols = t.dims()[0];
        long rows = t.dims().length > 1 ? t.dims()[1] : 1;
        for (int d = 2; d < t.dims().length; d++) {
            rows *= t.dims()[d];
        }
        if (rows != expectedRows || cols != expectedCols) {
            throw new GgufFormatException(path + ": tensor shape mismatch for '" + name + "': file has [" + cols
                    + " x " + rows + "] (ne0 x ne1), the model config expects [" + expectedCols + " x " + expectedRows + "]");
        }
        if (!t.type().supported) {
            throw new GgufFormatException(path + ": tensor '" + name + "' has type " + t.type()
                    + ", which sparkinfer does not support yet (supported: " + GGMLType.supportedNames() + ")");
        }
        return new WeightMatrix(name, t.type(), (int) rows, (int) cols, tensorData(name));
    }

    /** A whole file's mapping; for tools such as hashing. */
    public MemorySegment mapping() {
        return mapping;
    }

    @Override
    public void close() {
        arena.close();
    }
}
