package io.sparkinfer.tokenizer;

/**
 * A hand-written matcher for GPT-2's pattern
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}, with the
 * same decisions as llama.cpp's custom splitter (which it uses instead of a regex engine), one
 * pass, no backtracking. Lookahead stops at the segment end, as a regex bounded to the segment.
 */
final class Gpt2Splitter implements Splitter {
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

    private static void splitOne(int[] cps, int start, int end, IntList out) {
        int prevEnd = start;
        int pos = start;
        while (pos < end) {
            int cp = cps[pos];
            int flags = UnicodeFlags.of(cp);
            // 's|'t|'re|'ve|'m|'ll|'d (case-sensitive in GPT-2)
            if (cp == '\'' && pos + 1 < end) {
                int next = cps[pos + 1];
                if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                    pos += 2;
                    prevEnd = emit(out, prevEnd, pos);
                    continue;
                }
                if (pos + 2 < end) {
                    int next2 = cps[pos + 2];
                    if ((next == 'r' && next2 == 'e') || (next == 'v' && next2 == 'e') || (next == 'l' && next2 == 'l')) {
                        pos += 3;
                        prevEnd = emit(out, prevEnd, pos);
                        continue;
                    }
                }
            }
            int flags2 = cp == ' ' ? flagsAt(cps, pos + 1, end) : flags;
            int skipSpace = cp == ' ' ? 1 : 0;
            if ((flags2 & UnicodeFlags.LETTER) != 0) { // ' ?\p{L}+'
                pos += skipSpace;
                while ((flagsAt(cps, pos, end) & UnicodeFlags.LETTER) != 0) {
                    pos++;
                }
                prevEnd = emit(out, prevEnd, pos);
                continue;
            }
            if ((flags2 & UnicodeFlags.NUMBER) != 0) { // ' ?\p{N}+'
                pos += skipSpace;
                while ((flagsAt(cps, pos, end) & UnicodeFlags.NUMBER) != 0) {
                    pos++;
                }
                prevEnd = emit(out, prevEnd, pos);
                continue;
            }
            if (isOther(flags2)) { // ' ?[^\s\p{L}\p{N}]+'
                pos += skipSpace;
                while (isOther(flagsAt(cps, pos, end))) {
                    pos++;
                }
                prevEnd = emit(out, prevEnd, pos);
                continue;
            }
            int spaces = 0;
            while ((flagsAt(cps, pos + spaces, end) & UnicodeFlags.WHITESPACE) != 0) {
                spaces++;
            }
            if (spaces > 1 && pos + spaces < end) { // '\s+(?!\S)': leave the last space to the next word
                pos += spaces - 1;
                prevEnd = emit(out, prevEnd, pos);
                continue;
            }
            if (spaces > 0) { // '\s+'
                pos += spaces;
                prevEnd = emit(out, prevEnd, pos);
                continue;
            }
            pos++;
            prevEnd = emit(out, prevEnd, pos);
        }
    }

    /** {@code [^\s\p{L}\p{N}]} for a codepoint inside the segment (flags 0 means past its end). */
    static boolean isOther(int flags) {
        return flags != 0 && (flags & (UnicodeFlags.WHITESPACE | UnicodeFlags.LETTER | UnicodeFlags.NUMBER)) == 0;
    }

    static int emit(IntList out, int prevEnd, int end) {
        if (end > prevEnd) {
            out.add(end - prevEnd);
        }
        return end;
    }
}
