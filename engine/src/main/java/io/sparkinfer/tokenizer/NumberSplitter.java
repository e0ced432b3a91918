package io.sparkinfer.tokenizer;

/**
 * {@code \p{N}} (each number alone) or {@code \p{N}+} (runs of numbers): the first stage of the
 * StarCoder-family and default pre-tokenizers. Text between matches stays one segment, as with
 * llama.cpp's regex split.
 */
final class NumberSplitter implements Splitter {
    private final boolean runs;

    NumberSplitter(boolean runs) {
        this.runs = runs;
    }

    @Override
    public IntList split(int[] cps, IntList segments) {
        IntList out = new IntList(segments.size() * 2 + 16);
        int start = 0;
        for (int s = 0; s < segments.size(); s++) {
            int end = start + segments.get(s);
            int prevEnd = start;
            int pos = start;
            while (pos < end) {
                if (!UnicodeFlags.isNumber(cps[pos])) {
                    pos++;
                    continue;
                }
                prevEnd = Gpt2Splitter.emit(out, prevEnd, pos);
                pos++;
                while (runs && pos < end && UnicodeFlags.isNumber(cps[pos])) {
                    pos++;
                }
                prevEnd = Gpt2Splitter.emit(out, prevEnd, pos);
            }
            Gpt2Splitter.emit(out, prevEnd, end);
            start = end;
        }
        return out;
    }
}
