package io.sparkinfer.spark;

import io.sparkinfer.gguf.GgufFile;
import io.sparkinfer.gguf.GgufMetadata;
import java.io.DataInputStream;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A SentencePiece-style BPE codec exactly as llama2.c's {@code run.c} encodes (dummy-prefix
 * space, code points, byte fallback {@code <0xXX>}, then repeatedly merge the adjacent pair whose
 * merged piece has the highest score), from a llama2.c {@code tokenizer.bin} or the
 * {@code tokenizer.ggml.*} arrays of a GGUF file ("▁" read as a space).
 *
 * <p>Stopgap for llama-style SentencePiece vocabularies until {@code io.sparkinfer.tokenizer}
 * lands; {@link TextCodecs} is the one place that picks the codec.
 */
public final class SpmTextCodec implements TextCodec {
    private static final long serialVersionUID = 1L;

    private final String[] pieces;
    private final float[] scores;
    private final int bos;
    private final int eos;
    private final int unk;
    private transient Map<String, Integer> index;

    SpmTextCodec(String[] pieces, float[] scores, int bos, int eos, int unk) {
        this.pieces = pieces;
        this.scores = scores;
        this.bos = bos;
        this.eos = eos;
        this.unk = unk;
    }

    /** llama2.c's format: int32 max_token_length, then per token float32 score, int32 length, bytes. */
    public static SpmTextCodec fromLlama2c(Path tokenizerBin, int vocabSize) {
        List<String> pieces = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(tokenizerBin))) {
            DataInputStream in = new DataInputStream(raw);
            readIntLe(in); // max token length
            while (vocabSize <= 0 || pieces.size() < vocabSize) {
                float score;
                try {
                    score = Float.intBitsToFloat(readIntLe(in));
                } catch (EOFException eof) {
                    break;
                }
                int len = readIntLe(in);
                byte[] b = in.readNBytes(len);
                if (b.length != len) {
                    throw new IOException("truncated token " + pieces.size());
                }
                pieces.add(new String(b, StandardCharsets.UTF_8));
                scores.add(score);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(tokenizerBin + ": cannot read llama2.c tokenizer: " + e.getMessage(), e);
        }
        float[] s = new float[scores.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = scores.get(i);
        }
        return new SpmTextCodec(pieces.toArray(String[]::new), s, 1, 2, 0);
    }

    /** From a GGUF header whose {@code tokenizer.ggml.model} is "llama" (SentencePiece). */
    public static SpmTextCodec fromGguf(GgufFile file) {
        GgufMetadata m = file.metadata();
        String model = m.getString("tokenizer.ggml.model", "llama");
        if (!model.equals("llama")) {
            throw new IllegalArgumentException(file.path() + ": tokenizer model '" + model
                    + "' needs io.sparkinfer.tokenizer (this codec reads SentencePiece 'llama' vocabularies only)");
        }
        String[] tokens = m.getStringArray("tokenizer.ggml.tokens").clone();
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = tokens[i].replace('\u2581', ' ');
        }
        float[] scores = m.contains("tokenizer.ggml.scores") ? m.getFloatArray("tokenizer.ggml.scores") : new float[tokens.length];
        return new SpmTextCodec(tokens, scores, m.getInt("tokenizer.ggml.bos_token_id", 1),
                m.getInt("tokenizer.ggml.eos_token_id", 2), m.getInt("tokenizer.ggml.unknown_token_id", 0));
    }

    private static int readIntLe(DataInputStream in) throws IOException {
        return Integer.reverseBytes(in.readInt());
    }

    private Map<String, Integer> index() {
        Map<String, Integer> m = index;
        if (m == null) {
            m = new HashMap<>(pieces.length * 2);
            for (int i = 0; i < pieces.length; i++) {
                m.putIfAbsent(pieces[i], i);
            }
            index = m;
        }
        return m;
    }

    @Override
    public int[] encode(String text, boolean addBos) {
        Map<String, Integer> idx = index();
        int[] tokens = new int[text.length() * 4 + 3];
        int n = 0;
        if (addBos && bos >= 0) {
            tokens[n++] = bos;
        }
        if (!text.isEmpty()) {
            Integer space = idx.get(" ");
            if (space != null) {
                tokens[n++] = space;
            }
        }
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            String s = new String(Character.toChars(cp));
            i += Character.charCount(cp);
            Integer id = idx.get(s);
            if (id != null) {
                tokens[n++] = id;
            } else {
                for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
                    Integer byteId = idx.get(String.format("<0x%02X>", b & 0xff));
                    tokens[n++] = byteId != null ? byteId : (b & 0xff) + 3;
                }
            }
        }
        int start = addBos && bos >= 0 ? 1 : 0;
        while (true) {
            float best = Float.NEGATIVE_INFINITY;
            int bestId = -1, bestAt = -1;
            for (int i = start; i < n - 1; i++) {
                Integer id = idx.get(pieces[tokens[i]] + pieces[tokens[i + 1]]);
                if (id != null && scores[id] > best) {
                    best = scores[id];
                    bestId = id;
                    bestAt = i;
                }
            }
            if (bestAt < 0) {
                break;
            }
            tokens[bestAt] = bestId;
            System.arraycopy(tokens, bestAt + 2, tokens, bestAt + 1, n - bestAt - 2);
            n--;
        }
        return Arrays.copyOf(tokens, n);
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            if (id == bos || id == eos || id == unk || id < 0 || id >= pieces.length) {
                continue;
            }
            String p = pieces[id];
            if (p.length() == 6 && p.startsWith("<0x") && p.endsWith(">")) {
                out.write(Integer.parseInt(p.substring(3, 5), 16));
            } else {
                out.writeBytes(p.getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return id == eos || id == bos;
    }

    @Override
    public int bos() {
        return bos;
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public String fingerprint() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < pieces.length; i++) {
                md.update(pieces[i].getBytes(StandardCharsets.UTF_8));
                md.update(buf.clear().putFloat(scores[i]).array());
            }
            return "spm:" + HexFormat.of().formatHex(md.digest(), 0, 8) + ":bos=" + bos + ":eos=" + eos;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
