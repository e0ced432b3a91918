package io.sparkinfer.spark;

import io.sparkinfer.tokenizer.Tokenizer;
import io.sparkinfer.tokenizer.Vocabulary;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The engine's {@link Tokenizer} as the Spark layer's {@link TextCodec}. Serializable through a
 * proxy that carries the {@link Vocabulary}'s fields (the tokenizer is rebuilt on the receiving
 * side), so the driver can broadcast it with Java serialization or Kryo.
 */
public final class TokenizerCodec implements TextCodec {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Tokenizer tokenizer;
    private final transient Vocabulary vocabulary;
    private final transient String fingerprint;

    public TokenizerCodec(Vocabulary vocabulary) {
        this.vocabulary = vocabulary;
        this.tokenizer = Tokenizer.of(vocabulary);
        this.fingerprint = digest(vocabulary);
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public int[] encode(String text, boolean addBos) {
        return tokenizer.encode(text, addBos, false);
    }

    /** Generated ids decode as a continuation of the prompt: a first piece's leading space is kept. */
    @Override
    public String decode(int[] ids) {
        return io.sparkinfer.generate.TokenizerText.decodeContinuation(tokenizer, ids);
    }

    /** EOS and end-of-turn ids, and BOS (a story model starting the next story, as llama2.c stops there). */
    @Override
    public boolean isEndOfGeneration(int id) {
        return tokenizer.isEog(id) || id == tokenizer.bos();
    }

    @Override
    public int bos() {
        return vocabulary.addBos() ? tokenizer.bos() : -1;
    }

    @Override
    public int vocabSize() {
        return tokenizer.vocabSize();
    }

    @Override
    public String fingerprint() {
        return fingerprint;
    }

    private static String digest(Vocabulary v) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeUTF(v.model());
            out.writeUTF(v.pre());
            for (int i = 0; i < v.size(); i++) {
                out.write(v.tokens()[i].getBytes(StandardCharsets.UTF_8));
                out.writeFloat(v.scores()[i]);
                out.writeInt(v.types()[i]);
            }
            for (String m : v.merges()) {
                out.write(m.getBytes(StandardCharsets.UTF_8));
            }
            for (int id : new int[] {v.bos(), v.eos(), v.unk(), v.pad(), v.eot(), v.eom()}) {
                out.writeInt(id);
            }
            out.writeBoolean(v.addBos());
            out.writeBoolean(v.addEos());
            out.writeBoolean(v.addSpacePrefix());
            md.update(bytes.toByteArray());
            return v.model() + ":" + v.size() + ":" + HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Serial
    private Object writeReplace() throws ObjectStreamException {
        Vocabulary v = vocabulary;
        return new Proxy(v.model(), v.pre(), v.name(), v.tokens(), v.scores(), v.types(), v.merges(), new int[] {
            v.bos(), v.eos(), v.unk(), v.pad(), v.eot(), v.eom()}, new boolean[] {v.addBos(), v.addEos(), v.addSpacePrefix()},
                v.chatTemplate());
    }

    /** The serialized form: the vocabulary's fields. */
    private record Proxy(String model, String pre, String name, String[] tokens, float[] scores, int[] types,
            String[] merges, int[] ids, boolean[] flags, String chatTemplate) implements Serializable {
        @Serial
        private Object readResolve() throws ObjectStreamException {
            return new TokenizerCodec(new Vocabulary(model, pre, name, tokens, scores, types, merges, ids[0], ids[1], ids[2],
                    ids[3], ids[4], ids[5], flags[0], flags[1], flags[2], chatTemplate));
        }
    }
}
