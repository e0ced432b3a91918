package io.sparkinfer.gguf;

import io.sparkinfer.tensor.GGMLType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes GGUF version 3 files (little endian). Tensor data is produced by a filler per tensor that
 * writes straight into the mapped output file, so multi-gigabyte benchmark models are written
 * without holding them in memory.
 */
public final class GgufWriter {
    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();

    private record PendingTensor(String name, GGMLType type, long[] dims, Consumer<MemorySegment> filler) {
        long byteSize() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return type.byteSize(n);
        }
    }

    public GgufWriter put(String key, GgufValue value) {
        metadata.put(key, value);
        return this;
    }

    /** Copies all metadata of another file (e.g. when converting or quantizing). */
    public GgufWriter putAll(GgufMetadata other) {
        metadata.putAll(other.asMap());
        return this;
    }

    /**
     * Adds a tensor; {@code filler} receives a segment of exactly the tensor's byte size to fill.
     *
     * @param dims ggml order (ne0 first)
     */
    public GgufWriter addTensor(String name, GGMLType type, long[] dims, Consumer<MemorySegment> filler) {
        tensors.add(new PendingTensor(name, type, dims.clone(), filler));
        return this;
    }

    /** Adds a tensor from existing bytes. */
    public GgufWriter addTensor(String name, GGMLType type, long[] dims, MemorySegment data) {
        return addTensor(name, type, dims, out -> out.copyFrom(data));
    }

    public void write(Path out) {
        int alignment = GgufFile.DEFAULT_ALIGNMENT;
        GgufValue a = metadata.get("general.alignment");
        if (a != null) {
            alignment = ((Number) a.value()).intValue();
        }
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        writeInt(header, GgufFile.MAGIC);
        writeInt(header, 3);
        writeLong(header, tensors.size());
        writeLong(header, metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            writeString(header, e.getKey());
            writeValue(header, e.getValue());
        }
        long[] offsets = new long[tensors.size()];
        long dataSize = 0;
        for (int i = 0; i < tensors.size(); i++) {
            PendingTensor t = tensors.get(i);
            writeString(header, t.name());
            writeInt(header, t.dims().length);
            for (long d : t.dims()) {
                writeLong(header, d);
            }
            writeInt(header, t.type().id);
            offsets[i] = dataSize;
            writeLong(header, dataSize);
            dataSize = GgufFile.alignUp(dataSize + t.byteSize(), alignment);
        }
        byte[] head = header.toByteArray();
        long dataStart = GgufFile.alignUp(head.length, alignment);
        long total = dataStart + dataSize;
        try {
            Files.deleteIfExists(out);
            try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
                 Arena arena = Arena.ofConfined()) {
                MemorySegment file = ch.map(FileChannel.MapMode.READ_WRITE, 0, Math.max(total, 1), arena);
                file.asSlice(0, head.length).copyFrom(MemorySegment.ofArray(head));
                for (int i = 0; i < tensors.size(); i++) {
                    PendingTensor t = tensors.get(i);
                    t.filler().accept(file.asSlice(dataStart + offsets[i], t.byteSize()));
                }
                file.force();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write GGUF file " + out + ": " + e.getMessage(), e);
        }
    }

    private static void writeValue(ByteArrayOutputStream out, GgufValue v) {
        writeInt(out, v.type().id);
        if (v.type() != GgufValueType.ARRAY) {
            writeScalar(out, v.type(), v.value());
            return;
        }
        writeInt(out, v.elementType().id);
        int n = Array.getLength(v.value());
        writeLong(out, n);
        for (int i = 0; i < n; i++) {
            writeScalar(out, v.elementType(), Array.get(v.value(), i));
        }
    }

    private static void writeScalar(ByteArrayOutputStream out, GgufValueType type, Object value) {
        switch (type) {
            case UINT8, INT8 -> out.write(((Number) value).byteValue());
            case BOOL -> out.write((Boolean) value ? 1 : 0);
            case UINT16, INT16 -> {
                short s = ((Number) value).shortValue();
                out.write(s & 0xFF);
                out.write((s >> 8) & 0xFF);
            }
            case UINT32, INT32 -> writeInt(out, ((Number) value).intValue());
            case UINT64, INT64 -> writeLong(out, ((Number) value).longValue());
            case FLOAT32 -> writeInt(out, Float.floatToRawIntBits(((Number) value).floatValue()));
            case FLOAT64 -> writeLong(out, Double.doubleToRawLongBits(((Number) value).doubleValue()));
            case STRING -> writeString(out, (String) value);
            case ARRAY -> throw new IllegalArgumentException("nested GGUF arrays are not supported");
        }
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeLong(out, b.length);
        out.writeBytes(b);
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    private static void writeLong(ByteArrayOutputStream out, long v) {
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }
}
