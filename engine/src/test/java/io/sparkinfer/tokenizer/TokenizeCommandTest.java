package io.sparkinfer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.testutil.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TokenizeCommandTest {
    private static String run(int expectedCode, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = TokenizeCommand.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(expectedCode, code, out);
        return out;
    }

    @Test
    void printsIdsAndPieces() {
        String out = run(0, "--tokenizer", SharedData.file("llama2c/tokenizer.bin").toString(), "I believe the meaning of life is");
        assertTrue(out.startsWith("1 306 4658 278 6593 310 2834 338\n"), out);
        assertTrue(out.contains("'▁believe'") && out.contains("' believe'"), out);
        String noBos = run(0, "--model", SharedData.file("llamacpp-vocab/ggml-vocab-gpt-2.gguf").toString(), "--no-bos", "--special",
                "Hello<|endoftext|>");
        assertTrue(noBos.startsWith("15496 50256\n"), noBos);
    }

    @Test
    void usageErrors() {
        assertTrue(run(2, "hello").contains("--model"));
        assertTrue(run(2, "--model").contains("usage"));
    }
}
