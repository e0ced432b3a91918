package io.sparkinfer.spark.ml;

import io.sparkinfer.spark.InferenceOptions;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.Identifiable$;

/**
 * Picks one of a fixed set of labels by the model's log-probability of each label after the
 * prompt: {@code new LlmClassify().setModelPath(gguf).setInputCol("review").setLabels("positive", "negative")}.
 * The output struct's {@code output} is the label, {@code label_scores} every label's log-probability.
 */
public final class LlmClassify extends LlmTransformer<LlmClassify> {
    private static final long serialVersionUID = 1L;

    private final StringArrayParam labels;

    public LlmClassify() {
        this(Identifiable$.MODULE$.randomUID("llmClassify"));
    }

    public LlmClassify(String uid) {
        super(uid, "prediction");
        labels = new StringArrayParam(this, "labels", "the labels to choose from (at least two)");
    }

    public StringArrayParam labels() {
        return labels;
    }

    public String[] getLabels() {
        return getOrDefault(labels);
    }

    public LlmClassify setLabels(String... v) {
        set(labels, v);
        return this;
    }

    @Override
    protected String task() {
        return "classify";
    }

    @Override
    protected InferenceOptions extraOptions(InferenceOptions o) {
        if (!isDefined(labels) || getLabels().length < 2) {
            throw new IllegalArgumentException(uid() + ": set at least two labels");
        }
        for (String l : getLabels()) {
            if (l.contains(",")) {
                throw new IllegalArgumentException(uid() + ": a label cannot contain a comma: '" + l + "'");
            }
        }
        return o.with("labels", String.join(",", getLabels()));
    }
}
