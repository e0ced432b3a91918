package io.sparkinfer.prompt;

import java.util.Objects;

/** One demonstration for a few-shot prompt: an input and the output the model should imitate. */
public record FewShotExample(String input, String output) {
    public FewShotExample {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
    }
}
