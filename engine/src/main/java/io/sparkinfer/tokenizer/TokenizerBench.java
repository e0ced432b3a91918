package io.sparkinfer.tokenizer;

import io.sparkinfer.gguf.GgufFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Tokenizer throughput on a text file of one document per line (not a unit test):
 * <pre>
 * java -cp engine/target/classes io.sparkinfer.tokenizer.TokenizerBench \
 *     ../shared/data/tasks/summarization/cnndm_100_full_articles.txt \
 *     ../shared/data/llamacpp-vocab/ggml-vocab-gpt-2.gguf ../shared/data/llamacpp-vocab/ggml-vocab-llama-spm.gguf
 * </pre>
 * For each vocabulary: load time, then warm-up rounds and timed rounds over all documents (one
 * encode per document, as the Spark stage does), reporting tokens/s and MB/s of UTF-8 input,
 * and the same for decoding. One thread. The first BPE round fills the word cache; later rounds
 * show the steady state a long job sees.
 */
public final class TokenizerBench {
    private TokenizerBench() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: TokenizerBench TEXT_FILE VOCAB.gguf|tokenizer.bin... [--rounds N (default 10)]");
            System.exit(2);
        }
        int rounds = 10;
        List<String> files = new java.util.ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--rounds")) {
                rounds = Integer.parseInt(args[++i]);
            } else {
                files.add(args[i]);
            }
        }
        List<String> docs = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8).stream()
                .filter(s -> !s.isBlank()).toList();
        long bytes = docs.stream().mapToLong(s -> s.getBytes(StandardCharsets.UTF_8).length).sum();
        System.out.printf("%s: %d documents, %.2f MB UTF-8%n", args[0], docs.size(), bytes / 1e6);
        for (String file : files) {
            Path p = Path.of(file);
            long t0 = System.nanoTime();
            Tokenizer tok;
            if (p.toString().endsWith(".gguf")) {
                try (GgufFile f = GgufFile.open(p)) {
                    tok = Tokenizer.fromGguf(f);
                }
            } else {
                tok = Tokenizer.fromLlama2c(p);
            }
            double loadMs = (System.nanoTime() - t0) / 1e6;
            System.out.printf("%n%s  (%s, load %.0f ms)%n", p.getFileName(), tok, loadMs);
            int[][] ids = new int[docs.size()][];
            double[] secs = new double[rounds];
            long total = 0;
            for (int r = 0; r < rounds + 2; r++) {
                long s = System.nanoTime();
                long tokens = 0;
                for (int d = 0; d < docs.size(); d++) {
                    ids[d] = tok.encode(docs.get(d), true, false);
                    tokens += ids[d].length;
                }
                double sec = (System.nanoTime() - s) / 1e9;
                if (r >= 2) {
                    secs[r - 2] = sec;
                }
                total = tokens;
                System.out.printf("  encode round %d%s: %,d tokens in %.3f s = %,.0f tokens/s, %.2f MB/s%n", r,
                        r < 2 ? " (warm-up)" : "", tokens, sec, tokens / sec, bytes / 1e6 / sec);
            }
            java.util.Arrays.sort(secs);
            double best = secs[0];
            double median = secs[rounds / 2];
            System.out.printf("  encode best: %,.0f tokens/s, %.2f MB/s; median: %,.0f tokens/s, %.2f MB/s%n",
                    total / best, bytes / 1e6 / best, total / median, bytes / 1e6 / median);
            for (int r = 0; r < 3; r++) {
                long s = System.nanoTime();
                long tokens = 0;
                long chars = 0;
                for (int[] d : ids) {
                    chars += tok.decode(d).length();
                    tokens += d.length;
                }
                double sec = (System.nanoTime() - s) / 1e9;
                System.out.printf("  decode round %d: %,d tokens in %.3f s = %,.0f tokens/s (%d chars)%n", r, tokens, sec,
                        tokens / sec, chars);
            }
        }
    }
}
