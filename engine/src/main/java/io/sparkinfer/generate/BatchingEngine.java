package io.sparkinfer.generate;

import io.sparkinfer.model.ForwardBatch;
import io.sparkinfer.model.KvCache;
import io.sparkinfer.model.Model;
import io.sparkinfer.model.ModelConfig;
import io.sparkinfer.sampling.BeamResult;
import io.sparkinfer.sampling.BeamSearch;
import io.sparkinfer.sampling.ChoiceConstraint;
import io.sparkinfer.sampling.JsonConstraint;
import io.sparkinfer.sampling.Sampler;
import io.sparkinfer.sampling.SamplingParams;
import io.sparkinfer.sampling.Seeds;
import io.sparkinfer.sampling.TokenConstraint;
import io.sparkinfer.score.LabelScores;
import io.sparkinfer.score.Scoring;
import io.sparkinfer.score.TokenScorer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The continuous-batching engine. Any thread may submit; one scheduler thread owns the model and
 * the KV cache and runs a loop of forward steps. Each step carries the next token of every
 * decoding sequence plus chunks of waiting prompts (up to {@code maxBatchTokens}), so sequences
 * enter and leave the batch as they arrive and finish.
 *
 * <p>KV slots: the cache holds as many sequences as the memory budget allows; a request waits
 * while all are busy. A finished sequence's slot keeps its keys and values as a prefix cache
 * (least recently used is reused first): a new sequence that shares a prefix with a cached or
 * running one copies it ({@link KvCache#copyPrefix}) instead of computing it, and waits for a
 * sharing sequence whose prompt is still being computed. This computes a prompt once for n
 * samples and for every label of a label score, and a shared few-shot preamble once across rows.
 *
 * <p>Determinism: the forward is batch-invariant, each sequence samples from its own seeded
 * stream, and greedy picks the lowest id among equal logits as {@link SequentialEngine} does, so
 * a request's result does not depend on what else is batched with it.
 */
public final class BatchingEngine implements InferenceEngine, TokenScorer {
    private static final System.Logger LOG = System.getLogger(BatchingEngine.class.getName());
    /** Logits floats one step may return (a score chunk wants a row per token). */
    private static final long MAX_LOGITS_FLOATS = 16L << 20;

    private final Model model;
    private final TokenText text;
    private final EngineOptions options;
    private final int maxSeqLen;
    private final int vocab;
    private final KvCache cache;
    private final int endToken;
    private volatile String[] pieces;

    private final LinkedBlockingQueue<Seq> inbox = new LinkedBlockingQueue<>();
    private final Thread scheduler;
    private volatile boolean closed;

    // Scheduler-thread state.
    private final List<Seq> waiting = new ArrayList<>();
    private final List<Seq> running = new ArrayList<>();
    private final Slot[] slots;
    private long clock;
    private volatile EngineStats stats = new EngineStats(0, 0, 0, 0, 0);

    /** What a KV slot holds: its owner while in use, then the cached tokens of its valid prefix. */
    private static final class Slot {
        Seq owner;
        int[] tokens = new int[0];
        int valid;
        long lastUsed;

        int[] tokens() {
            return owner != null ? owner.tokens : tokens;
        }

        int valid() {
            return owner != null ? owner.computed : valid;
        }
    }

    /** One sequence in the scheduler: a sample being generated, or a token sequence being scored. */
    private static final class Seq {
        final boolean score;
        final GenerationRequest request;
        final SamplingParams params;
        final CompletableFuture<GenerationResult> result;
        final CompletableFuture<float[]> scoreResult;
        final long start = System.nanoTime();
        int[] tokens;
        int length;
        int promptLength;
        int computed;
        int slot = -1;
        // generation
        Sampler sampler;
        TokenConstraint constraint;
        int budget;
        float[] logprobs = new float[16];
        double logprobSum;
        // scoring
        int from;
        float[] scores;
        /** Report the total log-probability even when not asked (best-of-n ranks by it). */
        boolean reportSum;

        Seq(GenerationRequest request, SamplingParams params, CompletableFuture<GenerationResult> result) {
            this.score = false;
            this.request = request;
            this.params = params;
            this.result = result;
            this.scoreResult = null;
        }

        Seq(int[] tokens, int from, CompletableFuture<float[]> scoreResult) {
            this.score = true;
            this.request = null;
            this.params = null;
            this.result = null;
            this.scoreResult = scoreResult;
            this.tokens = tokens;
            this.length = tokens.length;
            this.promptLength = tokens.length;
            this.from = from;
        }

        /** Tokens whose keys and values this sequence needs: a score never feeds its last token. */
        int feedEnd() {
            return score ? length - 1 : length;
        }

        /** Longest prefix that may come from another slot: at least one token must be run for logits. */
        int shareCap() {
            return score ? from - 1 : promptLength - 1;
        }

        void append(int token) {
            if (length == tokens.length) {
                tokens = Arrays.copyOf(tokens, tokens.length * 2);
            }
            tokens[length++] = token;
        }

        int generated() {
            return length - promptLength;
        }

        String id() {
            return request == null ? "score" : request.id();
        }
    }

    public BatchingEngine(Model model, TokenText text, EngineOptions options) {
        this.model = model;
        this.text = text;
        this.options = options;
        ModelConfig c = model.config();
        this.maxSeqLen = Math.min(options.maxSeqLen(), c.contextLength());
        this.vocab = c.vocabSize();
        this.cache = KvCache.forBudget(c, options.kvBudgetBytes(), maxSeqLen);
        this.slots = new Slot[cache.slots()];
        Arrays.setAll(slots, i -> new Slot());
        int end = -1;
        for (int t = 0; t < vocab && end < 0; t++) {
            if (text.isEndOfGeneration(t)) {
                end = t;
            }
        }
        this.endToken = end;
        this.scheduler = new Thread(this::loop, "sparkinfer-scheduler");
        scheduler.setDaemon(true);
        scheduler.start();
    }

    @Override
    public ModelConfig config() {
        return model.config();
    }

    /** Counters so far (updated after every step). */
    public EngineStats stats() {
        return stats;
    }

    /** Sequences the KV cache holds at once. */
    public int slots() {
        return slots.length;
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int maxSequenceLength() {
        return maxSeqLen;
    }

    // ------------------------------------------------------------------ submission (any thread)

    /**
     * Queues a request. With {@code n > 1} the n samples run (seeds derived per sample, see
     * {@link Seeds}) and the result is the most likely one (highest total log-probability);
     * {@link #submitSamples} returns all of them.
     */
    @Override
    public CompletableFuture<GenerationResult> submit(GenerationRequest request) {
        if (request != null && request.params() != null && request.params().n() > 1) {
            return submitSamples(request).thenApply(all -> all.stream()
                    .max(Comparator.comparingDouble(r -> Double.isNaN(sumOf(r)) ? Double.NEGATIVE_INFINITY : sumOf(r)))
                    .orElseThrow());
        }
        CompletableFuture<GenerationResult> f = new CompletableFuture<>();
        enqueue(request, request == null ? null : request.params(), f, false);
        return f;
    }

    private static double sumOf(GenerationResult r) {
        return r.logprob();
    }

    /** All {@code n} samples of a request, sample i seeded with {@code Seeds.derive(seed, i)}. */
    @Override
    public CompletableFuture<List<GenerationResult>> submitSamples(GenerationRequest request) {
        int n = request == null || request.params() == null ? 1 : request.params().n();
        List<CompletableFuture<GenerationResult>> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CompletableFuture<GenerationResult> f = new CompletableFuture<>();
            SamplingParams p = request == null || request.params() == null ? null
                    : request.params().withSeed(Seeds.derive(request.params().seed(), i)).withN(1);
            if (p != null && n > 1 && n > slots.length) {
                f.complete(GenerationResult.error(request.id(), promptLength(request),
                        "row " + request.id() + ": n = " + n + " samples exceed the " + slots.length + " KV slots"));
            } else {
                enqueue(request, p, f, n > 1);
            }
            parts.add(f);
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(v -> parts.stream().map(CompletableFuture::join).toList());
    }

    private void enqueue(GenerationRequest request, SamplingParams p, CompletableFuture<GenerationResult> f,
            boolean reportSum) {
        String id = request == null ? null : request.id();
        if (request == null || p == null) {
            f.complete(GenerationResult.error(id, 0, "row " + id + ": missing request or sampling params"));
            return;
        }
        if (closed) {
            f.complete(GenerationResult.error(id, promptLength(request), "engine closed"));
            return;
        }
        Seq s = new Seq(request, p, f);
        s.reportSum = reportSum;
        inbox.add(s);
        if (closed) {
            drainClosed();
        }
    }

    private static int promptLength(GenerationRequest r) {
        return r == null || r.prompt() == null ? 0 : r.prompt().length;
    }

    @Override
    public CompletableFuture<float[]> tokenLogprobs(int[] tokens, int from) {
        CompletableFuture<float[]> f = new CompletableFuture<>();
        if (tokens == null || from < 1 || from >= tokens.length) {
            f.completeExceptionally(new IllegalArgumentException("scoring needs 1 <= from < tokens, got from " + from
                    + " of " + (tokens == null ? 0 : tokens.length)));
        } else if (tokens.length - 1 > maxSeqLen) {
            f.completeExceptionally(new IllegalArgumentException("a sequence of " + tokens.length
                    + " tokens does not fit the context of " + maxSeqLen + " (use a sliding window)"));
        } else if (!inVocab(tokens)) {
            f.completeExceptionally(new IllegalArgumentException("token id outside the vocabulary of " + vocab));
        } else if (closed) {
            f.completeExceptionally(new IllegalStateException("engine closed"));
        } else {
            inbox.add(new Seq(tokens.clone(), from, f));
            if (closed) {
                drainClosed();
            }
        }
        return f;
    }

    @Override
    public double[] scoreLabels(int[] prompt, List<int[]> labels) {
        return Scoring.labels(this, prompt, labels).logprobs();
    }

    @Override
    public LabelScores labelScores(int[] prompt, List<int[]> labels) {
        return Scoring.labels(this, prompt, labels);
    }

    @Override
    public void close() {
        closed = true;
        scheduler.interrupt();
        try {
            scheduler.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drainClosed();
    }

    private void drainClosed() {
        for (Seq s; (s = inbox.poll()) != null; ) {
            failSeq(s, "engine closed");
        }
    }

    private boolean inVocab(int[] tokens) {
        for (int t : tokens) {
            if (t < 0 || t >= vocab) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ the scheduler loop

    private void loop() {
        try {
            while (!closed) {
                if (running.isEmpty() && waiting.isEmpty()) {
                    Seq s = inbox.poll(100, TimeUnit.MILLISECONDS);
                    if (s != null) {
                        accept(s);
                    }
                    continue;
                }
                for (Seq s; (s = inbox.poll()) != null; ) {
                    accept(s);
                }
                admit();
                if (!running.isEmpty()) {
                    step();
                }
            }
        } catch (InterruptedException e) {
            // close() stops the loop
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "scheduler failed", t);
            closed = true;
        } finally {
            for (Seq s : running) {
                failSeq(s, "engine closed");
            }
            for (Seq s : waiting) {
                failSeq(s, "engine closed");
            }
            running.clear();
            waiting.clear();
            drainClosed();
        }
    }

    /** Validates a new sequence; bad rows become error results here, good ones wait for a slot. */
    private void accept(Seq s) {
        if (s.score) {
            waiting.add(s);
            return;
        }
        GenerationRequest r = s.request;
        SamplingParams p = s.params;
        int[] prompt = r.prompt();
        String error = null;
        if (prompt == null || prompt.length == 0) {
            error = "row " + r.id() + ": empty prompt";
        } else if (prompt.length >= maxSeqLen) {
            error = "row " + r.id() + ": prompt of " + prompt.length + " tokens does not fit the context of " + maxSeqLen;
        } else if (!inVocab(prompt)) {
            error = "row " + r.id() + ": prompt token id outside the vocabulary of " + vocab;
        } else if (p.json() && !p.choices().isEmpty()) {
            error = "row " + r.id() + ": choices and json output cannot be combined";
        } else if (p.beamWidth() > 1 && (p.json() || !p.choices().isEmpty())) {
            error = "row " + r.id() + ": beam search cannot be combined with choices or json output";
        } else if (!p.choices().isEmpty() && options.choiceEncoder() == null) {
            error = "row " + r.id() + ": choices need a tokenizer (the engine has no choice encoder)";
        }
        if (error != null) {
            s.result.complete(GenerationResult.error(r.id(), promptLength(r), error));
            return;
        }
        try {
            s.tokens = Arrays.copyOf(prompt, prompt.length + 16);
            s.length = prompt.length;
            s.promptLength = prompt.length;
            s.budget = p.maxTokens();
            s.sampler = new Sampler(p, p.seed(), prompt, vocab);
            if (!p.choices().isEmpty()) {
                List<int[]> ids = new ArrayList<>();
                for (String c : p.choices()) {
                    ids.add(options.choiceEncoder().apply(c));
                }
                ChoiceConstraint cc = new ChoiceConstraint(ids, p.choices(), endToken);
                s.constraint = cc;
                s.budget = cc.maxTokens();
            } else if (p.json()) {
                s.constraint = new JsonConstraint(pieces());
            }
        } catch (RuntimeException e) {
            s.result.complete(GenerationResult.error(r.id(), prompt.length, "row " + r.id() + ": " + e.getMessage()));
            return;
        }
        if (s.budget == 0) {
            finish(s, FinishReason.LENGTH, "");
            return;
        }
        if (p.beamWidth() > 1) {
            runBeamSearch(s);
            return;
        }
        waiting.add(s);
    }

    private String[] pieces() {
        String[] p = pieces;
        if (p == null) {
            p = JsonConstraint.pieces(t -> text.decode(new int[] {t}), vocab);
            pieces = p;
        }
        return p;
    }

    /** Beam search runs on its own (its beams need slots of their own), between batch steps. */
    private void runBeamSearch(Seq s) {
        SamplingParams p = s.params;
        try {
            int budget = Math.min(p.maxTokens(), maxSeqLen - s.promptLength);
            BeamResult b = BeamSearch.run(new ModelLogitsSource(model, p.beamWidth(), maxSeqLen), s.request.prompt(),
                    p.beamWidth(), p.lengthPenalty(), budget, p.ignoreEos() ? t -> false : text::isEndOfGeneration);
            for (int t : b.tokens()) {
                s.append(t);
            }
            s.logprobSum = b.logprob();
            String decoded = text.decode(b.tokens());
            FinishReason reason = b.finished() ? FinishReason.STOP : FinishReason.LENGTH;
            int cut = StopStrings.firstMatch(decoded, p.stop());
            if (cut >= 0) {
                decoded = decoded.substring(0, cut);
                reason = FinishReason.STOP;
            }
            finish(s, reason, decoded);
        } catch (RuntimeException e) {
            failSeq(s, "row " + s.id() + ": " + e.getMessage());
        }
    }

    /** Moves waiting sequences into free slots, in arrival order, reusing cached prefixes. */
    private void admit() {
        for (Iterator<Seq> it = waiting.iterator(); it.hasNext(); ) {
            Seq s = it.next();
            int cap = s.shareCap();
            // The best prefix available now, and whether a running prompt will soon offer more.
            int src = -1, best = 0, soon = 0;
            for (int i = 0; i < slots.length; i++) {
                Slot sl = slots[i];
                int[] t = sl.tokens();
                int common = commonPrefix(s.tokens, Math.min(cap, s.length), t, sl.owner != null ? sl.owner.feedEnd() : sl.valid);
                int now = Math.min(common, sl.valid());
                if (now > best) {
                    best = now;
                    src = i;
                }
                if (sl.owner != null && common > sl.valid()) {
                    soon = Math.max(soon, common);
                }
            }
            if (best < options.minSharedPrefix()) {
                best = 0;
                src = -1;
            }
            if (soon >= options.minSharedPrefix() && soon > best) {
                continue; // computed by the sharing sequence soon: copy it then
            }
            int dst = freeSlot(src);
            if (dst < 0) {
                return; // every slot busy: wait (arrival order kept)
            }
            it.remove();
            if (src >= 0 && src != dst) {
                cache.copyPrefix(src, dst, best);
                slots[src].lastUsed = ++clock;
            }
            EngineStats st = stats;
            stats = new EngineStats(st.steps(), st.forwardTokens(), st.reusedTokens() + best, st.generated(), st.maxBatch());
            s.computed = best;
            s.slot = dst;
            Slot d = slots[dst];
            d.owner = s;
            d.tokens = new int[0];
            d.valid = 0;
            running.add(s);
        }
    }

    /** A slot for a new sequence: an empty one, else the least recently used cached one (src last). */
    private int freeSlot(int src) {
        int empty = -1, lru = -1;
        for (int i = 0; i < slots.length; i++) {
            Slot sl = slots[i];
            if (sl.owner != null) {
                continue;
            }
            if (sl.valid == 0) {
                if (empty < 0) {
                    empty = i;
                }
            } else if (i != src && (lru < 0 || sl.lastUsed < slots[lru].lastUsed)) {
                lru = i;
            }
        }
        if (empty >= 0) {
            return empty;
        }
        if (lru >= 0) {
            return lru;
        }
        // Only the source itself is free: take it over, its prefix is already in place.
        return src >= 0 && slots[src].owner == null ? src : -1;
    }

    private static int commonPrefix(int[] a, int aLen, int[] b, int bLen) {
        int n = Math.min(aLen, bLen);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }

    /** One forward over every decoding sequence's next token and chunks of prompts still to compute. */
    private void step() {
        int budget = options.maxBatchTokens();
        long logitsFloats = MAX_LOGITS_FLOATS;
        List<Seq> batch = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        int total = 0;
        // Decoding sequences first: one token each, so generation never starves behind prompts.
        for (Seq s : running) {
            if (s.feedEnd() - s.computed == 1 && !s.score) {
                batch.add(s);
                counts.add(1);
                total++;
                logitsFloats -= vocab;
            }
        }
        for (Seq s : running) {
            int left = s.feedEnd() - s.computed;
            if ((left == 1 && !s.score) || left <= 0 || total >= budget) {
                continue;
            }
            int n = Math.min(left, budget - total);
            if (s.score) {
                // A score wants a row per token from position from-1 on.
                int firstWanted = Math.max(s.computed, s.from - 1);
                long rows = Math.max(0, s.computed + n - firstWanted);
                long maxRows = Math.max(1, logitsFloats / vocab);
                if (rows > maxRows) {
                    n = (int) (firstWanted - s.computed + maxRows);
                    rows = maxRows;
                }
                logitsFloats -= rows * vocab;
            } else if (s.computed + n == s.feedEnd()) {
                logitsFloats -= vocab;
            }
            if (n <= 0) {
                continue;
            }
            batch.add(s);
            counts.add(n);
            total += n;
        }
        if (batch.isEmpty()) {
            return;
        }
        int[] tokens = new int[total];
        int[] positions = new int[total];
        int[] slotIds = new int[total];
        boolean[] want = new boolean[total];
        int k = 0;
        for (int b = 0; b < batch.size(); b++) {
            Seq s = batch.get(b);
            for (int j = 0; j < counts.get(b); j++, k++) {
                int p = s.computed + j;
                tokens[k] = s.tokens[p];
                positions[k] = p;
                slotIds[k] = s.slot;
                want[k] = s.score ? p >= s.from - 1 : p == s.feedEnd() - 1;
            }
        }
        float[] logits;
        try {
            logits = model.forward(new ForwardBatch(tokens, positions, slotIds, want), cache);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "forward step failed; failing its sequences", e);
            for (Seq s : batch) {
                running.remove(s);
                slots[s.slot].owner = null;
                slots[s.slot].valid = 0;
                failSeq(s, "row " + s.id() + ": " + e);
            }
            return;
        }
        EngineStats st = stats;
        long sampled = 0;
        for (int b = 0; b < batch.size(); b++) {
            Seq q = batch.get(b);
            if (!q.score && q.computed + counts.get(b) == q.feedEnd()) {
                sampled++;
            }
        }
        stats = new EngineStats(st.steps() + 1, st.forwardTokens() + total, st.reusedTokens(), st.generated() + sampled,
                Math.max(st.maxBatch(), total));
        int row = 0;
        for (int b = 0; b < batch.size(); b++) {
            Seq s = batch.get(b);
            int n = counts.get(b);
            int first = s.computed;
            s.computed += n;
            slots[s.slot].lastUsed = ++clock;
            try {
                if (s.score) {
                    if (s.scores == null) {
                        s.scores = new float[s.length - s.from];
                    }
                    for (int p = first; p < first + n; p++) {
                        if (p >= s.from - 1) {
                            s.scores[p + 1 - s.from] = (float) LogProbs.logSoftmaxAt(logits, row * vocab, vocab, s.tokens[p + 1]);
                            row++;
                        }
                    }
                    if (s.computed == s.feedEnd()) {
                        retire(s);
                        s.scoreResult.complete(s.scores);
                    }
                } else if (s.computed == s.feedEnd()) {
                    next(s, logits, row * vocab);
                    row++;
                }
            } catch (RuntimeException e) {
                retire(s);
                failSeq(s, "row " + s.id() + ": " + e.getMessage());
            }
        }
    }

    /** Samples a sequence's next token from its logits row and applies the stop conditions. */
    private void next(Seq s, float[] logits, int off) {
        SamplingParams p = s.params;
        int token;
        double lse = logSumExp(logits, off);
        float[] raw = null;
        if (s.constraint != null || p.repetitionPenalty() != 1f || p.presencePenalty() != 0f || p.frequencyPenalty() != 0f) {
            raw = Arrays.copyOfRange(logits, off, off + vocab); // the reported logprob is the model's own
        }
        if (s.constraint != null) {
            s.constraint.mask(logits, off, vocab);
        }
        token = s.sampler.sample(logits, off, vocab);
        float lp = (float) ((raw != null ? raw[token] : logits[off + token]) - lse);
        if (s.constraint != null) {
            s.constraint.accept(token);
        }
        if ((s.constraint != null || !p.ignoreEos()) && text.isEndOfGeneration(token)) {
            s.logprobSum += lp;
            finish(s, FinishReason.STOP, null);
            return;
        }
        s.sampler.accept(token);
        int g = s.generated();
        if (g == s.logprobs.length) {
            s.logprobs = Arrays.copyOf(s.logprobs, g * 2);
        }
        s.logprobs[g] = lp;
        s.logprobSum += lp;
        s.append(token);
        if (!p.stop().isEmpty()) {
            String decoded = text.decode(Arrays.copyOfRange(s.tokens, s.promptLength, s.length));
            int cut = StopStrings.firstMatch(decoded, p.stop());
            if (cut >= 0) {
                finish(s, FinishReason.STOP, decoded.substring(0, cut));
                return;
            }
        }
        if (s.constraint != null && s.constraint.isComplete()) {
            finish(s, FinishReason.STOP, null);
        } else if (s.generated() >= s.budget || s.length - 1 >= maxSeqLen) {
            finish(s, FinishReason.LENGTH, null);
        }
        // else: the new token is fed at the next step
    }

    private double logSumExp(float[] v, int off) {
        return LogProbs.logSumExp(v, off, vocab);
    }

    /** Leaves the batch; the slot keeps the computed prefix for later sharing. */
    private void retire(Seq s) {
        running.remove(s);
        if (s.slot >= 0) {
            Slot sl = slots[s.slot];
            sl.owner = null;
            sl.valid = Math.min(s.computed, s.length);
            sl.tokens = Arrays.copyOf(s.tokens, sl.valid);
            sl.lastUsed = ++clock;
            s.slot = -1;
        }
    }

    private void finish(Seq s, FinishReason reason, String cutText) {
        retire(s);
        SamplingParams p = s.params;
        int[] out = Arrays.copyOfRange(s.tokens, s.promptLength, s.length);
        String decoded = cutText != null ? cutText : text.decode(out);
        if (s.constraint != null) {
            decoded = s.constraint.text(decoded, reason == FinishReason.LENGTH);
        }
        boolean lp = p.logprobs();
        s.result.complete(new GenerationResult(s.request.id(), out, decoded, reason, s.promptLength, out.length,
                lp || s.reportSum || p.beamWidth() > 1 ? s.logprobSum : Double.NaN,
                lp ? Arrays.copyOf(s.logprobs, out.length) : null, null,
                (System.nanoTime() - s.start) / 1_000_000));
    }

    private static void failSeq(Seq s, String message) {
        if (s.score) {
            s.scoreResult.completeExceptionally(new IllegalStateException(message));
        } else {
            s.result.complete(GenerationResult.error(s.request.id(), promptLength(s.request), message));
        }
    }
}
