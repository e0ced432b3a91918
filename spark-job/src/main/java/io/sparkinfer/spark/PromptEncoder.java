package io.sparkinfer.spark;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The driver-defined templating + tokenization of one row: fill the template from the row's
 * columns, encode with the (broadcast) tokenizer, apply the overflow policy. Never throws for a
 * bad row: null / empty text and over-long prompts under {@link OverflowPolicy#ERROR} become
 * error rows.
 */
public final class PromptEncoder implements Serializable {
    private static final long serialVersionUID = 1L;

    private final PromptTemplate template;
    private final String labels;
    private final int budget;
    private final OverflowPolicy policy;

    public PromptEncoder(PromptTemplate template, List<String> labels, int budget, OverflowPolicy policy) {
        this.template = template;
        this.labels = String.join(", ", labels);
        this.budget = budget;
        this.policy = policy;
    }

    public PromptTemplate template() {
        return template;
    }

    /** {@code column} gives a row's value of a column as text (null when null). */
    public EncodedPrompt encode(Function<String, String> column, TextCodec codec) {
        Map<String, String> values = new HashMap<>();
        for (String c : template.columns()) {
            values.put(c, column.apply(c));
        }
        values.put("labels", labels);
        String prompt;
        try {
            prompt = template.render(values);
        } catch (IllegalArgumentException e) {
            return EncodedPrompt.failed(e.getMessage());
        }
        int[] ids = codec.encode(prompt, true);
        int[] fitted = policy.apply(ids, budget, codec.bos() >= 0);
        if (fitted == null) {
            return EncodedPrompt.failed("prompt of " + ids.length + " tokens is longer than the budget of " + budget
                    + " tokens (overflow policy: error)");
        }
        return EncodedPrompt.ok(fitted);
    }
}
