package io.sparkinfer.tokenizer;

import io.sparkinfer.gguf.GgufFile;
import io.sparkinfer.gguf.GgufMetadata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Everything a tokenizer needs from a model file, with llama.cpp's defaults already applied
 * (so a missing key means what it means to llama.cpp). Ids that a vocabulary lacks are -1.
 *
 * @param model          {@code tokenizer.ggml.model}: "llama" (SentencePiece BPE) or "gpt2" (byte-level BPE)
 * @param pre            {@code tokenizer.ggml.pre}, "" when absent
 * @param name           {@code general.name}, "" when absent (llama.cpp keys a few token attributes on it)
 * @param tokens         token texts ("▁" for spaces in SentencePiece vocabularies)
 * @param scores         SentencePiece merge scores (zeros for BPE)
 * @param types          {@link TokenType} ordinal per token
 * @param merges         BPE merges "left right", in rank order (empty for SentencePiece)
 * @param addSpacePrefix SentencePiece's dummy prefix: a space before the text
 * @param chatTemplate   {@code tokenizer.chat_template}, "" when absent
 */
public record Vocabulary(String model, String pre, String name, String[] tokens, float[] scores, int[] types,
                         String[] merges, int bos, int eos, int unk, int pad, int eot, int eom,
                         boolean addBos, boolean addEos, boolean addSpacePrefix, String chatTemplate) {

    public Vocabulary {
        if (scores.length != tokens.length || types.length != tokens.length) {
            throw new TokenizerException("vocabulary arrays differ in length: " + tokens.length + " tokens, "
                    + scores.length + " scores, " + types.length + " types");
        }
        for (int id : new int[] {bos, eos, unk, pad, eot, eom}) {
            if (id >= tokens.length) {
                throw new TokenizerException("special token id " + id + " outside the vocabulary of " + tokens.length);
            }
        }
    }

    public int size() {
        return tokens.length;
    }

    public TokenType type(int id) {
        return TokenType.of(types[id]);
    }

    /** Reads the vocabulary from an open GGUF file's metadata. */
    public static Vocabulary fromGguf(GgufFile file) {
        return fromMetadata(file.metadata());
    }

    public static Vocabulary fromMetadata(GgufMetadata m) {
        if (!m.contains("tokenizer.ggml.model")) {
            throw new TokenizerException("the model file has no tokenizer (tokenizer.ggml.model is missing)");
        }
        String model = m.getString("tokenizer.ggml.model");
        String pre = m.getString("tokenizer.ggml.pre", "");
        String[] tokens = m.getStringArray("tokenizer.ggml.tokens");
        int n = tokens.length;
        float[] scores = m.contains("tokenizer.ggml.scores") ? m.getFloatArray("tokenizer.ggml.scores") : new float[n];
        int[] types;
        if (m.contains("tokenizer.ggml.token_type")) {
            types = m.getIntArray("tokenizer.ggml.token_type");
        } else {
            types = new int[n];
            Arrays.fill(types, TokenType.NORMAL.ordinal());
        }
        if (scores.length < n || types.length < n) {
            throw new TokenizerException("tokenizer.ggml.scores/token_type shorter than the " + n + " tokens");
        }
        scores = Arrays.copyOf(scores, n);
        types = Arrays.copyOf(types, n);
        String[] merges = new String[0];
        int bos;
        int eos;
        int unk;
        boolean addBos;
        boolean addSpacePrefix;
        switch (model) {
            case "llama" -> {
                bos = 1;
                eos = 2;
                unk = 0;
                addBos = true;
                addSpacePrefix = true;
            }
            case "gpt2" -> {
                if (!m.contains("tokenizer.ggml.merges")) {
                    throw new TokenizerException("BPE vocabulary without tokenizer.ggml.merges");
                }
                merges = m.getStringArray("tokenizer.ggml.merges");
                bos = 11;
                eos = 11;
                unk = -1;
                addBos = PreTokenizer.forName(pre).addBosByDefault();
                addSpacePrefix = false;
            }
            default -> throw new TokenizerException("unsupported tokenizer model '" + model
                    + "' (tokenizer.ggml.model); supported: llama (SentencePiece BPE), gpt2 (byte-level BPE)");
        }
        bos = specialId(m, "tokenizer.ggml.bos_token_id", bos, n);
        eos = specialId(m, "tokenizer.ggml.eos_token_id", eos, n);
        unk = specialId(m, "tokenizer.ggml.unknown_token_id", unk, n);
        int pad = specialId(m, "tokenizer.ggml.padding_token_id", -1, n);
        int eot = specialId(m, "tokenizer.ggml.eot_token_id", -1, n);
        int eom = specialId(m, "tokenizer.ggml.eom_token_id", -1, n);
        addBos = m.getBoolean("tokenizer.ggml.add_bos_token", addBos);
        boolean addEos = m.getBoolean("tokenizer.ggml.add_eos_token", false);
        addSpacePrefix = m.getBoolean("tokenizer.ggml.add_space_prefix", addSpacePrefix);
        return new Vocabulary(model, pre, m.getString("general.name", ""), tokens, scores, types, merges,
                bos, eos, unk, pad, eot, eom, addBos, addEos, addSpacePrefix, m.getString("tokenizer.chat_template", ""));
    }

    /** An id from the file, or the default when absent; out-of-range ids fall back like llama.cpp (with the default disabled when it is out of range too). */
    private static int specialId(GgufMetadata m, String key, int fallback, int n) {
        if (fallback >= n) {
            fallback = -1;
        }
        if (!m.contains(key)) {
            return fallback;
        }
        long id = m.getLong(key);
        return id >= 0 && id < n ? (int) id : fallback;
    }

    /**
     * Reads llama2.c's {@code tokenizer.bin}: int32 max_token_length, then per token float32
     * score, int32 byte length, UTF-8 bytes (little-endian). Its pieces spell spaces as ' ', not
     * '▁', and it has no types or special ids: those follow Llama 2's SentencePiece layout
     * (0 unknown, 1 BOS, 2 EOS, {@code <0xNN>} byte tokens).
     */
    public static Vocabulary fromLlama2c(Path tokenizerBin) {
        byte[] all;
        try {
            all = Files.readAllBytes(tokenizerBin);
        } catch (IOException e) {
            throw new TokenizerException("cannot read " + tokenizerBin + ": " + e.getMessage(), e);
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 4) {
            throw new TokenizerException(tokenizerBin + ": not a llama2.c tokenizer (too short)");
        }
        int maxLen = b.getInt();
        java.util.List<String> tokens = new java.util.ArrayList<>();
        java.util.List<Float> scores = new java.util.ArrayList<>();
        while (b.hasRemaining()) {
            if (b.remaining() < 8) {
                throw new TokenizerException(tokenizerBin + ": truncated at token " + tokens.size());
            }
            float score = b.getFloat();
            int len = b.getInt();
            if (len < 0 || len > b.remaining() || len > Math.max(maxLen, 64) * 4) {
                throw new TokenizerException(tokenizerBin + ": corrupt at token " + tokens.size() + " (length " + len + ")");
            }
            byte[] bytes = new byte[len];
            b.get(bytes);
            tokens.add(new String(bytes, StandardCharsets.UTF_8).replace(' ', '\u2581'));
            scores.add(score);
        }
        int n = tokens.size();
        if (n < 3) {
            throw new TokenizerException(tokenizerBin + ": only " + n + " tokens");
        }
        String[] t = tokens.toArray(new String[0]);
        float[] s = new float[n];
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = scores.get(i);
            types[i] = TokenType.NORMAL.ordinal();
            if (t[i].length() == 6 && t[i].startsWith("<0x") && t[i].endsWith(">")) {
                types[i] = TokenType.BYTE.ordinal();
            }
        }
        types[0] = TokenType.UNKNOWN.ordinal();
        types[1] = TokenType.CONTROL.ordinal();
        types[2] = TokenType.CONTROL.ordinal();
        return new Vocabulary("llama", "", "llama2.c " + tokenizerBin.getFileName(), t, s, types, new String[0],
                1, 2, 0, -1, -1, -1, true, false, true, "");
    }
}
