package io.sparkinfer.spark;

import java.io.Serializable;

/** The templating stage's result for one row: prompt token ids, or why there are none. */
public record EncodedPrompt(int[] ids, String error) implements Serializable {
    public static EncodedPrompt ok(int[] ids) {
        return new EncodedPrompt(ids, null);
    }

    public static EncodedPrompt failed(String error) {
        return new EncodedPrompt(null, error);
    }
}
