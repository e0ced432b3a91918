package io.sparkinfer.bench;

import io.sparkinfer.generate.BatchingEngine;
import io.sparkinfer.generate.EngineOptions;
import io.sparkinfer.generate.EngineStats;
import io.sparkinfer.generate.GenerationRequest;
import io.sparkinfer.generate.GenerationResult;
import io.sparkinfer.generate.TokenText;
import io.sparkinfer.kernels.Parallel;
import io.sparkinfer.model.ForwardBatch;
import io.sparkinfer.model.KvCache;
import io.sparkinfer.model.LoadedModel;
import io.sparkinfer.model.Model;
import io.sparkinfer.model.ModelConfig;
import io.sparkinfer.sampling.SamplerChain;
import io.sparkinfer.sampling.SamplingParams;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Prompt-processing and generation speed at several batch sizes, printed like llama.cpp's
 * {@code llama-batched-bench}: for each B, B sequences of PP random prompt tokens are processed
 * (ragged forwards of up to {@code --ubatch} tokens), then TG decode steps run with one forward of
 * B tokens each (greedy pick included). S_PP = B*PP / T_PP and S_TG = B*TG / T_TG are total
 * tokens/s, so they read against llama-batched-bench's columns of the same names, and B = 1 rows
 * against {@code llama-bench}'s pp/tg figures. {@code --engine} adds the same work end to end
 * through the continuous-batching engine (scheduler, sampling, stop checks).
 *
 * <p>{@code bench --model FILE [--pp 512] [--tg 128] [--batch 1,2,4,8,16,32] [--ubatch 512] [--reps 1] [--engine]
 * [--pollute-vector-profiles]} ({@link VectorProfilePolluter}).
 */
public final class Bench {
    private Bench() {
    }

    /** One measured configuration. */
    record Row(int pp, int tg, int batch, double tPp, double tTg, double tEngine, long allocPp, long allocTg) {
    }

    public static int run(String[] args, PrintStream out) throws Exception {
        Flags f = Flags.parse(args);
        Path file = Path.of(f.require("model"));
        int pp = f.getInt("pp", 512);
        int tg = f.getInt("tg", 128);
        int ubatch = f.getInt("ubatch", 512);
        int reps = f.getInt("reps", 1);
        boolean engine = f.flag("engine");
        boolean pollute = f.flag("pollute-vector-profiles");
        int[] batches = Arrays.stream(f.get("batch", "1,2,4,8,16,32").split(",")).map(String::trim)
                .mapToInt(Integer::parseInt).toArray();
        try (LoadedModel lm = LoadedModel.open(file)) {
            Model model = lm.model();
            ModelConfig c = model.config();
            out.printf(Locale.ROOT, "model: %s (%s, dim %d, %d layers, vocab %d, %s, %.2f GiB)%n", file.getFileName(),
                    c.architecture().ggufName, c.dim(), c.nLayers(), c.vocabSize(),
                    model.weights().layers().get(0).wq().type(), Files.size(file) / 1073741824.0);
            out.printf(Locale.ROOT, "kernels: %s, threads: %d, ubatch: %d, reps: %d (best of)%n%n",
                    model.kernels().name(), Parallel.threads(), ubatch, reps);
            if (pollute) {
                out.println("vector type profiles polluted first, as another library's vectors would: "
                        + VectorProfilePolluter.run());
            }
            warmUp(model);
            out.println("|    PP |    TG |    B |   N_KV |   T_PP s |  S_PP t/s |   T_TG s |  S_TG t/s |"
                    + (engine ? "  T_e2e s | S_e2e t/s |" : ""));
            out.println("|-------|-------|------|--------|----------|-----------|----------|-----------|"
                    + (engine ? "----------|-----------|" : ""));
            for (int b : batches) {
                Row best = null;
                for (int r = 0; r < reps; r++) {
                    Row row = measure(model, pp, tg, b, ubatch);
                    double e2e = engine ? measureEngine(model, pp, tg, b, ubatch) : Double.NaN;
                    row = new Row(pp, tg, b, row.tPp(), row.tTg(), e2e, row.allocPp(), row.allocTg());
                    if (best == null || row.tPp() + row.tTg() < best.tPp() + best.tTg()) {
                        best = row;
                    }
                }
                print(out, best, engine);
            }
        }
        return 0;
    }

    private static void print(PrintStream out, Row r, boolean engine) {
        int b = r.batch();
        out.printf(Locale.ROOT, "| %5d | %5d | %4d | %6d | %8.3f | %9.2f | %8.3f | %9.2f |", r.pp(), r.tg(), b,
                b * (r.pp() + r.tg()), r.tPp(), (double) b * r.pp() / r.tPp(), r.tTg(),
                r.tg() == 0 ? 0 : (double) b * r.tg() / r.tTg());
        if (engine) {
            out.printf(Locale.ROOT, " %8.3f | %9.2f |", r.tEngine(), (double) b * (r.pp() + r.tg()) / r.tEngine());
        }
        out.println();
        // Heap allocated while timed: the logits (4 bytes per vocabulary entry per picked token)
        // and the KV cache's growth; a kernel that runs the Vector API's Java fallback shows here
        // as megabytes per token (it boxes every vector).
        if (r.allocPp() >= 0) { // -1 where the JVM cannot count it: no line, rather than a false 0
            out.printf(Locale.ROOT, "  heap allocated while timed: pp %.1f KB/token, tg %.1f KB/token%n",
                    r.allocPp() / 1024.0 / Math.max(1, b * r.pp()), r.allocTg() / 1024.0 / Math.max(1, b * r.tg()));
        }
        out.flush();
    }

    /** Bytes allocated on the heap so far by all threads (-1 where the JVM cannot tell). */
    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled()) {
            return t.getTotalThreadAllocatedBytes();
        }
        return -1;
    }

    /**
     * Compiles the hot paths before anything is timed, like llama-bench's warm-up run: a few
     * forwards are not enough for C2 to compile the kernels' final tiers, and the first timed
     * decode steps then ran partly in lower tiers (tg 32 measured 14.6 tok/s vs 17.1 at tg 128).
     * Runs rounds of a 32-token prompt chunk and decode steps of 1, 2 and 8 sequences for at least
     * {@code sparkinfer.bench.warmupMs} (2000) and until two rounds in a row take within 10% of
     * each other (at most 10x the minimum): C2 compiles the big integer kernels late, and after a
     * fixed 2 s batched-8 decode still measured 53 tok/s where it settles at 68-84.
     */
    private static void warmUp(Model model) {
        KvCache cache = model.newKvCache(8, 512);
        int[] t = randomTokens(model.config().vocabSize(), 32, 99);
        int[] slots = {0, 1, 2, 3, 4, 5, 6, 7};
        boolean[] all = new boolean[8];
        Arrays.fill(all, true);
        long minNanos = Long.getLong("sparkinfer.bench.warmupMs", 2000L) * 1_000_000L;
        long start = System.nanoTime();
        long previous = Long.MAX_VALUE;
        int pos = 0;
        while (pos + 32 + 4 <= 512) {
            long roundStart = System.nanoTime();
            model.forward(ForwardBatch.ofSequence(t, pos, 0), cache);
            pos += 32;
            for (int i = 0; i < 4; i++, pos++) {
                model.forward(ForwardBatch.ofSequence(new int[] {t[i]}, pos, 0), cache);
                model.forward(new ForwardBatch(new int[] {t[i], t[i + 1]}, new int[] {pos, i}, new int[] {0, 1},
                        new boolean[] {true, true}), cache);
                int[] p = new int[8];
                Arrays.fill(p, pos);
                model.forward(new ForwardBatch(Arrays.copyOf(t, 8), p, slots, all), cache);
            }
            long now = System.nanoTime();
            long round = now - roundStart;
            boolean steady = Math.abs(round - previous) < 0.1 * previous;
            if (now - start >= minNanos && steady || now - start >= 10 * minNanos) {
                return;
            }
            previous = round;
        }
    }

    static int[] randomTokens(int vocab, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(vocab);
        }
        return t;
    }

    /** B sequences of pp tokens, chunked into forwards of up to ubatch tokens, then tg decode steps. */
    static Row measure(Model model, int pp, int tg, int b, int ubatch) {
        int vocab = model.config().vocabSize();
        KvCache cache = model.newKvCache(b, pp + tg + 1);
        int[][] prompts = new int[b][];
        for (int s = 0; s < b; s++) {
            prompts[s] = randomTokens(vocab, pp, 1000 + s);
        }
        int[] next = new int[b];
        long a0 = allocatedBytes();
        long t0 = System.nanoTime();
        // Prompt processing: sequences back to back, each forward carrying up to ubatch tokens.
        int seq = 0, done = 0;
        while (seq < b) {
            List<int[]> parts = new ArrayList<>(); // {seq, from, count}
            int room = ubatch;
            int s = seq, d = done;
            while (room > 0 && s < b) {
                int n = Math.min(room, pp - d);
                parts.add(new int[] {s, d, n});
                room -= n;
                d += n;
                if (d == pp) {
                    s++;
                    d = 0;
                }
            }
            int total = ubatch - room;
            int[] tok = new int[total], pos = new int[total], slot = new int[total];
            boolean[] want = new boolean[total];
            int k = 0;
            for (int[] p : parts) {
                for (int j = 0; j < p[2]; j++, k++) {
                    tok[k] = prompts[p[0]][p[1] + j];
                    pos[k] = p[1] + j;
                    slot[k] = p[0];
                    want[k] = p[1] + j == pp - 1;
                }
            }
            float[] logits = model.forward(new ForwardBatch(tok, pos, slot, want), cache);
            int row = 0;
            for (int[] p : parts) {
                if (p[1] + p[2] == pp) {
                    next[p[0]] = SamplerChain.argmax(logits, row++ * vocab, vocab);
                }
            }
            seq = s;
            done = d;
        }
        long t1 = System.nanoTime();
        long a1 = allocatedBytes();
        // Generation: one forward of B tokens per step, greedy pick of each row.
        int[] pos = new int[b], slot = new int[b];
        boolean[] want = new boolean[b];
        for (int s = 0; s < b; s++) {
            slot[s] = s;
            want[s] = true;
        }
        for (int step = 0; step < tg; step++) {
            Arrays.fill(pos, pp + step);
            float[] logits = model.forward(new ForwardBatch(next.clone(), pos.clone(), slot, want), cache);
            for (int s = 0; s < b; s++) {
                next[s] = SamplerChain.argmax(logits, s * vocab, vocab);
            }
        }
        long t2 = System.nanoTime();
        long a2 = allocatedBytes();
        boolean counted = a0 >= 0;
        return new Row(pp, tg, b, (t1 - t0) / 1e9, (t2 - t1) / 1e9, Double.NaN, counted ? a1 - a0 : -1,
                counted ? a2 - a1 : -1);
    }

    /** The same work through the batching engine: B requests of pp tokens, tg greedy tokens each (EOS ignored). */
    static double measureEngine(Model model, int pp, int tg, int b, int ubatch) {
        int vocab = model.config().vocabSize();
        TokenText text = new TokenText() {
            @Override
            public String decode(int[] ids) {
                return "";
            }

            @Override
            public boolean isEndOfGeneration(int id) {
                return false;
            }
        };
        long budget = b * KvCache.bytesPerSlot(model.config(), pp + tg + 1);
        try (BatchingEngine e = new BatchingEngine(model, text,
                EngineOptions.of(pp + tg + 1, budget).withMaxBatchTokens(ubatch))) {
            List<GenerationRequest> reqs = new ArrayList<>();
            for (int s = 0; s < b; s++) {
                reqs.add(new GenerationRequest("b" + s, randomTokens(vocab, pp, 1000 + s),
                        SamplingParams.greedy(tg).withIgnoreEos(true)));
            }
            long t0 = System.nanoTime();
            List<GenerationResult> res = e.generate(reqs);
            double t = (System.nanoTime() - t0) / 1e9;
            for (GenerationResult r : res) {
                if (r.error() != null) {
                    throw new IllegalStateException(r.error());
                }
            }
            EngineStats st = e.stats();
            if (st.generated() != (long) b * tg) {
                throw new IllegalStateException("engine generated " + st.generated() + " tokens, expected " + b * tg);
            }
            return t;
        }
    }
}
