package io.sparkinfer.spark;

import io.sparkinfer.model.LoadedModel;
import io.sparkinfer.tokenizer.Vocabulary;
import java.nio.file.Path;

/**
 * The one place that picks the tokenizer for a model: the GGUF header's vocabulary, or a llama2.c
 * {@code tokenizer.bin} beside a llama2.c checkpoint, read by the engine's
 * {@code io.sparkinfer.tokenizer}.
 */
public final class TextCodecs {
    private TextCodecs() {
    }

    public static TextCodec forModel(LoadedModel model, Path tokenizer) {
        if (model.gguf().isPresent()) {
            return new TokenizerCodec(Vocabulary.fromGguf(model.gguf().get()));
        }
        if (tokenizer == null) {
            throw new IllegalArgumentException("a llama2.c checkpoint needs a tokenizer file (option 'tokenizer', e.g. tok512.bin)");
        }
        return new TokenizerCodec(Vocabulary.fromLlama2c(tokenizer));
    }

    /** Opens the model briefly (a memory map, cheap) to read its tokenizer and context length: for the driver. */
    public static DriverModelInfo inspect(ModelHandle handle) {
        try (LoadedModel m = LoadedModel.open(handle.localModel())) {
            TextCodec codec = forModel(m, handle.localTokenizer());
            int ctx = m.model().config().contextLength();
            int maxSeq = handle.maxSeqLen() > 0 ? Math.min(handle.maxSeqLen(), ctx) : ctx;
            return new DriverModelInfo(codec, maxSeq, Fingerprint.modelFile(handle.localModel()));
        }
    }

    /** What the driver learns from the model file before the job runs. */
    public record DriverModelInfo(TextCodec codec, int maxSeqLen, String modelHash) {
    }
}
