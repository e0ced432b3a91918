package io.sparkinfer.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@link Tokenizer} over a {@link Vocabulary}: special-token partitioning, BOS/EOS, pieces
 * and decoding are shared; the text itself goes to the SentencePiece or byte-level BPE encoder.
 * Token attributes follow llama.cpp, including its fix-ups by token text (end-of-generation
 * tokens become control tokens) and by model name (Phi-3 special tokens strip spaces after them).
 */
final class VocabTokenizer implements Tokenizer {
    static final int ATTR_UNKNOWN = 1;
    static final int ATTR_UNUSED = 1 << 1;
    static final int ATTR_NORMAL = 1 << 2;
    static final int ATTR_CONTROL = 1 << 3;
    static final int ATTR_USER_DEFINED = 1 << 4;
    static final int ATTR_BYTE = 1 << 5;
    static final int ATTR_LSTRIP = 1 << 7;
    static final int ATTR_RSTRIP = 1 << 8;

    /** Token texts llama.cpp treats as end of generation whatever the file says. */
    private static final Set<String> EOG_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>", "<end_of_utterance>",
            "<|return|>", "<|call|>");

    private final Vocabulary vocab;
    private final int[] attrs;
    private final byte[][] pieces;
    private final boolean[] eog;
    private final SpecialTokens special;
    private final TextEncoder encoder;

    VocabTokenizer(Vocabulary v) {
        this.vocab = v;
        String[] tokens = v.tokens();
        int n = tokens.length;
        Map<String, Integer> tokenToId = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            tokenToId.putIfAbsent(tokens[i], i);
        }
        attrs = new int[n];
        for (int i = 0; i < n; i++) {
            attrs[i] = switch (v.type(i)) {
                case NORMAL -> ATTR_NORMAL;
                case UNKNOWN -> ATTR_UNKNOWN;
                case CONTROL -> ATTR_CONTROL;
                case USER_DEFINED -> ATTR_USER_DEFINED;
                case UNUSED -> ATTR_UNUSED;
                case BYTE -> ATTR_BYTE;
                case UNDEFINED -> 0;
            };
        }
        eog = new boolean[n];
        for (int i = 0; i < n; i++) {
            if (EOG_TEXTS.contains(tokens[i])) {
                eog[i] = true;
                attrs[i] |= ATTR_CONTROL;
            }
        }
        for (int id : new int[] {v.eos(), v.eot(), v.eom()}) {
            if (id >= 0) {
                eog[id] = true;
            }
        }
        String name = v.name().toLowerCase(Locale.ROOT);
        if (name.contains("phi-3") || name.contains("phi3")) {
            for (int i = 0; i < n; i++) {
                if ((attrs[i] & (ATTR_CONTROL | ATTR_USER_DEFINED | ATTR_UNKNOWN)) != 0) {
                    attrs[i] |= ATTR_RSTRIP;
                }
            }
            setRstrip(tokenToId, "</s>", true);
            for (String t : new String[] {"<unk>", "<s>", "<|endoftext|>"}) {
                setRstrip(tokenToId, t, false);
            }
        }
        special = new SpecialTokens(tokens, attrs);
        boolean spm = v.model().equals("llama");
        pieces = new byte[n][];
        for (int i = 0; i < n; i++) {
            pieces[i] = pieceOf(tokens[i], attrs[i], spm);
        }
        encoder = spm ? new SpmEncoder(v, tokenToId) : new BpeEncoder(v, tokenToId, PreTokenizer.forName(v.pre()));
    }

    private void setRstrip(Map<String, Integer> tokenToId, String text, boolean on) {
        Integer id = tokenToId.get(text);
        if (id != null) {
            attrs[id] = on ? attrs[id] | ATTR_RSTRIP : attrs[id] & ~ATTR_RSTRIP;
        }
    }

    /** llama.cpp's token_to_piece with special tokens shown. */
    private static byte[] pieceOf(String text, int attr, boolean spm) {
        if ((attr & (ATTR_CONTROL | ATTR_UNKNOWN | ATTR_USER_DEFINED)) != 0) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if ((attr & ATTR_NORMAL) != 0) {
            if (spm) {
                return text.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
            for (int k = 0; k < text.length(); ) {
                int cp = text.codePointAt(k);
                k += Character.charCount(cp);
                int b = ByteUnicode.toByte(cp);
                if (b >= 0) {
                    out.write(b);
                } else {
                    out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                }
            }
            return out.toByteArray();
        }
        if ((attr & ATTR_BYTE) != 0 && text.length() == 6 && text.startsWith("<0x")) {
            return new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
        }
        return new byte[0];
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IntList out = new IntList(text.length() / 3 + 4);
        if (addSpecial && vocab.addBos()) {
            if (vocab.bos() < 0) {
                throw new TokenizerException("the vocabulary asks for a BOS token but has none");
            }
            out.add(vocab.bos());
        }
        IntList frags = special.partition(text, parseSpecial);
        boolean afterSpecial = true;
        for (int f = 0; f < frags.size(); f += 3) {
            int id = frags.get(f);
            if (id >= 0) {
                out.add(id);
                afterSpecial = true;
            } else {
                encoder.encode(text.substring(frags.get(f + 1), frags.get(f + 2)), afterSpecial, out);
                afterSpecial = false;
            }
        }
        if (addSpecial && vocab.addEos() && vocab.eos() >= 0) {
            out.add(vocab.eos());
        }
        return out.toArray();
    }

    @Override
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    @Override
    public String decode(int[] ids, boolean renderSpecial) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        boolean strip = vocab.addSpacePrefix();
        for (int id : ids) {
            strip = appendPiece(id, renderSpecial, strip, out);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Writes one token's bytes; returns whether the next piece should lose a leading space
     * (after BOS, with a space prefix), following llama2.c's decoder.
     */
    boolean appendPiece(int id, boolean renderSpecial, boolean stripSpace, ByteArrayOutputStream out) {
        checkId(id);
        if (id == vocab.bos()) {
            if (renderSpecial) {
                out.writeBytes(pieces[id]);
            }
            return vocab.addSpacePrefix();
        }
        if (!renderSpecial && (attrs[id] & (ATTR_CONTROL | ATTR_UNKNOWN)) != 0) {
            return stripSpace; // invisible: the next visible piece is still "first"
        }
        byte[] p = pieces[id];
        int from = stripSpace && p.length > 0 && p[0] == ' ' ? 1 : 0;
        out.write(p, from, p.length - from);
        return false;
    }

    private void checkId(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new TokenizerException("token id " + id + " outside the vocabulary of " + pieces.length);
        }
    }

    @Override
    public TokenDecoder decoder() {
        return new TokenDecoder(this, true, false);
    }

    @Override
    public TokenDecoder decoderAfter(int previousId) {
        return new TokenDecoder(this, previousId == vocab.bos(), false);
    }

    @Override
    public String piece(int id) {
        return new String(pieceBytes(id), StandardCharsets.UTF_8);
    }

    @Override
    public byte[] pieceBytes(int id) {
        checkId(id);
        return pieces[id].clone();
    }

    @Override
    public int bos() {
        return vocab.bos();
    }

    @Override
    public int eos() {
        return vocab.eos();
    }

    @Override
    public boolean isEog(int id) {
        return id >= 0 && id < eog.length && eog[id];
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public Vocabulary vocabulary() {
        return vocab;
    }

    /** Whether a token is a control/unknown token (hidden when decoding). */
    boolean isControl(int id) {
        return (attrs[id] & (ATTR_CONTROL | ATTR_UNKNOWN)) != 0;
    }

    @Override
    public String toString() {
        return "Tokenizer[" + vocab.model() + (vocab.pre().isEmpty() ? "" : "/" + vocab.pre()) + ", " + vocab.size()
                + " tokens, " + special.count() + " special]";
    }
}
