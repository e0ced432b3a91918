package io.sparkinfer.tasks;

import java.util.List;

/** One Self-Instruct seed task: an instruction, example instances, and whether it is a classification task. */
public record SeedTask(String id, String instruction, List<Instance> instances, boolean classification) {

    /** An input/output example of a task (input may be empty). */
    public record Instance(String input, String output) {
    }
}
