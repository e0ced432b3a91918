package io.sparkinfer.tokenizer;

import io.sparkinfer.gguf.GgufFile;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * {@code tokenize --model FILE.gguf | --tokenizer tokenizer.bin [--special] [--no-bos] TEXT...}:
 * prints the ids on one line, then one line per token: id, the token's text as stored, and the
 * text it decodes to. {@code --special} parses special-token text such as {@code <|im_start|>};
 * {@code --no-bos} leaves out BOS/EOS. Returns 0, or 2 for a usage error.
 */
public final class TokenizeCommand {
    public static final String USAGE = "tokenize --model FILE.gguf | --tokenizer tokenizer.bin [--special] [--no-bos] TEXT";

    private TokenizeCommand() {
    }

    public static int run(String[] args, PrintStream out) {
        String model = null;
        String bin = null;
        boolean special = false;
        boolean bos = true;
        StringBuilder text = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--model" -> {
                    if (++i >= args.length) {
                        return usage(out, "--model needs a file");
                    }
                    model = args[i];
                }
                case "--tokenizer" -> {
                    if (++i >= args.length) {
                        return usage(out, "--tokenizer needs a file");
                    }
                    bin = args[i];
                }
                case "--special" -> special = true;
                case "--no-bos" -> bos = false;
                default -> {
                    if (a.startsWith("--") && text == null) {
                        return usage(out, "unknown option " + a);
                    }
                    text = text == null ? new StringBuilder(a) : text.append(' ').append(a);
                }
            }
        }
        if ((model == null) == (bin == null)) {
            return usage(out, "give exactly one of --model and --tokenizer");
        }
        if (text == null) {
            return usage(out, "no text given");
        }
        Tokenizer tok;
        if (model != null) {
            try (GgufFile f = GgufFile.open(Path.of(model))) {
                tok = Tokenizer.fromGguf(f);
            }
        } else {
            tok = Tokenizer.fromLlama2c(Path.of(bin));
        }
        int[] ids = tok.encode(text.toString(), bos, special);
        StringBuilder line = new StringBuilder();
        for (int id : ids) {
            line.append(line.isEmpty() ? "" : " ").append(id);
        }
        out.println(line);
        for (int id : ids) {
            out.printf("%8d  %-24s %s%n", id, quote(tok.vocabulary().tokens()[id]),
                    quote(new String(tok.pieceBytes(id), StandardCharsets.UTF_8)));
        }
        out.printf("%d tokens%n", ids.length);
        return 0;
    }

    private static int usage(PrintStream out, String problem) {
        out.println("tokenize: " + problem);
        out.println("usage: " + USAGE);
        return 2;
    }

    /** Quoted, with control characters escaped so every token stays on its line. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\'' -> sb.append("\\'");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('\'').toString();
    }
}
