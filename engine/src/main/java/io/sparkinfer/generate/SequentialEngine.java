package io.sparkinfer.generate;

import io.sparkinfer.model.ForwardBatch;
import io.sparkinfer.model.KvCache;
import io.sparkinfer.model.Model;
import io.sparkinfer.model.ModelConfig;
import io.sparkinfer.sampling.SamplerChain;
import io.sparkinfer.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The one-request-at-a-time reference engine: greedy decoding of each request alone. Slow by
 * design; batching engines are tested against it (same tokens for the same requests).
 */
public final class SequentialEngine implements InferenceEngine {
    private final Model model;
    private final TokenText text;
    private final int maxSeqLen;
    private final KvCache cache;

    public SequentialEngine(Model model, TokenText text, int maxSeqLen) {
        this.model = model;
        this.text = text;
        this.maxSeqLen = Math.min(maxSeqLen, model.config().contextLength());
        this.cache = model.newKvCache(2, this.maxSeqLen);
    }

    @Override
    public ModelConfig config() {
        return model.config();
    }

    @Override
    public synchronized CompletableFuture<GenerationResult> submit(GenerationRequest r) {
        try {
            return CompletableFuture.completedFuture(run(r));
        } catch (RuntimeException e) {
            int promptLen = r.prompt() == null ? 0 : r.prompt().length;
            return CompletableFuture.completedFuture(GenerationResult.error(r.id(), promptLen, String.valueOf(e.getMessage())));
        }
    }

    private GenerationResult run(GenerationRequest r) {
        long start = System.nanoTime();
        int[] prompt = r.prompt();
        SamplingParams p = r.params();
        if (prompt == null || prompt.length == 0) {
            return GenerationResult.error(r.id(), 0, "row " + r.id() + ": empty prompt");
        }
        if (prompt.length >= maxSeqLen) {
            return GenerationResult.error(r.id(), prompt.length, "row " + r.id() + ": prompt of " + prompt.length
                    + " tokens does not fit the context of " + maxSeqLen);
        }
        if (p.temperature() != 0f || p.beamWidth() != 1 || p.n() != 1 || !p.choices().isEmpty() || p.json()) {
            throw new IllegalArgumentException("the sequential reference engine does greedy decoding only");
        }
        float[] logits = model.forward(ForwardBatch.ofSequence(prompt, 0, 0), cache);
        List<Integer> out = new ArrayList<>();
        FinishReason reason = FinishReason.LENGTH;
        String decoded = "";
        int pos = prompt.length;
        while (out.size() < p.maxTokens()) {
            int next = SamplerChain.argmax(logits, 0, logits.length);
            if (!p.ignoreEos() && text.isEndOfGeneration(next)) {
                reason = FinishReason.STOP;
                break;
            }
            out.add(next);
            decoded = text.decode(out.stream().mapToInt(Integer::intValue).toArray());
            int cut = StopStrings.firstMatch(decoded, p.stop());
            if (cut >= 0) {
                decoded = decoded.substring(0, cut);
                reason = FinishReason.STOP;
                break;
            }
            if (pos >= maxSeqLen) {
                break; // context full: LENGTH
            }
            logits = model.forward(ForwardBatch.ofSequence(new int[] {next}, pos++, 0), cache);
        }
        int[] tokens = out.stream().mapToInt(Integer::intValue).toArray();
        return new GenerationResult(r.id(), tokens, decoded, reason, prompt.length, tokens.length, Double.NaN, null, null,
                (System.nanoTime() - start) / 1_000_000);
    }

    @Override
    public synchronized double[] scoreLabels(int[] prompt, List<int[]> labels) {
        float[] first = model.forward(ForwardBatch.ofSequence(prompt, 0, 0), cache);
        double[] out = new double[labels.size()];
        for (int i = 0; i < labels.size(); i++) {
            int[] label = labels.get(i);
            double lp = LogProbs.logSoftmaxAt(first, 0, model.config().vocabSize(), label[0]);
            if (label.length > 1) {
                cache.copyPrefix(0, 1, prompt.length);
                int[] feed = Arrays.copyOf(label, label.length - 1);
                int[] pos = new int[feed.length];
                int[] slots = new int[feed.length];
                boolean[] want = new boolean[feed.length];
                for (int j = 0; j < feed.length; j++) {
                    pos[j] = prompt.length + j;
                    slots[j] = 1;
                    want[j] = true;
                }
                float[] l = model.forward(new ForwardBatch(feed, pos, slots, want), cache);
                for (int j = 0; j < feed.length; j++) {
                    lp += LogProbs.logSoftmaxAt(l, j * model.config().vocabSize(), model.config().vocabSize(), label[j + 1]);
                }
            }
            out[i] = lp;
        }
        return out;
    }

    @Override
    public void close() {
    }
}
