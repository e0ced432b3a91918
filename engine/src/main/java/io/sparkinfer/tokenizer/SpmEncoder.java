package io.sparkinfer.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * SentencePiece-style BPE as llama.cpp runs it (and llama2.c, which agrees): spaces become '▁',
 * a space is put before the text, the text starts as one symbol per character, and the adjacent
 * pair whose concatenation is the highest-scoring token is merged until no pair is a token
 * (leftmost first on equal scores). Characters that never became a token fall back to their
 * UTF-8 bytes as {@code <0xNN>} tokens.
 *
 * <p>Symbols are ids: a token id, or {@code vocabSize + codepoint} for a character that is not a
 * token. All possible merges are precomputed as (left symbol, right symbol) -> token, from every
 * split of every token into two parts that can be symbols, so merging never builds strings.
 */
final class SpmEncoder implements TextEncoder {
    private static final char SPACE = '\u2581';

    private final int vocabSize;
    private final float[] scores;
    private final int[] bmpSymbol = new int[65536];   // single-char token per BMP char, or -1
    private final Map<Integer, Integer> supplementarySymbol = new HashMap<>();
    private final int[] byteToken = new int[256];
    private final LongIntMap merges;
    private final boolean addSpacePrefix;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    SpmEncoder(Vocabulary v, Map<String, Integer> tokenToId) {
        String[] tokens = v.tokens();
        this.vocabSize = tokens.length;
        this.scores = v.scores();
        this.addSpacePrefix = v.addSpacePrefix();
        java.util.Arrays.fill(bmpSymbol, -1);
        for (int id = 0; id < tokens.length; id++) {
            String t = tokens[id];
            if (t.codePointCount(0, t.length()) == 1 && tokenToId.get(t) == id) {
                int cp = t.codePointAt(0);
                if (cp < 65536) {
                    bmpSymbol[cp] = id;
                } else {
                    supplementarySymbol.put(cp, id);
                }
            }
        }
        for (int b = 0; b < 256; b++) {
            Integer id = tokenToId.get(String.format("<0x%02X>", b));
            if (id == null && b < 0x80) {
                id = tokenToId.get(String.valueOf((char) b));
            }
            byteToken[b] = id != null ? id : v.unk();
        }
        merges = new LongIntMap(tokens.length * 8);
        for (int id = 0; id < tokens.length; id++) {
            String t = tokens[id];
            if (tokenToId.get(t) != id) {
                continue; // a duplicate text: the first id owns it
            }
            for (int k = t.offsetByCodePoints(0, 1); k < t.length(); k = t.offsetByCodePoints(k, 1)) {
                int l = symbolOf(t.substring(0, k), tokenToId);
                int r = symbolOf(t.substring(k), tokenToId);
                if (l >= 0 && r >= 0) {
                    merges.putIfAbsent(LongIntMap.pair(l, r), id);
                }
            }
        }
    }

    private int symbolOf(String s, Map<String, Integer> tokenToId) {
        Integer id = tokenToId.get(s);
        if (id != null) {
            return id;
        }
        return s.codePointCount(0, s.length()) == 1 ? vocabSize + s.codePointAt(0) : -1;
    }

    private int charSymbol(int cp) {
        if (cp < 65536) {
            int id = bmpSymbol[cp];
            return id >= 0 ? id : vocabSize + cp;
        }
        Integer id = supplementarySymbol.get(cp);
        return id != null ? id : vocabSize + cp;
    }

    /** Per-thread work arrays, grown as needed. */
    private static final class Scratch {
        int[] sym = new int[256];
        int[] prev = new int[256];
        int[] next = new int[256];
        final MergeQueue queue = new MergeQueue();

        void ensure(int n) {
            if (sym.length < n) {
                int c = Math.max(n, sym.length * 2);
                sym = new int[c];
                prev = new int[c];
                next = new int[c];
            }
        }
    }

    @Override
    public void encode(String text, boolean afterSpecial, IntList out) {
        boolean prefix = addSpacePrefix && afterSpecial;
        int n = text.codePointCount(0, text.length()) + (prefix ? 1 : 0);
        if (n == 0) {
            return;
        }
        Scratch s = scratch.get();
        s.ensure(n);
        int[] sym = s.sym;
        int[] prev = s.prev;
        int[] next = s.next;
        int i = 0;
        if (prefix) {
            sym[i++] = charSymbol(SPACE);
        }
        for (int k = 0; k < text.length(); ) {
            int cp = text.codePointAt(k);
            k += Character.charCount(cp);
            sym[i++] = charSymbol(cp == ' ' ? SPACE : cp);
        }
        for (int j = 0; j < n; j++) {
            prev[j] = j - 1;
            next[j] = j + 1 < n ? j + 1 : -1;
        }
        MergeQueue q = s.queue;
        q.clear();
        for (int j = 1; j < n; j++) {
            tryAdd(q, sym, j - 1, j);
        }
        while (!q.isEmpty()) {
            q.pop();
            int l = q.topLeft;
            int r = q.topRight;
            if (sym[l] != q.topLeftSym || sym[r] != q.topRightSym || next[l] != r) {
                continue; // stale: a neighbour merged first
            }
            sym[l] = q.topMerged;
            sym[r] = -1;
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            if (prev[l] >= 0) {
                tryAdd(q, sym, prev[l], l);
            }
            if (next[l] >= 0) {
                tryAdd(q, sym, l, next[l]);
            }
        }
        for (int j = 0; j != -1; j = next[j]) {
            int id = sym[j];
            if (id < vocabSize) {
                out.add(id);
            } else {
                byte[] bytes = new String(Character.toChars(id - vocabSize)).getBytes(StandardCharsets.UTF_8);
                for (byte b : bytes) {
                    out.add(byteToken[b & 0xFF]);
                }
            }
        }
    }

    private void tryAdd(MergeQueue q, int[] sym, int l, int r) {
        int m = merges.get(LongIntMap.pair(sym[l], sym[r]), -1);
        if (m >= 0) {
            q.push(scores[m], l, r, sym[l], sym[r], m);
        }
    }
}
