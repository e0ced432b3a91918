package io.sparkinfer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.gguf.GgufFile;
import io.sparkinfer.testutil.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pre-tokenizers and special tokens. The hand-written Llama 3 / Qwen2 / GPT-2 matchers must
 * split exactly like the regexes they replace (run through {@link RegexSplitter}, llama.cpp's
 * way), on every llama.cpp test string and on real articles; this is how the llama-bpe and qwen2
 * vectors, which have no vocabulary file here, are covered.
 */
class TokenizerSplitTest {
    static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static List<String> corpus() throws Exception {
        List<String> texts = new ArrayList<>();
        for (String name : new String[] {"llama-bpe", "qwen2", "gpt-2", "llama-spm"}) {
            Path inp = SharedData.file("llamacpp-vocab/ggml-vocab-" + name + ".gguf.inp");
            texts.addAll(List.of(Files.readString(inp, StandardCharsets.UTF_8).split("\n__ggml_vocab_test__\n")));
        }
        List<String> articles = Files.readAllLines(SharedData.file("tasks/summarization/cnndm_100_full_articles.txt"), StandardCharsets.UTF_8);
        texts.addAll(articles.subList(0, 20));
        texts.add("A\u00a0B\u2003C  \u3000 x\r\n\r\n  y\t\t'S 'LL 'Re 1234567 \u0663\u0664 \u00bd\u2167 \ud835\udc00\ud835\udc01 end   ");
        return texts;
    }

    private static List<String> words(Splitter s, String text) {
        int[] cps = text.codePoints().toArray();
        IntList segs = new IntList(1);
        segs.add(cps.length);
        IntList out = s.split(cps, segs);
        List<String> words = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < out.size(); i++) {
            words.add(new String(cps, start, out.get(i)));
            start += out.get(i);
        }
        assertEquals(cps.length, start, "segments cover the text");
        return words;
    }

    @Test
    void handWrittenMatchersAgreeWithTheirRegexes() throws Exception {
        Splitter llama3Regex = new RegexSplitter(LLAMA3);
        Splitter qwen2Regex = new RegexSplitter(QWEN2);
        Splitter gpt2Regex = new RegexSplitter(PreTokenizer.GPT2 + "|\\s+");
        for (String t : corpus()) {
            assertEquals(words(llama3Regex, t), words(new Llama3Splitter(3), t), () -> "llama3 on '" + t + "'");
            assertEquals(words(qwen2Regex, t), words(new Llama3Splitter(1), t), () -> "qwen2 on '" + t + "'");
            assertEquals(words(gpt2Regex, t), words(new Gpt2Splitter(), t), () -> "gpt-2 on '" + t + "'");
        }
    }

    @Test
    void llama3Splits() {
        assertEquals(List.of("Hello", ",", " y", "'all", "!", " ", " ", "123", "456", "7", "\n\n", "ok"),
                words(new Llama3Splitter(3), "Hello, y'all!  1234567\n\nok"));
        assertEquals(List.of("1", "2", "3"), words(new Llama3Splitter(1), "123"));
    }

    @Test
    void unknownPreTokenizerIsNamed() {
        TokenizerException e = assertThrows(TokenizerException.class, () -> PreTokenizer.forName("my-new-model"));
        assertTrue(e.getMessage().contains("'my-new-model'"), e.getMessage());
        assertTrue(e.getMessage().contains("tokenizer.ggml.pre"), e.getMessage());
        for (String name : new String[] {"default", "gpt-2", "llama3", "llama-bpe", "qwen2", "starcoder", "refact",
                "smollm", "deepseek-llm", "deepseek-coder", "falcon", "mpt", "olmo", "command-r", "dbrx", "stablelm2",
                "poro-chat", "viking", "tekken"}) {
            assertEquals(name, PreTokenizer.forName(name).name());
            PreTokenizer.forName(name).split("Hello, world! 12345 \u65e5\u672c".codePoints().toArray());
        }
    }

    @Test
    void specialTokensParsedOnlyWhenAsked() throws Exception {
        Tokenizer phi3;
        try (GgufFile f = GgufFile.open(SharedData.file("llamacpp-vocab/ggml-vocab-phi-3.gguf"))) {
            phi3 = Tokenizer.fromGguf(f);
        }
        int user = 32010;
        int end = 32007;
        int[] hi = phi3.encode("Hi", false, false);
        // Phi-3's special tokens eat the whitespace after them (llama.cpp's rstrip), and text after a special token gets the space prefix
        int[] parsed = phi3.encode("<|user|>\nHi<|end|>", false, true);
        int[] expected = new int[hi.length + 2];
        expected[0] = user;
        System.arraycopy(hi, 0, expected, 1, hi.length);
        expected[expected.length - 1] = end;
        assertArrayEquals(expected, parsed);
        int[] literal = phi3.encode("<|user|>\nHi<|end|>", false, false);
        assertTrue(literal.length > 5, "literal text when not parsing special tokens");
        for (int id : literal) {
            assertTrue(id != user && id != end);
        }
        assertEquals("<|user|>\nHi<|end|>", phi3.decode(literal));
        assertEquals("Hi", phi3.decode(parsed), "control tokens are invisible when decoding");
        assertEquals("<|user|> Hi<|end|>", phi3.decode(parsed, true), "the space prefix shows once specials are rendered");
        assertTrue(phi3.isEog(end));
        assertTrue(phi3.isEog(32000)); // <|endoftext|>, EOS

        Tokenizer gpt2;
        try (GgufFile f = GgufFile.open(SharedData.file("llamacpp-vocab/ggml-vocab-gpt-2.gguf"))) {
            gpt2 = Tokenizer.fromGguf(f);
        }
        assertArrayEquals(new int[] {15496, 50256}, gpt2.encode("Hello<|endoftext|>", false, true));
        assertTrue(gpt2.encode("Hello<|endoftext|>", false, false).length > 2);
        assertArrayEquals(new int[] {15496}, gpt2.encode("Hello", true, false), "GPT-2 adds no BOS");
    }

    @Test
    void gptNeoxWithoutPreUsesDefault() throws Exception {
        try (GgufFile f = GgufFile.open(SharedData.file("llamacpp-vocab/ggml-vocab-gpt-neox.gguf"))) {
            Tokenizer t = Tokenizer.fromGguf(f);
            String text = "Hello world,  it's 2024!\n\tTabs   and spaces.";
            assertEquals(text, t.decode(t.encode(text, false, false)));
        }
    }
}
