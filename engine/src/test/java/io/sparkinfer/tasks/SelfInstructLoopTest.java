package io.sparkinfer.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.testutil.SharedData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The loop's bookkeeping with a scripted completer standing in for the model. */
class SelfInstructLoopTest {
    @Test
    void reachesTheTargetAndDropsNearDuplicates() {
        List<String> prompts = new ArrayList<>();
        int[] call = {0};
        TextCompleter scripted = (ps, seedBase) -> {
            prompts.addAll(ps);
            List<TextCompleter.Completion> out = new ArrayList<>();
            for (String p : ps) {
                int k = call[0]++;
                if (p.startsWith("Can the following task")) {
                    out.add(new TextCompleter.Completion(p.contains("Label") ? " Yes" : " No", false));
                } else if (p.startsWith("Given the classification")) {
                    out.add(new TextCompleter.Completion("Class label: Good\nReview: fine\n", false));
                } else if (p.startsWith("Come up with examples")) {
                    out.add(new TextCompleter.Completion("Input: a\nOutput: b\n", false));
                } else {
                    // Two fresh instructions per completion, one near-duplicate of the first, one filtered.
                    // Distinct words per call keep ROUGE-L between calls' instructions under 0.7.
                    String w = "w" + k;
                    out.add(new TextCompleter.Completion(" Explain " + w + "a " + w + "b " + w + "c to a curious friend today.\n"
                            + "10. Explain " + w + "a " + w + "b " + w + "c to a curious friend today please.\n"
                            + "11. Label " + w + "d " + w + "e " + w + "f " + w + "g mood as good or bad.\n"
                            + "12. Draw a map of the city center for tourists.", false));
                }
            }
            return out;
        };
        var seeds = SeedTasks.read(SharedData.file("tasks/self_instruct/seed_tasks.jsonl"));
        var result = new SelfInstructLoop(scripted, 7, 2, 10).run(seeds, 5);
        assertEquals(5, result.tasks().size());
        assertTrue(result.stats().rejectedAsSimilar() >= 1, result.stats().toString());
        assertTrue(result.stats().rejectedByFilters() >= 1, result.stats().toString());
        var st = result.stats();
        assertTrue(st.proposed() >= st.rejectedByFilters() + st.rejectedAsSimilar() + st.kept(), st.toString());
        assertTrue(result.tasks().stream().anyMatch(GeneratedTask -> GeneratedTask.classification()));
        for (var t : result.tasks()) {
            assertFalse(t.instances().isEmpty(), t.instruction());
        }
        // Round two's prompts include generated instructions (8 in all: 6 seeds + 2 generated).
        String later = prompts.stream().filter(p -> p.startsWith("Come up with a series")).skip(2).findFirst().orElseThrow();
        assertTrue(later.contains("8. ") && later.endsWith("9."), later);
    }
}
