package io.sparkinfer.tokenizer;

/**
 * Per-codepoint category flags with llama.cpp's meaning ({@code unicode-data.cpp}): exactly one
 * general category per codepoint, where unassigned codepoints count as control (Python's
 * {@code \p{C}} includes Cn), and a separate whitespace bit that is Unicode's White_Space
 * property (not Java's {@link Character#isWhitespace}, which differs on U+00A0, U+2007, U+202F
 * and U+001C..U+001F).
 */
final class UnicodeFlags {
    static final int NUMBER = 0x02;
    static final int LETTER = 0x04;
    static final int SEPARATOR = 0x08;
    static final int ACCENT_MARK = 0x10;
    static final int PUNCTUATION = 0x20;
    static final int SYMBOL = 0x40;
    static final int CONTROL = 0x80;
    static final int CATEGORIES = 0xFF;
    static final int WHITESPACE = 0x100;

    private static final int MAX = 0x110000;
    /** Built once; a short per codepoint (2.2 MB) keeps the splitters free of branches on type. */
    private static final short[] TABLE = build();

    private UnicodeFlags() {
    }

    /** Flags of a codepoint; 0 for values outside Unicode (llama.cpp's "out of range"). */
    static int of(int cp) {
        return cp >= 0 && cp < MAX ? TABLE[cp] : 0;
    }

    static boolean isLetter(int cp) {
        return (of(cp) & LETTER) != 0;
    }

    static boolean isNumber(int cp) {
        return (of(cp) & NUMBER) != 0;
    }

    static boolean isWhitespace(int cp) {
        return (of(cp) & WHITESPACE) != 0;
    }

    private static short[] build() {
        short[] t = new short[MAX];
        for (int cp = 0; cp < MAX; cp++) {
            t[cp] = (short) category(Character.getType(cp));
        }
        int[] ws = {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004,
                0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
        for (int cp : ws) {
            t[cp] |= WHITESPACE;
        }
        return t;
    }

    private static int category(int javaType) {
        return switch (javaType) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> ACCENT_MARK;
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION -> PUNCTUATION;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                    Character.OTHER_SYMBOL -> SYMBOL;
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> SEPARATOR;
            default -> CONTROL; // Cc, Cf, Cs, Co and unassigned
        };
    }
}
