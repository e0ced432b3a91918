package io.sparkinfer.tokenizer;

/**
 * A hand-written matcher for the Llama 3 pattern
 * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}
 * (llama.cpp's custom splitter). Qwen2's pattern is the same with {@code \p{N}} instead of
 * {@code \p{N}{1,3}}, so {@code maxDigits} 1 gives it: llama.cpp runs that one through
 * std::regex on its category-collapsed text, and for this pattern the two agree (checked against
 * {@link RegexSplitter} in the tests).
 */
final class Llama3Splitter implements Splitter {
    private final int maxDigits;

    Llama3Splitter(int maxDigits) {
        this.maxDigits = maxDigits;
    }

    @Override
    public IntList split(int[] cps, IntList segments) {
        IntList out = new IntList(segments.size() * 4 + 16);
        int start = 0;
        for (int s = 0; s < segments.size(); s++) {
            int end = start + segments.get(s);
            splitOne(cps, start, end, out);
            start = end;
        }
        return out;
    }

    private static int flagsAt(int[] cps, int pos, int end) {
        return pos < end ? UnicodeFlags.of(cps[pos]) : 0;
    }

    private static int lower(int cp) {
        return Character.toLowerCase(cp);
    }

    private void splitOne(int[] cps, int start, int end, IntList out) {
        int prevEnd = start;
        int pos = start;
        while (pos < end) {
            int cp = cps[pos];
            int flags = UnicodeFlags.of(cp);
            // (?i:'s|'t|'re|'ve|'m|'ll|'d)
            if (cp == '\'' && pos + 1 < end) {
                int next = lower(cps[pos + 1]);
                if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                    pos += 2;
                    prevEnd = Gpt2Splitter.emit(out, prevEnd, pos);
                    continue;
                }
                if (pos + 2 < end) {
                    int next2 = lower(cps[pos + 2]);
                    if ((next == 'r' && next2 == 'e') || (next == 'v' && next2 == 'e') || (next == 'l' && next2 == 'l')) {
                        pos += 3;
                        prevEnd = Gpt2Splitter.emit(out, prevEnd, pos);
                        continue;
                    }
                }
            }
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if (!(cp == '\r' || cp == '\n' || (flags & UnicodeFlags.NUMBER) != 0)) {
                if ((flags & UnicodeFlags.LETTER) != 0 || (flagsAt(cps, pos + 1, end) & UnicodeFlags.LETTER) != 0) {
                    pos++;
                    while ((flagsAt(cps, pos, end) & UnicodeFlags.LETTER) != 0) {
                        pos++;
                    }
                    prevEnd = Gpt2Splitter.emit(out, prevEnd, pos);
                    continue;
                }
            }
            // \p{N}{1,maxDigits}
            if ((flags & UnicodeFlags.NUMBER) != 0) {
                int groupStart = pos;
                while ((flagsAt(cps, pos, end) & UnicodeFlags.NUMBER) != 0) {
                    pos++;
                    if (pos - groupStart >= maxDigits) {
                        prevEnd = Gpt2Splitter.emit(out, prevEnd, pos);
                        groupStart = pos;
                    }
                }
                prevEnd = Gpt2Splitter.emit(out, prevEnd, pos);
                continue;
            }
            // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
            int flags2 = cp == ' ' ? flagsAt(cps, pos + 1, end) : flags;
            if (Gpt2Splitter.isOther(flags2)) {
                pos += cp == ' ' ? 1 : 0;
                while (Gpt2Splitter.isOther(flagsAt(cps, pos, end))) {
                    pos++;
                }
                while (pos < end && (cps[pos] == '\r' || cps[pos] == '\n')) {
                    pos++;
                }
                prevEnd = Gpt2Splitter.emit(out, prevEnd, pos);
                continue;
            }
            int spaces = 0;
            int afterLastNewline = 0;
            while ((flagsAt(cps, pos + spaces, end) & UnicodeFlags.WHITESPACE) != 0) {
                int c = cps[pos + spaces];
                if (c == '\r' || c == '\n') {
                    afterLastNewline = pos + spaces + 1;
                }
                spaces++;
            }
            if (afterLastNewline > 0) { // \s*[\r\n]+
                pos = afterLastNewline;
                prevEnd = Gpt2Splitter.emit(out, prevEnd, pos);
                continue;
            }
            if (spaces > 1 && pos + spaces < end) { // \s+(?!\S)
                pos += spaces - 1;
                prevEnd = Gpt2Splitter.emit(out, prevEnd, pos);
                continue;
            }
            if (spaces > 0) { // \s+
                pos += spaces;
                prevEnd = Gpt2Splitter.emit(out, prevEnd, pos);
                continue;
            }
            pos++;
            prevEnd = Gpt2Splitter.emit(out, prevEnd, pos);
        }
    }
}
