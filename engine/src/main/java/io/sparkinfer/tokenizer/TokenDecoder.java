package io.sparkinfer.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns ids into text one at a time, for streaming generated output: each call returns only
 * complete UTF-8 characters and holds back the bytes of a character that byte-fallback tokens
 * ({@code <0xE4>}, {@code <0xBD>}, ...) have only begun. Not thread-safe: one per sequence.
 */
public final class TokenDecoder {
    private final VocabTokenizer tokenizer;
    private final boolean renderSpecial;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean stripNextSpace;

    TokenDecoder(VocabTokenizer tokenizer, boolean atTextStart, boolean renderSpecial) {
        this.tokenizer = tokenizer;
        this.renderSpecial = renderSpecial;
        this.stripNextSpace = atTextStart && tokenizer.vocabulary().addSpacePrefix();
    }

    /** Adds one id; returns the characters it completes (possibly empty). */
    public String feed(int id) {
        stripNextSpace = tokenizer.appendPiece(id, renderSpecial, stripNextSpace, pending);
        byte[] buf = pending.toByteArray();
        int complete = completePrefix(buf);
        if (complete == 0) {
            return "";
        }
        pending.reset();
        pending.write(buf, complete, buf.length - complete);
        return new String(buf, 0, complete, StandardCharsets.UTF_8);
    }

    /** Whatever is still held back (an unfinished character decodes as U+FFFD); the decoder is empty afterwards. */
    public String flush() {
        String s = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        return s;
    }

    /** Bytes held back, waiting for the rest of a character. */
    public int pendingBytes() {
        return pending.size();
    }

    /**
     * Length of the longest prefix that does not end inside a multi-byte character that could
     * still be completed. Invalid bytes are not held (they decode as U+FFFD right away).
     */
    static int completePrefix(byte[] b) {
        int n = b.length;
        // look back at most 3 bytes for the lead byte of the last character
        for (int back = 1; back <= Math.min(3, n); back++) {
            int c = b[n - back] & 0xFF;
            if ((c & 0xC0) == 0x80) {
                continue; // continuation byte: keep looking for the lead
            }
            int need = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c < 0xF0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 1;
            return need > back ? n - back : n;
        }
        return n;
    }
}
