package io.sparkinfer.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.testutil.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfInstructTest {
    @TempDir
    Path tmp;

    @Test
    void readsTheRealSeedFile() {
        List<SeedTask> seeds = SeedTasks.read(SharedData.file("tasks/self_instruct/seed_tasks.jsonl"));
        assertEquals(175, seeds.size());
        assertEquals(26, seeds.stream().filter(SeedTask::classification).count());
        assertFalse(seeds.get(0).instances().isEmpty());
    }

    @Test
    void malformedSeedFileNamesTheLine() throws Exception {
        Path p = tmp.resolve("seed.jsonl");
        Files.writeString(p, "{\"instruction\": \"Say hi to the user.\"}\n{not json\n");
        var e = assertThrows(IllegalArgumentException.class, () -> SeedTasks.read(p));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("not valid JSON"), e.getMessage());
        Files.writeString(p, "{\"name\": \"x\"}\n");
        e = assertThrows(IllegalArgumentException.class, () -> SeedTasks.read(p));
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("'instruction'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SeedTasks.read(tmp.resolve("absent.jsonl")));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void promptNumbersInstructionsAndEndsWithTheNextNumber() {
        String p = SelfInstruct.instructionPrompt(List.of("Say  hello:", "Count to three"), false);
        assertEquals("Come up with a series of tasks:\n1. Say hello\n2. Count to three\n3.", p);
    }

    @Test
    void parsingAppliesEveryFilter() {
        String completion = " Give three tips for staying healthy.\n"
                + "4. Draw a picture of a cat sitting on a mat.\n"
                + "5. Too short.\n"
                + "6. Write a program that sorts a list of numbers.\n"
                + "7. \"Quoted instruction that starts with punctuation here.\n"
                + "8. Éxplain the water cycle to a young child.\n"
                + "9. Explain why the sky is blue in simple words.";
        List<String> got = SelfInstruct.parseInstructions(completion, false);
        assertEquals(List.of("Give three tips for staying healthy.", "Explain why the sky is blue in simple words."), got);
        assertEquals(List.of("Give three tips for staying healthy."), SelfInstruct.parseInstructions(completion, true),
                "a completion cut at the length limit loses its last (possibly cut) instruction");
        assertEquals(7, SelfInstruct.proposedInstructions(completion, false).size());
        assertTrue(SelfInstruct.rejection("Plot the data on a graph please now").orElseThrow().contains("blacklisted"));
        assertTrue(SelfInstruct.rejection("Go to the store and buy milk").orElseThrow().contains("go to"));
    }

    @Test
    void instancesParseInBothOrders() {
        List<SeedTask.Instance> cls = SelfInstruct.parseInstances(
                "Class label: Positive\nSentence: I love it.\nClass label: Negative\nSentence: I hate it.\n", true);
        assertEquals(List.of(new SeedTask.Instance("I love it.", "Positive"), new SeedTask.Instance("I hate it.", "Negative")), cls);
        List<SeedTask.Instance> gen = SelfInstruct.parseInstances(
                "Example 1\nInput: 2+2\nOutput: 4\nExample 2\nInput: 3+3\nOutput: 6\n\nTask: next", false);
        assertEquals(List.of(new SeedTask.Instance("2+2", "4"), new SeedTask.Instance("3+3", "6")), gen);
        assertTrue(SelfInstruct.parseIsClassification(" Yes"));
        assertFalse(SelfInstruct.parseIsClassification(" No, it is open-ended"));
    }

    @Test
    void judgeCombinesBothOrders() {
        var agree = PairwiseJudge.combine(PairwiseJudge.Verdict.A, PairwiseJudge.Verdict.B, "one two three", "one");
        assertEquals(PairwiseJudge.Verdict.A, agree.verdict());
        assertTrue(agree.consistent());
        assertEquals(2, agree.lengthDifferenceWords());
        var biased = PairwiseJudge.combine(PairwiseJudge.Verdict.A, PairwiseJudge.Verdict.A, "x", "y");
        assertEquals(PairwiseJudge.Verdict.TIE, biased.verdict(), "always picking position A is a tie");
        assertFalse(biased.consistent());
        assertEquals(PairwiseJudge.Verdict.B, PairwiseJudge.parse(" B, because"));
        assertEquals(PairwiseJudge.Verdict.TIE, PairwiseJudge.parse("Tie"));
    }

    @Test
    void chunksCoverTheDocumentWithOverlap() {
        int[] doc = new int[25];
        for (int i = 0; i < doc.length; i++) {
            doc[i] = i;
        }
        List<int[]> c = DocumentChunker.chunks(doc, 10, 2);
        assertEquals(3, c.size());
        assertEquals(0, c.get(0)[0]);
        assertEquals(8, c.get(1)[0]);
        assertEquals(24, c.get(2)[c.get(2).length - 1]);
        assertEquals(1, DocumentChunker.chunks(new int[5], 10, 2).size());
        assertThrows(IllegalArgumentException.class, () -> DocumentChunker.chunks(doc, 4, 4));
    }
}
