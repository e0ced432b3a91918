package io.sparkinfer.spark.ml;

import org.apache.spark.ml.util.Identifiable$;

/**
 * Completes the prompt made from a text column:
 * {@code new LlmGenerate().setModelPath(gguf).setInputCol("prompt").setOutputCol("completion").setMaxTokens(64)}.
 * The output struct's {@code output} field is the completion.
 */
public final class LlmGenerate extends LlmTransformer<LlmGenerate> {
    private static final long serialVersionUID = 1L;

    public LlmGenerate() {
        this(Identifiable$.MODULE$.randomUID("llmGenerate"));
    }

    public LlmGenerate(String uid) {
        super(uid, "completion");
    }

    @Override
    protected String task() {
        return "generate";
    }
}
