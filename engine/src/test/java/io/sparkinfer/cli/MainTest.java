package io.sparkinfer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.testutil.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void generateReproducesLlama2cByteForByte() throws Exception {
        String ref = Files.readString(SharedData.file("llama2c/ref_stories260K_greedy_n200.txt"));
        Run r = run("generate", "--model", SharedData.file("llama2c/stories260K.bin").toString(),
                "--tokenizer", SharedData.file("llama2c/tok512.bin").toString(), "-n", "200", "--quiet");
        assertEquals(0, r.code(), r.err());
        assertEquals(ref, r.out()); // llama2.c ends its output with a newline, as println does
        // and the same from the GGUF file, whose tokenizer is inside
        Run g = run("generate", "--model", SharedData.file("gguf/tinyllamas-stories-260k-f32.gguf").toString(),
                "-n", "200", "--quiet");
        assertEquals(r.out(), g.out());
    }

    @Test
    void infoAndConvert() {
        Path out = tmp.resolve("s.gguf");
        Run c = run("convert", SharedData.file("llama2c/stories260K.bin").toString(), "--tokenizer",
                SharedData.file("llama2c/tok512.bin").toString(), "--out", out.toString(), "--type", "Q8_0");
        assertEquals(0, c.code(), c.err());
        Run i = run("info", out.toString());
        assertEquals(0, i.code(), i.err());
        assertTrue(i.out().contains("GGUF v3") && i.out().contains("Q8_0") && i.out().contains("layers        5"), i.out());
    }

    @Test
    void errorsAreClearAndExitNonZero() {
        Run missing = run("info", tmp.resolve("nope.gguf").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("not found"), missing.err());
        Run usage = run("generate");
        assertEquals(2, usage.code());
        assertTrue(usage.err().contains("--model"), usage.err());
        Run unknown = run("frobnicate");
        assertEquals(2, unknown.code());
        Run noTok = run("generate", "--model", SharedData.file("llama2c/stories260K.bin").toString());
        assertEquals(2, noTok.code());
        assertTrue(noTok.err().contains("--tokenizer"), noTok.err());
    }
}
