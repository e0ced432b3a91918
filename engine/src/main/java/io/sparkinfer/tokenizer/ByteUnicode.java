package io.sparkinfer.tokenizer;

/**
 * GPT-2's reversible byte-to-character map: printable Latin-1 bytes map to themselves, the 68
 * others to U+0100.. in byte order, so every byte string becomes a string of visible
 * characters that BPE vocabularies store.
 */
final class ByteUnicode {
    /** byte value -> character. */
    static final char[] BYTE_TO_CHAR = new char[256];
    /** character (below U+0200) -> byte value, or -1. */
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteUnicode() {
    }

    /** The byte a character stands for, or -1 when it is not one of the 256. */
    static int toByte(int c) {
        return c >= 0 && c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    static String encode(byte[] bytes, int from, int to) {
        char[] out = new char[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }
}
