package io.sparkinfer.model;

import io.sparkinfer.gguf.GgufFormatException;
import io.sparkinfer.gguf.GgufValue;
import io.sparkinfer.gguf.GgufWriter;
import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.TensorCodec;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Converts a llama2.c checkpoint and its {@code tokenizer.bin} into a GGUF v3 file with llama.cpp's
 * tensor names and metadata, optionally quantizing the matrices. A matrix whose rows do not split
 * into whole blocks (stories260K's 172-wide down projection) stays F32, as llama.cpp does.
 */
public final class Llama2cConverter {
    private Llama2cConverter() {
    }

    /** llama.cpp's token types. */
    static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, BYTE = 6;

    public static void convert(Path checkpoint, Path tokenizerBin, Path out, GGMLType type) {
        if (type != GGMLType.F32 && type != GGMLType.F16 && type != GGMLType.Q8_0 && type != GGMLType.Q4_0) {
            throw new IllegalArgumentException("convert: type must be F32, F16, Q8_0 or Q4_0, got " + type);
        }
        try (Llama2cCheckpoint ck = Llama2cCheckpoint.open(checkpoint)) {
            ModelConfig c = ck.config();
            TokenizerBin tok = readTokenizer(tokenizerBin, c.vocabSize());
            String a = "llama.";
            GgufWriter w = new GgufWriter()
                    .put("general.architecture", GgufValue.string("llama"))
                    .put("general.name", GgufValue.string(checkpoint.getFileName().toString().replaceFirst("\\.bin$", "")))
                    .put(a + "context_length", GgufValue.uint32(c.contextLength()))
                    .put(a + "embedding_length", GgufValue.uint32(c.dim()))
                    .put(a + "block_count", GgufValue.uint32(c.nLayers()))
                    .put(a + "feed_forward_length", GgufValue.uint32(c.hiddenDim()))
                    .put(a + "rope.dimension_count", GgufValue.uint32(c.ropeDim()))
                    .put(a + "rope.freq_base", GgufValue.float32(c.ropeTheta()))
                    .put(a + "attention.head_count", GgufValue.uint32(c.nHeads()))
                    .put(a + "attention.head_count_kv", GgufValue.uint32(c.nKvHeads()))
                    .put(a + "attention.layer_norm_rms_epsilon", GgufValue.float32(c.rmsEps()))
                    .put("tokenizer.ggml.model", GgufValue.string("llama"))
                    .put("tokenizer.ggml.tokens", GgufValue.strings(tok.tokens()))
                    .put("tokenizer.ggml.scores", GgufValue.floats(tok.scores()))
                    .put("tokenizer.ggml.token_type", GgufValue.ints(tok.types()))
                    .put("tokenizer.ggml.unknown_token_id", GgufValue.uint32(0))
                    .put("tokenizer.ggml.bos_token_id", GgufValue.uint32(1))
                    .put("tokenizer.ggml.eos_token_id", GgufValue.uint32(2))
                    .put("tokenizer.ggml.add_bos_token", GgufValue.bool(true))
                    .put("tokenizer.ggml.add_eos_token", GgufValue.bool(false));
            for (Llama2cCheckpoint.NamedTensor t : ck.tensors()) {
                boolean matrix = t.dims().length == 2;
                GGMLType tt = matrix && t.dims()[0] % type.blockSize == 0 ? type : GGMLType.F32;
                int cols = (int) t.dims()[0];
                int rows = matrix ? (int) t.dims()[1] : 1;
                w.addTensor(t.name(), tt, t.dims(), dst -> {
                    float[] src = t.data().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
                    long rowBytes = tt.byteSize(cols);
                    for (int r = 0; r < rows; r++) {
                        TensorCodec.quantize(tt, src, r * cols, cols, dst, r * rowBytes);
                    }
                });
            }
            w.write(out);
        }
    }

    /** The vocabulary of a llama2.c tokenizer.bin: int32 max_token_length, then (float score, int32 len, bytes) per token. */
    record TokenizerBin(String[] tokens, float[] scores, int[] types) {
    }

    static TokenizerBin readTokenizer(Path path, int vocabSize) {
        if (!Files.isRegularFile(path)) {
            throw new GgufFormatException(path + ": tokenizer file not found");
        }
        String[] tokens = new String[vocabSize];
        float[] scores = new float[vocabSize];
        int[] types = new int[vocabSize];
        try (InputStream in = Files.newInputStream(path); DataInputStream d = new DataInputStream(in)) {
            readIntLE(d); // max_token_length
            for (int i = 0; i < vocabSize; i++) {
                scores[i] = Float.intBitsToFloat(readIntLE(d));
                int len = readIntLE(d);
                if (len < 0 || len > 1 << 16) {
                    throw new GgufFormatException(path + ": corrupt tokenizer.bin: token " + i + " has length " + len);
                }
                tokens[i] = new String(d.readNBytes(len), StandardCharsets.UTF_8);
                if (tokens[i].length() == 0 && len > 0) {
                    throw new GgufFormatException(path + ": truncated tokenizer.bin at token " + i);
                }
                types[i] = i == 0 ? UNKNOWN : (i == 1 || i == 2) ? CONTROL
                        : tokens[i].matches("<0x[0-9A-F]{2}>") ? BYTE : NORMAL;
            }
        } catch (java.io.EOFException e) {
            throw new GgufFormatException(path + ": truncated tokenizer.bin: fewer than " + vocabSize + " tokens", e);
        } catch (IOException e) {
            throw new GgufFormatException(path + ": cannot read: " + e.getMessage(), e);
        }
        return new TokenizerBin(tokens, scores, types);
    }

    private static int readIntLE(DataInputStream d) throws IOException {
        return Integer.reverseBytes(d.readInt());
    }
}
