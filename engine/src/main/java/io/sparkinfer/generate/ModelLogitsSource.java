package io.sparkinfer.generate;

import io.sparkinfer.model.ForwardBatch;
import io.sparkinfer.model.KvCache;
import io.sparkinfer.model.Model;
import io.sparkinfer.sampling.LogitsSource;
import java.util.Arrays;

/**
 * Beams over a model: two banks of {@code width} KV slots; each step copies every new beam's
 * parent prefix into the other bank and runs all beams' new tokens as one batch.
 */
final class ModelLogitsSource implements LogitsSource {
    private final Model model;
    private final KvCache cache;
    private final int width;
    private int[] current = {0};
    private int bank;
    private int length;

    ModelLogitsSource(Model model, int width, int maxSeqLen) {
        this.model = model;
        this.width = width;
        this.cache = model.newKvCache(2 * width, maxSeqLen);
    }

    @Override
    public int vocabSize() {
        return model.config().vocabSize();
    }

    @Override
    public float[] start(int[] prompt) {
        length = prompt.length;
        return model.forward(ForwardBatch.ofSequence(prompt, 0, 0), cache);
    }

    @Override
    public float[] step(int[] parents, int[] tokens) {
        int n = tokens.length;
        int other = 1 - bank;
        int[] next = new int[n];
        int[] pos = new int[n];
        boolean[] want = new boolean[n];
        for (int i = 0; i < n; i++) {
            next[i] = other * width + i;
            cache.copyPrefix(current[parents[i]], next[i], length);
            pos[i] = length;
            want[i] = true;
        }
        float[] logits = model.forward(new ForwardBatch(tokens.clone(), pos, next.clone(), want), cache);
        current = next;
        bank = other;
        length++;
        return logits;
    }

    @Override
    public String toString() {
        return "beams " + Arrays.toString(current) + " at length " + length;
    }
}
