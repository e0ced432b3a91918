package io.sparkinfer.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts special tokens out of a text before the text is tokenized, with llama.cpp's rules
 * ({@code tokenizer_st_partition}): tokens are tried longest first, each one split out of every
 * text fragment left by the ones before; control and unknown tokens only when parsing special
 * tokens, user-defined ones always; a token with lstrip/rstrip eats the spaces beside it.
 * A first pass finds which tokens occur at all, so the per-token passes run only for those.
 */
final class SpecialTokens {
    private final String[] texts;     // by rank: longest first
    private final int[] ids;
    private final boolean[] control;  // skipped unless parsing special tokens
    private final boolean[] lstrip;
    private final boolean[] rstrip;
    private final boolean[] firstChar = new boolean[65536];
    private final int[][] byFirstChar; // ranks of tokens starting with a char, indexed via charIndex
    private final java.util.HashMap<Character, Integer> charIndex = new java.util.HashMap<>();

    SpecialTokens(String[] tokens, int[] attrs) {
        List<Integer> cand = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            if ((attrs[i] & (VocabTokenizer.ATTR_CONTROL | VocabTokenizer.ATTR_USER_DEFINED | VocabTokenizer.ATTR_UNKNOWN)) != 0
                    && !tokens[i].isEmpty()) {
                cand.add(i);
            }
        }
        cand.sort(Comparator.<Integer>comparingInt(i -> -tokens[i].length()).thenComparingInt(i -> i));
        int n = cand.size();
        texts = new String[n];
        ids = new int[n];
        control = new boolean[n];
        lstrip = new boolean[n];
        rstrip = new boolean[n];
        List<List<Integer>> groups = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            int id = cand.get(r);
            texts[r] = tokens[id];
            ids[r] = id;
            control[r] = (attrs[id] & (VocabTokenizer.ATTR_CONTROL | VocabTokenizer.ATTR_UNKNOWN)) != 0;
            lstrip[r] = (attrs[id] & VocabTokenizer.ATTR_LSTRIP) != 0;
            rstrip[r] = (attrs[id] & VocabTokenizer.ATTR_RSTRIP) != 0;
            char c = texts[r].charAt(0);
            firstChar[c] = true;
            Integer g = charIndex.get(c);
            if (g == null) {
                g = groups.size();
                charIndex.put(c, g);
                groups.add(new ArrayList<>());
            }
            groups.get(g).add(r);
        }
        byFirstChar = new int[groups.size()][];
        for (int g = 0; g < groups.size(); g++) {
            byFirstChar[g] = groups.get(g).stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /**
     * Fragments of {@code text} as triples (token id, start, end): token id -1 for text between
     * special tokens, otherwise a special token (start/end then unused).
     */
    IntList partition(String text, boolean parseSpecial) {
        IntList frags = new IntList(3);
        if (text.isEmpty()) {
            return frags;
        }
        frags.add(-1);
        frags.add(0);
        frags.add(text.length());
        boolean[] present = present(text, parseSpecial);
        if (present == null) {
            return frags;
        }
        for (int r = 0; r < texts.length; r++) {
            if (!present[r]) {
                continue;
            }
            String tok = texts[r];
            IntList next = new IntList(frags.size() + 6);
            for (int f = 0; f < frags.size(); f += 3) {
                int id = frags.get(f);
                int s = frags.get(f + 1);
                int e = frags.get(f + 2);
                if (id >= 0) {
                    add(next, id, 0, 0);
                    continue;
                }
                int at = text.indexOf(tok, s);
                while (at >= 0 && at + tok.length() <= e) {
                    int leftEnd = at;
                    if (lstrip[r]) {
                        while (leftEnd > s && isSpace(text.charAt(leftEnd - 1))) {
                            leftEnd--;
                        }
                    }
                    if (leftEnd > s) {
                        add(next, -1, s, leftEnd);
                    }
                    add(next, ids[r], 0, 0);
                    s = at + tok.length();
                    if (rstrip[r]) {
                        while (s < e && isSpace(text.charAt(s))) {
                            s++;
                        }
                    }
                    at = s < e ? text.indexOf(tok, s) : -1;
                }
                if (e > s) {
                    add(next, -1, s, e);
                }
            }
            frags = next;
        }
        return frags;
    }

    /** Which eligible tokens occur anywhere in the text; null when none does. */
    private boolean[] present(String text, boolean parseSpecial) {
        boolean[] present = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!firstChar[c]) {
                continue;
            }
            for (int r : byFirstChar[charIndex.get(c)]) {
                if ((parseSpecial || !control[r]) && text.startsWith(texts[r], i)) {
                    if (present == null) {
                        present = new boolean[texts.length];
                    }
                    present[r] = true;
                }
            }
        }
        return present;
    }

    private static void add(IntList l, int id, int s, int e) {
        l.add(id);
        l.add(s);
        l.add(e);
    }

    /** C's isspace in the "C" locale, which llama.cpp uses for lstrip/rstrip. */
    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    int count() {
        return texts.length;
    }

    @Override
    public String toString() {
        return "SpecialTokens" + Arrays.toString(Arrays.copyOf(texts, Math.min(5, texts.length)));
    }
}
