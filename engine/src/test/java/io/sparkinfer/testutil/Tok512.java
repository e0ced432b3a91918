package io.sparkinfer.testutil;

import io.sparkinfer.generate.TokenText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * stories260K's 512-token vocabulary (llama2.c tok512.bin) as a test {@link TokenText}: pieces
 * concatenated, {@code <0xNN>} pieces as raw bytes, control tokens 0..2 as nothing; EOS is 2.
 * {@link #encode} is a greedy longest match, enough to give choices token ids.
 */
public final class Tok512 implements TokenText {
    public static final int BOS = 1, EOS = 2;
    private final byte[][] pieces;

    public Tok512() {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(SharedData.file("llama2c/tok512.bin")))
                    .order(ByteOrder.LITTLE_ENDIAN);
            b.getInt();
            List<byte[]> out = new ArrayList<>();
            while (b.hasRemaining()) {
                b.getFloat();
                byte[] p = new byte[b.getInt()];
                b.get(p);
                String s = new String(p, StandardCharsets.ISO_8859_1);
                if (s.matches("<0x[0-9A-F]{2}>")) {
                    p = new byte[] {(byte) Integer.parseInt(s.substring(3, 5), 16)};
                } else if (out.size() < 3) {
                    p = new byte[0];
                }
                out.add(p);
            }
            pieces = out.toArray(byte[][]::new);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (int id : ids) {
            o.writeBytes(pieces[id]);
        }
        return o.toString(StandardCharsets.UTF_8);
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return id == EOS;
    }

    public int[] encode(String text) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        List<Integer> ids = new ArrayList<>();
        int i = 0;
        while (i < t.length) {
            int best = -1, bestLen = 0;
            for (int id = 3; id < pieces.length; id++) {
                byte[] p = pieces[id];
                if (p.length > bestLen && i + p.length <= t.length && java.util.Arrays.equals(p, 0, p.length, t, i, i + p.length)) {
                    best = id;
                    bestLen = p.length;
                }
            }
            ids.add(best);
            i += bestLen;
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }
}
