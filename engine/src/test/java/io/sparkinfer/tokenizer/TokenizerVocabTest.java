package io.sparkinfer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.gguf.GgufFile;
import io.sparkinfer.testutil.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * llama.cpp's tokenizer test vectors ({@code test-tokenizer-0}): for every vocabulary file with
 * {@code .inp}/{@code .out}, each string tokenizes (no BOS/EOS, no special-token parsing) to
 * exactly the expected ids and decodes back to itself. Vectors without a vocabulary here
 * (llama-bpe, qwen2) cannot run; their pre-tokenizers are still checked in {@link TokenizerSplitTest}.
 */
class TokenizerVocabTest {
    static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    record Case(String input, int[] expected) {
    }

    static List<Case> readCases(Path inp, Path out) throws IOException {
        String raw = Files.readString(inp, StandardCharsets.UTF_8);
        List<String> inputs = new ArrayList<>();
        int pos = 0;
        while (pos < raw.length()) {
            int next = raw.indexOf(SEPARATOR, pos);
            if (next < 0) {
                inputs.add(raw.substring(pos));
                break;
            }
            inputs.add(raw.substring(pos, next));
            pos = next + SEPARATOR.length();
        }
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertEquals(inputs.size(), lines.size(), "cases in " + inp.getFileName() + " vs " + out.getFileName());
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String line = lines.get(i).strip();
            int[] ids = line.isEmpty() ? new int[0] : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
            cases.add(new Case(inputs.get(i), ids));
        }
        return cases;
    }

    static List<Path> vocabFiles() throws IOException {
        try (Stream<Path> s = Files.list(SharedData.file("llamacpp-vocab"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".gguf")).sorted().toList();
        }
    }

    @TestFactory
    List<DynamicTest> llamaCppVectors() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path gguf : vocabFiles()) {
            Path inp = Path.of(gguf + ".inp");
            Path out = Path.of(gguf + ".out");
            if (!Files.exists(inp) || !Files.exists(out)) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(gguf.getFileName().toString(), () -> runVectors(gguf, inp, out)));
        }
        assertTrue(tests.size() >= 6, "expected the llama.cpp vocabularies in shared/data, found " + tests.size());
        return tests;
    }

    private static void runVectors(Path gguf, Path inp, Path out) throws IOException {
        List<Case> cases = readCases(inp, out);
        Tokenizer tok;
        try (GgufFile f = GgufFile.open(gguf)) {
            tok = Tokenizer.fromGguf(f);
        }
        int idsOk = 0;
        int decodeOk = 0;
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            int[] got = tok.encode(c.input(), false, false);
            if (Arrays.equals(got, c.expected())) {
                idsOk++;
            } else {
                failures.add("ids for '" + c.input() + "': expected " + Arrays.toString(c.expected()) + " got " + Arrays.toString(got));
            }
            String back = tok.decode(c.expected());
            if (back.equals(c.input())) {
                decodeOk++;
            } else {
                failures.add("decode of '" + c.input() + "' gave '" + back + "'");
            }
        }
        System.out.printf("%s: ids %d/%d, decode %d/%d%n", gguf.getFileName(), idsOk, cases.size(), decodeOk, cases.size());
        failures.stream().limit(10).forEach(System.out::println);
        assertTrue(failures.isEmpty(), gguf.getFileName() + ": " + failures.size() + " failures, first: " + (failures.isEmpty() ? "" : failures.getFirst()));
    }
}
