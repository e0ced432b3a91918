package io.sparkinfer.spark;

import io.sparkinfer.generate.InferenceEngine;
import io.sparkinfer.model.LoadedModel;

/**
 * One executor's model: the memory-mapped weights, the engine over them (thread-safe, shared by
 * all task threads of the JVM) and the tokenizer the engine decodes with.
 */
public final class Replica implements AutoCloseable {
    private final LoadedModel model;
    private final InferenceEngine engine;
    private final TextCodec codec;
    private final int maxSeqLen;

    Replica(LoadedModel model, InferenceEngine engine, TextCodec codec, int maxSeqLen) {
        this.model = model;
        this.engine = engine;
        this.codec = codec;
        this.maxSeqLen = maxSeqLen;
    }

    public InferenceEngine engine() {
        return engine;
    }

    public TextCodec codec() {
        return codec;
    }

    public int maxSeqLen() {
        return maxSeqLen;
    }

    public LoadedModel model() {
        return model;
    }

    @Override
    public void close() {
        engine.close();
        model.close();
    }
}
