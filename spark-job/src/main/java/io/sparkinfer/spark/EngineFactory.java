package io.sparkinfer.spark;

import io.sparkinfer.generate.InferenceEngine;
import io.sparkinfer.generate.SequentialEngine;
import io.sparkinfer.generate.TokenText;
import io.sparkinfer.model.Model;

/** The one line that picks the engine implementation an executor replica runs. */
public final class EngineFactory {
    private EngineFactory() {
    }

    public static InferenceEngine create(Model model, TokenText text, int maxSeqLen) {
        return new SequentialEngine(model, text, maxSeqLen);
    }
}
