package io.sparkinfer.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE (GPT-2 style) as llama.cpp runs it: the pre-tokenizer cuts the text into
 * words, each word's UTF-8 bytes become GPT-2's byte characters, and the adjacent pair with the
 * lowest merge rank is merged until no pair has a rank (leftmost first on ties).
 *
 * <p>Symbols are ids: token ids, plus ids past the vocabulary for the few strings that merges
 * mention but the vocabulary lacks, so merging is integer work on a precomputed pair table.
 * Words repeat a lot in real text, so their ids are cached (bounded, shared by all threads).
 */
final class BpeEncoder implements TextEncoder {
    private static final int CACHE_LIMIT = 1 << 17;
    private static final int MAX_CACHED_WORD = 64;

    private final PreTokenizer pre;
    private final Map<String, Integer> tokenToId;
    private final int vocabSize;
    private final LongIntMap ranks;        // (left, right) -> rank
    private final int[] mergeResult;       // rank -> merged symbol
    private final List<String> extraTexts = new ArrayList<>(); // symbol vocabSize + i -> text
    private final int[] byteSymbol = new int[256];
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    BpeEncoder(Vocabulary v, Map<String, Integer> tokenToId, PreTokenizer pre) {
        this.pre = pre;
        this.tokenToId = tokenToId;
        this.vocabSize = v.size();
        Map<String, Integer> extras = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            byteSymbol[b] = symbol(String.valueOf(ByteUnicode.BYTE_TO_CHAR[b]), extras);
        }
        String[] merges = v.merges();
        ranks = new LongIntMap(merges.length);
        mergeResult = new int[merges.length];
        for (int rank = 0; rank < merges.length; rank++) {
            String m = merges[rank];
            int space = m.indexOf(' ', 1);
            if (space < 0) {
                mergeResult[rank] = -1;
                continue; // llama.cpp files such a line under an empty pair that never matches
            }
            String a = m.substring(0, space);
            String b = m.substring(space + 1);
            int l = symbol(a, extras);
            int r = symbol(b, extras);
            mergeResult[rank] = symbol(a + b, extras);
            ranks.putIfAbsent(LongIntMap.pair(l, r), rank);
        }
    }

    private int symbol(String text, Map<String, Integer> extras) {
        Integer id = tokenToId.get(text);
        if (id != null) {
            return id;
        }
        return extras.computeIfAbsent(text, t -> {
            extraTexts.add(t);
            return vocabSize + extraTexts.size() - 1;
        });
    }

    private static final class Scratch {
        int[] sym = new int[64];
        int[] next = new int[64];
        int[] prev = new int[64];
        final MergeQueue queue = new MergeQueue();
        final IntList ids = new IntList(64);

        void ensure(int n) {
            if (sym.length < n) {
                int c = Math.max(n, sym.length * 2);
                sym = new int[c];
                next = new int[c];
                prev = new int[c];
            }
        }
    }

    @Override
    public void encode(String text, boolean afterSpecial, IntList out) {
        int[] cps = text.codePoints().toArray();
        IntList words = pre.split(cps);
        Scratch s = scratch.get();
        int start = 0;
        for (int w = 0; w < words.size(); w++) {
            int len = words.get(w);
            String word = new String(cps, start, len);
            start += len;
            int[] cached = cache.get(word);
            if (cached == null) {
                s.ids.clear();
                encodeWord(word, s);
                cached = s.ids.toArray();
                if (word.length() <= MAX_CACHED_WORD) {
                    if (cache.size() >= CACHE_LIMIT) {
                        cache.clear(); // crude bound; real text refills the hot words at once
                    }
                    cache.put(word, cached);
                }
            }
            out.addAll(cached);
        }
    }

    private void encodeWord(String word, Scratch s) {
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        int n = bytes.length;
        if (pre.ignoreMerges()) {
            Integer whole = tokenToId.get(ByteUnicode.encode(bytes, 0, n));
            if (whole != null) {
                s.ids.add(whole);
                return;
            }
        }
        s.ensure(n);
        int[] sym = s.sym;
        int[] next = s.next;
        int[] prev = s.prev;
        for (int i = 0; i < n; i++) {
            sym[i] = byteSymbol[bytes[i] & 0xFF];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        MergeQueue q = s.queue;
        q.clear();
        for (int i = 1; i < n; i++) {
            tryAdd(q, sym, i - 1, i);
        }
        while (!q.isEmpty()) {
            q.pop();
            int l = q.topLeft;
            int r = q.topRight;
            if (sym[l] != q.topLeftSym || sym[r] != q.topRightSym || next[l] != r) {
                continue; // stale
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
        for (int i = 0; i != -1; i = next[i]) {
            int id = sym[i];
            if (id < vocabSize) {
                s.ids.add(id);
            } else {
                // a merged string the vocabulary lacks: llama.cpp emits its single-byte tokens, where they exist
                for (byte b : extraTexts.get(id - vocabSize).getBytes(StandardCharsets.UTF_8)) {
                    Integer t = b >= 0 ? tokenToId.get(String.valueOf((char) b)) : null;
                    if (t != null) {
                        s.ids.add(t);
                    }
                }
            }
        }
    }

    private void tryAdd(MergeQueue q, int[] sym, int l, int r) {
        int rank = ranks.get(LongIntMap.pair(sym[l], sym[r]), -1);
        if (rank >= 0 && mergeResult[rank] >= 0) {
            q.push(-rank, l, r, sym[l], sym[r], mergeResult[rank]);
        }
    }
}
