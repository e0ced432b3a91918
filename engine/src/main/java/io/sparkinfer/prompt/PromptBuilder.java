package io.sparkinfer.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Task prompts from an instruction, few-shot examples and optional zero-shot chain of thought
 * (Kojima et al. 2022: append "Let's think step by step." to make the model reason, then, in a
 * second step, append its reasoning and "Therefore, the answer is" to extract the answer).
 * Immutable: each {@code with...} returns a new builder.
 *
 * <p>Plain text (for base models):
 * <pre>
 * {instruction}
 *
 * Input: {example input}
 * Output: {example output}
 *
 * Input: {input}
 * Output:[ Let's think step by step.]
 * </pre>
 * For chat models, {@link #messages(String)} gives the same as turns: the instruction as system
 * message, each example as a user/assistant pair, the input as the last user turn.
 */
public final class PromptBuilder {
    public static final String STEP_BY_STEP = "Let's think step by step.";
    public static final String ANSWER_TRIGGER = "Therefore, the answer is";

    private final String instruction;
    private final List<FewShotExample> examples;
    private final String inputLabel;
    private final String outputLabel;
    private final boolean chainOfThought;

    private PromptBuilder(String instruction, List<FewShotExample> examples, String inputLabel, String outputLabel,
                          boolean chainOfThought) {
        this.instruction = instruction;
        this.examples = List.copyOf(examples);
        this.inputLabel = inputLabel;
        this.outputLabel = outputLabel;
        this.chainOfThought = chainOfThought;
    }

    /** A builder with an instruction (may be empty), no examples, labels "Input"/"Output". */
    public static PromptBuilder instruction(String instruction) {
        return new PromptBuilder(Objects.requireNonNull(instruction, "instruction"), List.of(), "Input", "Output", false);
    }

    public PromptBuilder withExample(String input, String output) {
        List<FewShotExample> l = new ArrayList<>(examples);
        l.add(new FewShotExample(input, output));
        return new PromptBuilder(instruction, l, inputLabel, outputLabel, chainOfThought);
    }

    public PromptBuilder withExamples(List<FewShotExample> more) {
        List<FewShotExample> l = new ArrayList<>(examples);
        l.addAll(more);
        return new PromptBuilder(instruction, l, inputLabel, outputLabel, chainOfThought);
    }

    /** Labels of the plain-text layout, e.g. "Q"/"A" or "Review"/"Sentiment". */
    public PromptBuilder withLabels(String input, String output) {
        return new PromptBuilder(instruction, examples, input, output, chainOfThought);
    }

    /** Zero-shot chain of thought: the answer starts with "Let's think step by step." */
    public PromptBuilder withChainOfThought(boolean on) {
        return new PromptBuilder(instruction, examples, inputLabel, outputLabel, on);
    }

    public List<FewShotExample> examples() {
        return examples;
    }

    /** The plain-text prompt for one input; the model continues after the output label. */
    public String build(String input) {
        StringBuilder sb = new StringBuilder();
        if (!instruction.isBlank()) {
            sb.append(instruction.strip()).append("\n\n");
        }
        for (FewShotExample e : examples) {
            sb.append(inputLabel).append(": ").append(e.input()).append('\n');
            sb.append(outputLabel).append(": ").append(e.output()).append("\n\n");
        }
        sb.append(inputLabel).append(": ").append(input).append('\n');
        sb.append(outputLabel).append(':');
        if (chainOfThought) {
            sb.append(' ').append(STEP_BY_STEP);
        }
        return sb.toString();
    }

    /** The same prompt as chat turns, to render with a {@link ChatTemplate} (generation prompt on). */
    public List<ChatMessage> messages(String input) {
        List<ChatMessage> m = new ArrayList<>();
        if (!instruction.isBlank()) {
            m.add(ChatMessage.system(instruction.strip()));
        }
        for (FewShotExample e : examples) {
            m.add(ChatMessage.user(e.input()));
            m.add(ChatMessage.assistant(e.output()));
        }
        m.add(ChatMessage.user(chainOfThought ? input + "\n\n" + STEP_BY_STEP : input));
        return m;
    }

    /**
     * The second, answer-extraction step of zero-shot chain of thought: the first prompt (plain
     * text, or chat text ending in the assistant header), the model's reasoning, then
     * "Therefore, the answer is" for the model to complete.
     */
    public static String answerExtraction(String reasoningPrompt, String reasoning) {
        String r = reasoning.strip();
        return reasoningPrompt + (r.isEmpty() ? "" : (reasoningPrompt.endsWith("\n") ? "" : " ") + r) + " " + ANSWER_TRIGGER;
    }
}
