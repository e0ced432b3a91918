package io.sparkinfer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkinfer.gguf.GgufFile;
import io.sparkinfer.testutil.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** llama2.c's tokenizer.bin conventions and the stories260K golden output. */
class TokenizerLlama2cTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static int[] ints(JsonNode array) {
        return IntStream.range(0, array.size()).map(i -> array.get(i).asInt()).toArray();
    }

    @Test
    void llama2TokenizerBinMatchesLlama2cTestCases() throws Exception {
        Tokenizer tok = Tokenizer.fromLlama2c(SharedData.file("llama2c/tokenizer.bin"));
        assertEquals(32000, tok.vocabSize());
        JsonNode cases = JSON.readTree(SharedData.file("llama2c/tokenizer_bin_encode_cases.json").toFile()).get("cases");
        assertTrue(cases.size() >= 5);
        for (JsonNode c : cases) {
            String prompt = c.get("prompt").asText();
            // llama2.c's encode(bos=1, eos=0): BOS, a dummy space prefix unless the prompt is empty
            assertArrayEquals(ints(c.get("ids")), tok.encode(prompt, true, false), () -> "prompt '" + prompt + "'");
            int[] ids = tok.encode(prompt, true, false);
            assertEquals(prompt, tok.decode(ids), "round trip");
        }
    }

    @Test
    void tok512RoundTripsAndAgreesWithTheGgufVocabulary() throws Exception {
        Tokenizer bin = Tokenizer.fromLlama2c(SharedData.file("llama2c/tok512.bin"));
        assertEquals(512, bin.vocabSize());
        assertEquals(1, bin.bos());
        assertEquals(2, bin.eos());
        Tokenizer gguf;
        try (GgufFile f = GgufFile.open(SharedData.file("gguf/tinyllamas-stories-260k-f32.gguf"))) {
            gguf = Tokenizer.fromGguf(f);
        }
        assertEquals(512, gguf.vocabSize());
        assertTrue(gguf.vocabulary().addBos(), "no add_bos flag: SentencePiece default is to add BOS");
        String[] texts = {"", "Once upon a time, there was a little girl named Lily.",
                "She said, \"I'm sorry!\"\nThe end.", "  two  spaces and\ttab", "Unicode: café, 日本, 🦙"};
        for (String t : texts) {
            int[] ids = bin.encode(t, true, false);
            assertEquals(1, ids[0]);
            assertEquals(t, bin.decode(ids), "tok512 round trip of '" + t + "'");
            assertArrayEquals(ids, gguf.encode(t, true, false), "tok512.bin vs GGUF vocabulary on '" + t + "'");
        }
    }

    @Test
    void stories260KGreedyOutputDecodesToLlama2cText() throws Exception {
        JsonNode ref = JSON.readTree(SharedData.file("llama2c/ref_stories260K_greedy_ids.json").toFile());
        int[] generated = ints(ref.get("greedy_next_ids"));
        String golden = Files.readString(SharedData.file("llama2c/ref_stories260K_greedy_n200.txt"), StandardCharsets.UTF_8);
        // llama2.c prints the pieces of the generated ids, then a final newline
        Tokenizer tok = Tokenizer.fromLlama2c(SharedData.file("llama2c/tok512.bin"));
        assertEquals(golden, tok.decode(generated) + "\n");
        int[] withBos = IntStream.concat(IntStream.of(1), IntStream.of(generated)).toArray();
        assertEquals(golden, tok.decode(withBos) + "\n", "after BOS the first piece loses its leading space");
        // streaming, one id at a time, gives the same text
        TokenDecoder d = tok.decoderAfter(1);
        StringBuilder sb = new StringBuilder();
        for (int id : generated) {
            sb.append(d.feed(id));
        }
        sb.append(d.flush());
        assertEquals(golden, sb + "\n");
        try (GgufFile f = GgufFile.open(SharedData.file("gguf/tinyllamas-stories-260k-f32.gguf"))) {
            assertEquals(golden, Tokenizer.fromGguf(f).decode(generated) + "\n");
        }
    }

    @Test
    void truncatedTokenizerBinIsAClearError(@TempDir Path dir) throws Exception {
        byte[] all = Files.readAllBytes(SharedData.file("llama2c/tok512.bin"));
        Path cut = dir.resolve("cut.bin");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 3));
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizer.fromLlama2c(cut));
        assertTrue(e.getMessage().contains("cut.bin"), e.getMessage());
        assertThrows(TokenizerException.class, () -> Tokenizer.fromLlama2c(dir.resolve("missing.bin")));
    }

    @Test
    void byteFallbackAndEndOfGeneration() {
        Tokenizer tok = Tokenizer.fromLlama2c(SharedData.file("llama2c/tokenizer.bin"));
        int[] ids = tok.encode("日本\n", false, false);
        assertEquals("日本\n", tok.decode(ids));
        assertTrue(tok.isEog(2));
        assertFalse(tok.isEog(1));
        assertEquals("\n<s>\n", tok.piece(1)); // llama2.c's export spells BOS this way
        assertEquals("\n", tok.piece(13)); // <0x0A>
    }
}
