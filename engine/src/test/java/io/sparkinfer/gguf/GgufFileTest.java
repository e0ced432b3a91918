package io.sparkinfer.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.model.Llama2cCheckpoint;
import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.testutil.SharedData;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {
    static final Path STORIES_GGUF = SharedData.file("gguf/tinyllamas-stories-260k-f32.gguf");
    static final Path STORIES_BIN = SharedData.file("llama2c/stories260K.bin");

    @TempDir
    Path tmp;

    /**
     * Tensor data is a read-only view of the mapping as a plain native segment, not the mapped
     * class: the kernels' vector loads then see one segment class (see MappedFile).
     */
    @Test
    void tensorDataIsAReadOnlyPlainNativeView() {
        try (GgufFile f = GgufFile.open(STORIES_GGUF)) {
            MemorySegment t = f.tensorData("blk.0.attn_k.weight");
            assertTrue(t.isNative() && t.isReadOnly());
            assertTrue(!t.isMapped(), "a mapped-class segment would slow every vector load in the JVM");
            assertThrows(IllegalArgumentException.class, () -> t.set(ValueLayout.JAVA_BYTE, 0, (byte) 1), "read-only");
        }
        assertThrows(IllegalStateException.class, () -> {
            MemorySegment t;
            try (GgufFile f = GgufFile.open(STORIES_GGUF)) {
                t = f.tensorData("blk.0.attn_k.weight");
            }
            t.get(ValueLayout.JAVA_BYTE, 0);
        }, "the view closes with the file");
    }

    @Test
    void readsVersion1StoriesModel() {
        try (GgufFile f = GgufFile.open(STORIES_GGUF)) {
            assertEquals(1, f.version());
            GgufMetadata m = f.metadata();
            assertEquals("llama", m.getString("general.architecture"));
            assertEquals(64, m.getInt("llama.embedding_length"));
            assertEquals(4, m.getInt("llama.attention.head_count_kv"));
            assertEquals(1e-5f, m.getFloat("llama.attention.layer_norm_rms_epsilon"));
            assertEquals(512, m.getStringArray("tokenizer.ggml.tokens").length);
            assertEquals(512, m.getFloatArray("tokenizer.ggml.scores").length);
            assertEquals(48, f.tensors().size());
            GgufTensorInfo q = f.tensorInfo("blk.0.attn_k.weight");
            assertEquals(GGMLType.F32, q.type());
            assertArrayEquals(new long[] {64, 32}, q.dims());
        }
    }

    @Test
    void everyTensorIsBitIdenticalToTheLlama2cCheckpoint() {
        try (GgufFile f = GgufFile.open(STORIES_GGUF); Llama2cCheckpoint ck = Llama2cCheckpoint.open(STORIES_BIN)) {
            int compared = 0;
            for (Llama2cCheckpoint.NamedTensor t : ck.tensors()) {
                GgufTensorInfo info = f.tensorInfo(t.name());
                assertArrayEquals(t.dims(), info.dims(), t.name());
                assertEquals(-1L, f.tensorData(t.name()).mismatch(t.data()), t.name());
                compared++;
            }
            // The GGUF also stores the (tied) classifier explicitly, as a copy of the embedding.
            assertEquals(-1L, f.tensorData("output.weight").mismatch(f.tensorData("token_embd.weight")));
            assertEquals(f.tensors().size(), compared + 1);
        }
    }

    @Test
    void writerRoundTripsEveryValueTypeAndTensors() {
        Path out = tmp.resolve("rt.gguf");
        float[] data = {1f, -2f, 3.5f, 0f, 7f, 8f};
        new GgufWriter()
                .put("general.architecture", GgufValue.string("llama"))
                .put("u8", GgufValue.of(GgufValueType.UINT8, 200))
                .put("i8", GgufValue.of(GgufValueType.INT8, (byte) -3))
                .put("u16", GgufValue.of(GgufValueType.UINT16, 60000))
                .put("i16", GgufValue.of(GgufValueType.INT16, (short) -300))
                .put("u32", GgufValue.uint32(4_000_000_000L))
                .put("i32", GgufValue.int32(-7))
                .put("f32", GgufValue.float32(0.25f))
                .put("bool", GgufValue.bool(true))
                .put("u64", GgufValue.of(GgufValueType.UINT64, 1L << 40))
                .put("i64", GgufValue.of(GgufValueType.INT64, -(1L << 40)))
                .put("f64", GgufValue.of(GgufValueType.FLOAT64, 0.125))
                .put("strs", GgufValue.strings(new String[] {"a", "ü€", ""}))
                .put("ints", GgufValue.ints(new int[] {1, -2, 3}))
                .put("floats", GgufValue.floats(new float[] {0.5f}))
                .addTensor("t", GGMLType.F32, new long[] {3, 2}, MemorySegment.ofArray(data))
                .addTensor("u", GGMLType.F32, new long[] {1}, MemorySegment.ofArray(new float[] {42f}))
                .write(out);
        try (GgufFile f = GgufFile.open(out)) {
            GgufMetadata m = f.metadata();
            assertEquals(3, f.version());
            assertEquals(200, m.getInt("u8"));
            assertEquals(-3, m.getInt("i8"));
            assertEquals(60000, m.getInt("u16"));
            assertEquals(-300, m.getInt("i16"));
            assertEquals(4_000_000_000L, m.getLong("u32"));
            assertEquals(-7, m.getInt("i32"));
            assertEquals(0.25f, m.getFloat("f32"));
            assertTrue(m.getBoolean("bool"));
            assertEquals(1L << 40, m.getLong("u64"));
            assertEquals(-(1L << 40), m.getLong("i64"));
            assertEquals(0.125f, m.getFloat("f64"));
            assertArrayEquals(new String[] {"a", "ü€", ""}, m.getStringArray("strs"));
            assertArrayEquals(new int[] {1, -2, 3}, m.getIntArray("ints"));
            assertArrayEquals(new float[] {0.5f}, m.getFloatArray("floats"));
            assertArrayEquals(data, f.tensorData("t").toArray(ValueLayout.JAVA_FLOAT));
            assertEquals(42f, f.tensorData("u").get(ValueLayout.JAVA_FLOAT, 0));
            assertEquals(0, f.mapping().address() % 1 + (f.tensorData("u").address() - f.tensorData("t").address()) % 32);
        }
    }

    @Test
    void missingFileIsAClearError() {
        var e = assertThrows(GgufFormatException.class, () -> GgufFile.open(tmp.resolve("nope.gguf")));
        assertTrue(e.getMessage().contains("nope.gguf") && e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void notAGgufFileIsAClearError() throws Exception {
        Path p = tmp.resolve("text.gguf");
        Files.writeString(p, "this is not a model file at all");
        var e = assertThrows(GgufFormatException.class, () -> GgufFile.open(p));
        assertTrue(e.getMessage().contains("not a GGUF file"), e.getMessage());
    }

    @Test
    void truncatedFileIsAClearError() throws Exception {
        byte[] all = Files.readAllBytes(STORIES_GGUF);
        for (int cut : new int[] {12, 200, 7000, all.length / 2, all.length - 1}) {
            Path p = tmp.resolve("cut" + cut + ".gguf");
            Files.write(p, Arrays.copyOf(all, cut));
            var e = assertThrows(GgufFormatException.class, () -> GgufFile.open(p).close(), "cut at " + cut);
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        }
    }

    @Test
    void unknownTensorTypeIsAClearError() throws Exception {
        Path p = tmp.resolve("type.gguf");
        new GgufWriter().addTensor("weird", GGMLType.F32, new long[] {4}, MemorySegment.ofArray(new float[4])).write(p);
        byte[] b = Files.readAllBytes(p);
        // header: magic 4, version 4, counts 8+8; tensor: name (8 + 5), n_dims 4, dims 8 -> type id
        int typeAt = 24 + 8 + "weird".getBytes(StandardCharsets.UTF_8).length + 4 + 8;
        assertEquals(0, b[typeAt]);
        b[typeAt] = 99;
        Files.write(p, b);
        var e = assertThrows(GgufFormatException.class, () -> GgufFile.open(p));
        assertTrue(e.getMessage().contains("unknown tensor type id 99") && e.getMessage().contains("weird"), e.getMessage());
    }
}
