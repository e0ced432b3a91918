package io.sparkinfer.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The config fingerprint stored with every output row (column {@code fingerprint}): a resume is
 * refused when the existing output was made with another fingerprint.
 *
 * <p>Model file hash (not a full hash: multi-GB files are read in milliseconds this way):
 * SHA-256 over the file size, its first 1 MiB (the GGUF header: metadata, tensor table), 64
 * evenly spaced 64 KiB samples of the rest, and its last 64 KiB; the first 16 bytes in hex.
 * The job fingerprint is SHA-256 over that hash, the tokenizer's fingerprint, and every option
 * that changes outputs (task, template, columns, sampling, seed, limits, labels), sorted by key.
 */
public final class Fingerprint {
    static final int HEAD = 1 << 20;
    static final int SAMPLE = 64 << 10;
    static final int SAMPLES = 64;

    private Fingerprint() {
    }

    public static String modelFile(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MessageDigest md = sha256();
            long size = ch.size();
            md.update(ByteBuffer.allocate(8).putLong(size).array());
            update(md, ch, 0, (int) Math.min(HEAD, size));
            if (size > HEAD) {
                long span = size - HEAD;
                for (int i = 0; i < SAMPLES; i++) {
                    long off = HEAD + span * i / SAMPLES;
                    update(md, ch, off, (int) Math.min(SAMPLE, size - off));
                }
                update(md, ch, Math.max(HEAD, size - SAMPLE), (int) Math.min(SAMPLE, span));
            }
            return HexFormat.of().formatHex(md.digest(), 0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read for the model fingerprint", e);
        }
    }

    private static void update(MessageDigest md, FileChannel ch, long off, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(len);
        while (buf.hasRemaining()) {
            if (ch.read(buf, off + buf.position()) < 0) {
                break;
            }
        }
        md.update(buf.flip());
    }

    /** The job fingerprint: 32 hex digits. */
    public static String of(String modelHash, String tokenizer, Map<String, String> outputAffecting) {
        MessageDigest md = sha256();
        md.update(("model=" + modelHash + "\ntokenizer=" + tokenizer + "\n").getBytes(StandardCharsets.UTF_8));
        new TreeMap<>(outputAffecting).forEach((k, v) -> md.update((k + "=" + v + "\n").getBytes(StandardCharsets.UTF_8)));
        return HexFormat.of().formatHex(md.digest(), 0, 16);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
