package io.sparkinfer.model;

import io.sparkinfer.gguf.GgufFormatException;
import io.sparkinfer.gguf.GgufValue;
import io.sparkinfer.gguf.GgufWriter;
import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.TensorCodec;
import io.sparkinfer.tokenizer.Vocabulary;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Converts a llama2.c checkpoint and its {@code tokenizer.bin} into a GGUF v3 file with llama.cpp's
 * tensor names and metadata, optionally quantizing the matrices. A matrix whose rows do not split
 * into whole blocks (stories260K's 172-wide down projection) stays F32, as llama.cpp does.
 */
public final class Llama2cConverter {
    private Llama2cConverter() {
    }

    public static void convert(Path checkpoint, Path tokenizerBin, Path out, GGMLType type) {
        if (type != GGMLType.F32 && type != GGMLType.F16 && type != GGMLType.Q8_0 && type != GGMLType.Q4_0) {
            throw new IllegalArgumentException("convert: type must be F32, F16, Q8_0 or Q4_0, got " + type);
        }
        try (Llama2cCheckpoint ck = Llama2cCheckpoint.open(checkpoint)) {
            ModelConfig c = ck.config();
            Vocabulary tok = Vocabulary.fromLlama2c(tokenizerBin);
            if (tok.size() != c.vocabSize()) {
                throw new GgufFormatException(tokenizerBin + ": " + tok.size() + " tokens, but " + checkpoint
                        + " has a vocabulary of " + c.vocabSize());
            }
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
                    .put("tokenizer.ggml.unknown_token_id", GgufValue.uint32(tok.unk()))
                    .put("tokenizer.ggml.bos_token_id", GgufValue.uint32(tok.bos()))
                    .put("tokenizer.ggml.eos_token_id", GgufValue.uint32(tok.eos()))
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
}
