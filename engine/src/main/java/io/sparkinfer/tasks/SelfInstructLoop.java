package io.sparkinfer.tasks;

import io.sparkinfer.eval.RougeLIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The Self-Instruct bootstrapping loop, driver side: each round builds prompts of 8 instructions
 * (6 from the seeds, 2 from the generated pool once it has some), completes them, parses and
 * filters the new instructions (quality filters, then ROUGE-L F > 0.7 against everything kept),
 * identifies classification tasks and generates instances for the new instructions, until the
 * target count or the round limit.
 */
public final class SelfInstructLoop {
    private final TextCompleter completer;
    private final long seed;
    private final int promptsPerRound;
    private final int maxRounds;

    /** A generated task with its instances, as exported. */
    public record GeneratedTask(String instruction, boolean classification, List<SeedTask.Instance> instances) {
    }

    /** Counts for the job summary. */
    public record Stats(int rounds, int proposed, int rejectedByFilters, int rejectedAsSimilar, int kept) {
    }

    public record Result(List<GeneratedTask> tasks, Stats stats) {
    }

    public SelfInstructLoop(TextCompleter completer, long seed, int promptsPerRound, int maxRounds) {
        this.completer = completer;
        this.seed = seed;
        this.promptsPerRound = promptsPerRound;
        this.maxRounds = maxRounds;
    }

    public Result run(List<SeedTask> seeds, int target) {
        if (seeds.size() < SelfInstruct.SEED_PER_PROMPT) {
            throw new IllegalArgumentException("self-instruct needs at least " + SelfInstruct.SEED_PER_PROMPT
                    + " seed tasks, got " + seeds.size());
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        RougeLIndex pool = new RougeLIndex();
        seeds.forEach(s -> pool.add(s.instruction()));
        List<String> generated = new ArrayList<>();
        int proposed = 0, badQuality = 0, similar = 0, round = 0;
        while (generated.size() < target && round < maxRounds) {
            List<String> prompts = new ArrayList<>();
            for (int p = 0; p < promptsPerRound; p++) {
                prompts.add(SelfInstruct.instructionPrompt(sample(seeds, generated, rnd), false));
            }
            List<TextCompleter.Completion> done = completer.complete(prompts, seed * 1_000_003L + round);
            for (TextCompleter.Completion c : done) {
                List<String> proposedHere = SelfInstruct.proposedInstructions(c.text(), c.truncated());
                proposed += proposedHere.size();
                for (String inst : proposedHere) {
                    if (SelfInstruct.rejection(inst).isPresent()) {
                        badQuality++;
                        continue;
                    }
                    if (generated.size() >= target) {
                        break;
                    }
                    if (pool.maxAbove(inst, 0.7) > 0) {
                        similar++;
                        continue;
                    }
                    pool.add(inst);
                    generated.add(inst);
                }
            }
            round++;
        }
        List<GeneratedTask> tasks = describe(generated, round);
        return new Result(tasks, new Stats(round, proposed, badQuality, similar, tasks.size()));
    }

    /** Classification identification and instance generation for the kept instructions. */
    private List<GeneratedTask> describe(List<String> instructions, int round) {
        if (instructions.isEmpty()) {
            return List.of();
        }
        List<String> isCls = new ArrayList<>();
        instructions.forEach(i -> isCls.add(SelfInstruct.classificationPrompt(i)));
        List<TextCompleter.Completion> cls = completer.complete(isCls, seed * 1_000_003L + round + 1);
        List<String> instancePrompts = new ArrayList<>();
        for (int i = 0; i < instructions.size(); i++) {
            instancePrompts.add(SelfInstruct.instancePrompt(instructions.get(i),
                    SelfInstruct.parseIsClassification(cls.get(i).text())));
        }
        List<TextCompleter.Completion> inst = completer.complete(instancePrompts, seed * 1_000_003L + round + 2);
        List<GeneratedTask> out = new ArrayList<>();
        for (int i = 0; i < instructions.size(); i++) {
            boolean c = SelfInstruct.parseIsClassification(cls.get(i).text());
            out.add(new GeneratedTask(instructions.get(i), c, SelfInstruct.parseInstances(inst.get(i).text(), c)));
        }
        return out;
    }

    /** 6 seed instructions and up to 2 generated ones, drawn without replacement. */
    private static List<String> sample(List<SeedTask> seeds, List<String> generated, SplittableRandom rnd) {
        List<String> out = new ArrayList<>();
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < seeds.size(); i++) {
            idx.add(i);
        }
        for (int k = 0; k < SelfInstruct.SEED_PER_PROMPT; k++) {
            out.add(seeds.get(idx.remove(rnd.nextInt(idx.size()))).instruction());
        }
        List<String> g = new ArrayList<>(generated);
        for (int k = 0; k < SelfInstruct.GENERATED_PER_PROMPT && !g.isEmpty(); k++) {
            out.add(g.remove(rnd.nextInt(g.size())));
        }
        return out;
    }
}
