package io.sparkinfer.tokenizer;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pre-tokenizer stage given as one of llama.cpp's regexes, run the way llama.cpp runs the
 * regexes it has no hand-written splitter for, so that the splits agree:
 * <ul>
 *   <li>a regex with Unicode categories ({@code \p{L}}, {@code \p{N}}, ...) runs on a "collapsed"
 *       text where ASCII stays itself, non-ASCII whitespace becomes U+000B and every other
 *       non-ASCII codepoint becomes one stand-in character per category (U+00D1 numbers, U+00D2
 *       letters, U+00D3 punctuation, U+00D4 marks, U+00D5 symbols, U+00D0 the rest); each
 *       {@code \p{X}} becomes a class of its stand-in plus the ASCII members of the category;</li>
 *   <li>a regex without categories runs on the codepoints with non-ASCII whitespace replaced by
 *       U+000B (C++'s {@code \s}, like Java's, is ASCII-only).</li>
 * </ul>
 * Matches and the text between them both become segments. {@code $} means the segment end
 * (ECMAScript without multiline), written {@code \z} for Java.
 */
final class RegexSplitter implements Splitter {
    private static final Map<String, Integer> CATEGORIES = Map.of(
            "N", UnicodeFlags.NUMBER, "L", UnicodeFlags.LETTER, "P", UnicodeFlags.PUNCTUATION,
            "M", UnicodeFlags.ACCENT_MARK, "S", UnicodeFlags.SYMBOL,
            "Lu", UnicodeFlags.LETTER, "Ll", UnicodeFlags.LETTER, "Lt", UnicodeFlags.LETTER,
            "Lm", UnicodeFlags.LETTER, "Lo", UnicodeFlags.LETTER);
    /** The stand-in and the ASCII members of each category, as Java class syntax (llama.cpp's table; note '~' is absent from S there). */
    private static final Map<Integer, String> CLASS_BODY = Map.of(
            UnicodeFlags.NUMBER, "\\x{D1}0-9",
            UnicodeFlags.LETTER, "\\x{D2}A-Za-z",
            UnicodeFlags.PUNCTUATION, "\\x{D3}!-#%-*,-/:-;?-@\\[-\\]_\\{\\}",
            UnicodeFlags.ACCENT_MARK, "\\x{D4}",
            UnicodeFlags.SYMBOL, "\\x{D5}\\$\\+<->\\^`\\|");

    private final String source;
    private final Pattern pattern;
    private final boolean collapsed;

    RegexSplitter(String llamaRegex) {
        this.source = llamaRegex;
        this.collapsed = usesCategories(llamaRegex);
        String javaRegex = collapsed ? collapseRegex(llamaRegex) : dollarToEnd(llamaRegex);
        this.pattern = Pattern.compile(javaRegex);
    }

    String source() {
        return source;
    }

    static boolean usesCategories(String regex) {
        for (String c : CATEGORIES.keySet()) {
            if (regex.contains("\\p{" + c + "}")) {
                return true;
            }
        }
        return false;
    }

    /** Rewrites {@code \p{X}} as classes of stand-ins, the way llama.cpp does before calling std::regex. */
    static String collapseRegex(String regex) {
        StringBuilder sb = new StringBuilder();
        boolean inside = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c > 127) {
                throw new IllegalArgumentException("pre-tokenizer regex mixes Unicode categories and non-ASCII text: " + regex);
            }
            boolean escaped = i > 0 && regex.charAt(i - 1) == '\\';
            if (c == '[' && !escaped) {
                inside = true;
                sb.append(c);
                continue;
            }
            if (inside && c == ']' && !escaped) {
                inside = false;
                sb.append(c);
                continue;
            }
            if (c == '\\' && i + 3 < regex.length() && regex.charAt(i + 1) == 'p' && regex.charAt(i + 2) == '{') {
                int close = regex.indexOf('}', i + 3);
                if (close > 0) {
                    Integer cat = CATEGORIES.get(regex.substring(i + 3, close));
                    if (cat != null) {
                        sb.append(inside ? "" : "[").append(CLASS_BODY.get(cat)).append(inside ? "" : "]");
                        i = close;
                        continue;
                    }
                }
            }
            if (c == '$' && !escaped && !inside) {
                sb.append("\\z");
                continue;
            }
            sb.append(c);
        }
        return sb.toString();
    }

    private static String dollarToEnd(String regex) {
        StringBuilder sb = new StringBuilder();
        boolean inside = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            boolean escaped = i > 0 && regex.charAt(i - 1) == '\\';
            if (c == '[' && !escaped) {
                inside = true;
            } else if (c == ']' && !escaped) {
                inside = false;
            } else if (c == '$' && !escaped && !inside) {
                sb.append("\\z");
                continue;
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** The collapsed text: one char per codepoint. */
    static String collapse(int[] cps) {
        char[] out = new char[cps.length];
        for (int i = 0; i < cps.length; i++) {
            int cp = cps[i];
            if (cp < 128) {
                out[i] = (char) cp;
                continue;
            }
            int f = UnicodeFlags.of(cp);
            if ((f & UnicodeFlags.WHITESPACE) != 0) {
                out[i] = 0x0B;
            } else {
                out[i] = switch (f & UnicodeFlags.CATEGORIES) {
                    case UnicodeFlags.NUMBER -> 0xD1;
                    case UnicodeFlags.LETTER -> 0xD2;
                    case UnicodeFlags.PUNCTUATION -> 0xD3;
                    case UnicodeFlags.ACCENT_MARK -> 0xD4;
                    case UnicodeFlags.SYMBOL -> 0xD5;
                    default -> 0xD0;
                };
            }
        }
        return new String(out);
    }

    @Override
    public IntList split(int[] cps, IntList segments) {
        // the text the pattern sees, and for the wide form where surrogate pairs make char
        // indices differ from codepoint indices, the char offset of each codepoint
        String text;
        int[] charOffset = null;
        if (collapsed) {
            text = collapse(cps);
        } else {
            StringBuilder sb = new StringBuilder(cps.length + 16);
            boolean supplementary = false;
            for (int cp : cps) {
                if (cp > 0x7F && UnicodeFlags.isWhitespace(cp)) {
                    cp = 0x0B;
                }
                supplementary |= cp > 0xFFFF;
                sb.appendCodePoint(cp);
            }
            text = sb.toString();
            if (supplementary) {
                charOffset = new int[cps.length + 1];
                int off = 0;
                for (int i = 0; i < cps.length; i++) {
                    charOffset[i] = off;
                    off += Character.charCount(cps[i]);
                }
                charOffset[cps.length] = off;
            }
        }
        IntList out = new IntList(segments.size() * 4 + 16);
        Matcher m = pattern.matcher(text);
        int start = 0;
        for (int s = 0; s < segments.size(); s++) {
            int end = start + segments.get(s);
            int charStart = charOffset == null ? start : charOffset[start];
            int charEnd = charOffset == null ? end : charOffset[end];
            m.region(charStart, charEnd);
            int prev = charStart;
            while (m.find()) {
                if (m.end() == m.start()) {
                    continue; // none of the supported patterns matches empty; guard against looping anyway
                }
                if (m.start() > prev) {
                    out.add(cpCount(text, prev, m.start(), charOffset));
                }
                out.add(cpCount(text, m.start(), m.end(), charOffset));
                prev = m.end();
            }
            if (charEnd > prev) {
                out.add(cpCount(text, prev, charEnd, charOffset));
            }
            start = end;
        }
        return out;
    }

    private static int cpCount(String text, int from, int to, int[] charOffset) {
        return charOffset == null ? to - from : text.codePointCount(from, to);
    }
}
