package io.sparkinfer.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The text side of the Self-Instruct bootstrapping loop (Wang et al. 2022): the instruction
 * generation prompt, parsing of its completion, the quality filters, classification-task
 * identification, and instance generation (output-first for classification tasks, input-first
 * otherwise). The similarity filter (ROUGE-L F > 0.7 against the pool) is
 * {@link io.sparkinfer.eval.RougeLIndex}.
 */
public final class SelfInstruct {
    private SelfInstruct() {
    }

    public static final int SEED_PER_PROMPT = 6;
    public static final int GENERATED_PER_PROMPT = 2;
    public static final List<String> BLACKLIST = List.of("image", "images", "graph", "graphs", "picture", "pictures",
            "file", "files", "map", "maps", "draw", "plot", "go to");
    private static final Pattern NUMBERED = Pattern.compile("\\n\\d+\\s?\\. ");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /** "Come up with a series of tasks:" then the numbered instructions, ending with the next number. */
    public static String instructionPrompt(List<String> instructions, boolean classification) {
        StringBuilder p = new StringBuilder(classification
                ? "Come up with a series of classification tasks. Try to specify the possible output labels when possible.\n"
                : "Come up with a series of tasks:\n");
        for (int i = 0; i < instructions.size(); i++) {
            String s = SPACES.matcher(instructions.get(i)).replaceAll(" ").strip();
            while (s.endsWith(":")) {
                s = s.substring(0, s.length() - 1);
            }
            p.append(i + 1).append(". ").append(s).append('\n');
        }
        return p.append(instructions.size() + 1).append('.').toString();
    }

    /**
     * The numbered instructions a completion of {@link #instructionPrompt} proposes, unfiltered.
     * When the completion stopped at the length limit its last instruction may be cut off, so it
     * is dropped (Self-Instruct drops the whole completion; with small generation budgets that
     * wastes every round, while the earlier instructions are complete).
     */
    public static List<String> proposedInstructions(String completion, boolean truncated) {
        List<String> out = new ArrayList<>();
        if (completion == null) {
            return out;
        }
        for (String raw : NUMBERED.split(completion)) {
            String inst = SPACES.matcher(raw).replaceAll(" ").strip();
            if (!inst.isEmpty()) {
                out.add(Character.toUpperCase(inst.charAt(0)) + inst.substring(1).toLowerCase(Locale.ROOT));
            }
        }
        if (truncated && !out.isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    /** {@link #proposedInstructions} that pass every quality filter ({@link #rejection}). */
    public static List<String> parseInstructions(String completion, boolean truncated) {
        List<String> out = new ArrayList<>();
        for (String inst : proposedInstructions(completion, truncated)) {
            if (rejection(inst).isEmpty()) {
                out.add(inst);
            }
        }
        return out;
    }

    /** Why an instruction is filtered out, or empty if it is kept. */
    public static Optional<String> rejection(String inst) {
        if (inst.isEmpty()) {
            return Optional.of("empty");
        }
        int words = inst.split(" ").length;
        if (words <= 3 || words > 150) {
            return Optional.of("length " + words + " words (keep 4..150)");
        }
        for (String w : BLACKLIST) {
            if (Pattern.compile("\\b" + Pattern.quote(w) + "\\b", Pattern.CASE_INSENSITIVE).matcher(inst).find()) {
                return Optional.of("blacklisted word '" + w + "'");
            }
        }
        if (inst.startsWith("Write a program")) {
            return Optional.of("starts with 'Write a program'");
        }
        if (PUNCTUATION.indexOf(inst.charAt(0)) >= 0) {
            return Optional.of("starts with punctuation");
        }
        if (inst.charAt(0) > 127) {
            return Optional.of("starts with a non-ASCII character");
        }
        return Optional.empty();
    }

    /** Few-shot prompt asking whether a task is classification; the answer starts with Yes or No. */
    public static String classificationPrompt(String instruction) {
        return "Can the following task be regarded as a classification task with finite output labels?\n\n"
                + "Task: Given my personality and the job, tell me if I would be suitable.\nIs it classification? Yes\n\n"
                + "Task: Give me an example of a time when you had to use your sense of humor.\nIs it classification? No\n\n"
                + "Task: Classify the sentiment of the sentence into positive, negative or mixed.\nIs it classification? Yes\n\n"
                + "Task: Write a poem about the sea.\nIs it classification? No\n\n"
                + "Task: " + SPACES.matcher(instruction).replaceAll(" ").strip() + "\nIs it classification?";
    }

    public static boolean parseIsClassification(String completion) {
        return completion != null && completion.strip().toLowerCase(Locale.ROOT).startsWith("yes");
    }

    /**
     * Instance generation: output-first for classification tasks (a class label, then an input for
     * it, which avoids inputs all of one class), input-first otherwise.
     */
    public static String instancePrompt(String instruction, boolean classification) {
        String task = SPACES.matcher(instruction).replaceAll(" ").strip();
        if (classification) {
            return "Given the classification task definition and the class labels, generate an input that corresponds "
                    + "to each of the class labels. If the task doesn't require input, just generate the correct class label.\n\n"
                    + "Task: Classify the sentiment of the sentence into positive or negative.\n"
                    + "Class label: Positive\nSentence: I had a wonderful time at the beach.\n"
                    + "Class label: Negative\nSentence: The food was cold and the waiter was rude.\n\n"
                    + "Task: " + task + "\n";
        }
        return "Come up with examples for the following tasks. Try to generate multiple examples when possible. "
                + "If the task doesn't require additional input, you can generate the output directly.\n\n"
                + "Task: Which exercises are best for reducing belly fat at home?\n"
                + "Output:\n- Lying leg raises\n- Leg in and out\n- Plank\n\n"
                + "Task: Extract all the country names in the paragraph.\n"
                + "Example 1\nParagraph: Chiang Mai is a city in Thailand, near Laos and Myanmar.\nOutput: Thailand, Laos, Myanmar\n\n"
                + "Task: " + task + "\n";
    }

    /** Parses generated instances of either form into (input, output) pairs. */
    public static List<SeedTask.Instance> parseInstances(String completion, boolean classification) {
        List<SeedTask.Instance> out = new ArrayList<>();
        if (completion == null) {
            return out;
        }
        String text = completion.split("\\n\\s*Task:", 2)[0];
        if (classification) {
            for (String part : text.split("Class label:")) {
                String p = part.strip();
                if (p.isEmpty()) {
                    continue;
                }
                String[] lines = p.split("\\n", 2);
                String label = lines[0].strip();
                String input = lines.length > 1 ? lines[1].replaceFirst("^[A-Za-z ]{1,30}:\\s*", "").strip() : "";
                if (!label.isEmpty()) {
                    out.add(new SeedTask.Instance(input, label));
                }
            }
            return out;
        }
        String[] examples = text.split("Example \\d+\\s*\\n");
        for (String ex : examples) {
            String e = ex.strip();
            if (e.isEmpty()) {
                continue;
            }
            int o = e.lastIndexOf("Output:");
            if (o < 0) {
                continue;
            }
            String input = e.substring(0, o).strip();
            if (input.startsWith("Input:")) {
                input = input.substring("Input:".length()).strip();
            }
            String output = e.substring(o + "Output:".length()).strip();
            if (!output.isEmpty()) {
                out.add(new SeedTask.Instance(input, output));
            }
        }
        return out;
    }
}
