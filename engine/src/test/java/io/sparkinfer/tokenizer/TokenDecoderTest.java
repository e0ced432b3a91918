package io.sparkinfer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.gguf.GgufFile;
import io.sparkinfer.testutil.SharedData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming decoder holds partial UTF-8 characters across byte-fallback tokens. */
class TokenDecoderTest {

    @Test
    void holdsPartialUtf8AcrossByteTokens() throws Exception {
        Tokenizer tok;
        try (GgufFile f = GgufFile.open(SharedData.file("llamacpp-vocab/ggml-vocab-llama-spm.gguf"))) {
            tok = Tokenizer.fromGguf(f);
        }
        // 𝄞 (U+1D11E) is not a Llama token: four byte tokens <0xF0><0x9D><0x84><0x9E>
        String text = "a𝄞b";
        int[] ids = tok.encode(text, false, false);
        TokenDecoder d = tok.decoder();
        List<String> outputs = new ArrayList<>();
        int heldMax = 0;
        for (int id : ids) {
            outputs.add(d.feed(id));
            heldMax = Math.max(heldMax, d.pendingBytes());
        }
        outputs.add(d.flush());
        assertEquals(3, heldMax, "three bytes of 𝄞 wait for the fourth");
        assertEquals(text, String.join("", outputs));
        for (String s : outputs) {
            assertTrue(s.chars().noneMatch(c -> c == 0xFFFD), "no replacement characters: " + outputs);
        }
    }

    @Test
    void byteLevelBpeCharactersSplitAcrossTokens() throws Exception {
        Tokenizer tok;
        try (GgufFile f = GgufFile.open(SharedData.file("llamacpp-vocab/ggml-vocab-gpt-2.gguf"))) {
            tok = Tokenizer.fromGguf(f);
        }
        String text = "Hello 🦙 and 日本語 ok";
        int[] ids = tok.encode(text, false, false);
        TokenDecoder d = tok.decoder();
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            String s = d.feed(id);
            assertTrue(s.chars().noneMatch(c -> c == 0xFFFD), "partial character emitted: " + s);
            sb.append(s);
        }
        assertEquals(text, sb + d.flush());
    }

    @Test
    void completePrefixRules() {
        assertEquals(0, TokenDecoder.completePrefix(new byte[] {(byte) 0xE6}));
        assertEquals(0, TokenDecoder.completePrefix(new byte[] {(byte) 0xE6, (byte) 0x97}));
        assertEquals(3, TokenDecoder.completePrefix(new byte[] {(byte) 0xE6, (byte) 0x97, (byte) 0xA5}));
        assertEquals(1, TokenDecoder.completePrefix(new byte[] {'a', (byte) 0xF0}));
        assertEquals(1, TokenDecoder.completePrefix(new byte[] {(byte) 0x80})); // stray continuation: not held
    }

    @Test
    void unfinishedCharacterFlushesAsReplacement() {
        Tokenizer tok = Tokenizer.fromLlama2c(SharedData.file("llama2c/tokenizer.bin"));
        TokenDecoder d = tok.decoderAfter(13);
        int c3 = java.util.Arrays.asList(tok.vocabulary().tokens()).indexOf("<0xC3>");
        assertEquals("", d.feed(c3));
        assertEquals("\uFFFD", d.flush());
    }
}
