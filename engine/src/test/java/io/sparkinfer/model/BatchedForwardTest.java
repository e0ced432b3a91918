package io.sparkinfer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkinfer.kernels.Kernels;
import io.sparkinfer.kernels.KernelsProvider;
import io.sparkinfer.kernels.ScalarKernels;
import io.sparkinfer.testutil.SharedData;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A ragged batch of several sequences must give each sequence exactly (bit for bit) the logits it
 * gets when run alone: the exactly-once contract rests on this batch invariance.
 */
class BatchedForwardTest {
    static final int[][] PROMPTS = {
        {1, 403, 407, 261, 378},
        {1, 300, 301},
        {1, 432, 383, 286, 261, 376, 298},
    };
    static final int DECODE_STEPS = 4;

    @Test
    void batchedLogitsAreBitIdenticalToRunningAlone() {
        for (Kernels k : new Kernels[] {new ScalarKernels(), KernelsProvider.get()}) {
            try (LoadedModel m = LoadedModel.open(SharedData.file("llama2c/stories260K.bin"), k)) {
                Model model = m.model();
                int vocab = model.config().vocabSize();
                float[][][] alone = new float[PROMPTS.length][][];
                for (int s = 0; s < PROMPTS.length; s++) {
                    alone[s] = runAlone(model, PROMPTS[s]);
                }
                float[][][] together = runTogether(model);
                for (int s = 0; s < PROMPTS.length; s++) {
                    for (int step = 0; step <= DECODE_STEPS; step++) {
                        assertEquals(vocab, together[s][step].length);
                        assertArrayEquals(alone[s][step], together[s][step], 0f,
                                k.name() + ": sequence " + s + " step " + step);
                    }
                }
            }
        }
    }

    /**
     * The last layer runs only for the tokens that want logits (its keys and values still for all):
     * the wanted tokens' logits, and the next step's, which read that layer's cache, must match an
     * unpruned pass bit for bit; a chunk that wants no logits must leave the same cache behind.
     */
    @Test
    void pruningTheLastLayerChangesNoLogit() {
        int[] prompt = PROMPTS[2];
        int n = prompt.length;
        for (Kernels k : new Kernels[] {new ScalarKernels(), KernelsProvider.get()}) {
            try (LoadedModel m = LoadedModel.open(SharedData.file("llama2c/stories260K.bin"), k)) {
                Model model = m.model();
                int vocab = model.config().vocabSize();
                boolean[] all = new boolean[n];
                Arrays.fill(all, true);
                boolean[] some = new boolean[n];
                some[1] = true;
                some[n - 1] = true;

                KvCache full = model.newKvCache(1, 64);
                float[] unpruned = model.forward(new ForwardBatch(prompt, positions(0, n), new int[n], all), full);
                KvCache part = model.newKvCache(1, 64);
                float[] pruned = model.forward(new ForwardBatch(prompt, positions(0, n), new int[n], some), part);
                assertArrayEquals(Arrays.copyOfRange(unpruned, vocab, 2 * vocab),
                        Arrays.copyOfRange(pruned, 0, vocab), 0f, k.name() + ": token 1");
                assertArrayEquals(Arrays.copyOfRange(unpruned, (n - 1) * vocab, n * vocab),
                        Arrays.copyOfRange(pruned, vocab, 2 * vocab), 0f, k.name() + ": last token");

                // No logits wanted for the first chunk, then the rest of the prompt.
                KvCache chunked = model.newKvCache(1, 64);
                int half = n / 2;
                float[] none = model.forward(new ForwardBatch(Arrays.copyOf(prompt, half), positions(0, half),
                        new int[half], new boolean[half]), chunked);
                assertEquals(0, none.length);
                float[] rest = model.forward(
                        ForwardBatch.ofSequence(Arrays.copyOfRange(prompt, half, n), half, 0), chunked);
                assertArrayEquals(Arrays.copyOfRange(unpruned, (n - 1) * vocab, n * vocab), rest, 0f,
                        k.name() + ": after a chunk without logits");

                int next = Stories260KGoldenTest.argmax(rest);
                for (KvCache cache : new KvCache[] {part, chunked}) {
                    float[] step = model.forward(ForwardBatch.ofSequence(new int[] {next}, n, 0), cache);
                    float[] reference = model.forward(ForwardBatch.ofSequence(new int[] {next}, n, 0), full);
                    assertArrayEquals(reference, step, 0f, k.name() + ": decode step after a pruned prefill");
                }
            }
        }
    }

    private static int[] positions(int from, int count) {
        int[] p = new int[count];
        for (int i = 0; i < count; i++) {
            p[i] = from + i;
        }
        return p;
    }

    /** Prefill, then greedy decode steps; returns the logits after each. */
    private static float[][] runAlone(Model model, int[] prompt) {
        KvCache cache = model.newKvCache(1, 64);
        float[][] out = new float[DECODE_STEPS + 1][];
        out[0] = model.forward(ForwardBatch.ofSequence(prompt, 0, 0), cache);
        int pos = prompt.length;
        for (int step = 1; step <= DECODE_STEPS; step++) {
            int next = Stories260KGoldenTest.argmax(out[step - 1]);
            out[step] = model.forward(ForwardBatch.ofSequence(new int[] {next}, pos++, 0), cache);
        }
        return out;
    }

    /** All prompts in one ragged prefill batch (slot = sequence index), then decode steps together. */
    private static float[][][] runTogether(Model model) {
        int n = PROMPTS.length, vocab = model.config().vocabSize();
        KvCache cache = model.newKvCache(n, 64);
        float[][][] out = new float[n][DECODE_STEPS + 1][];
        int total = Arrays.stream(PROMPTS).mapToInt(p -> p.length).sum();
        int[] tokens = new int[total], pos = new int[total], slots = new int[total];
        boolean[] want = new boolean[total];
        int i = 0;
        for (int s = 0; s < n; s++) {
            for (int j = 0; j < PROMPTS[s].length; j++, i++) {
                tokens[i] = PROMPTS[s][j];
                pos[i] = j;
                slots[i] = s;
                want[i] = j == PROMPTS[s].length - 1;
            }
        }
        float[] logits = model.forward(new ForwardBatch(tokens, pos, slots, want), cache);
        for (int s = 0; s < n; s++) {
            out[s][0] = Arrays.copyOfRange(logits, s * vocab, (s + 1) * vocab);
        }
        for (int step = 1; step <= DECODE_STEPS; step++) {
            int[] t = new int[n], p = new int[n], sl = new int[n];
            boolean[] w = new boolean[n];
            for (int s = 0; s < n; s++) {
                t[s] = Stories260KGoldenTest.argmax(out[s][step - 1]);
                p[s] = PROMPTS[s].length + step - 1;
                sl[s] = s;
                w[s] = true;
            }
            logits = model.forward(new ForwardBatch(t, p, sl, w), cache);
            for (int s = 0; s < n; s++) {
                out[s][step] = Arrays.copyOfRange(logits, s * vocab, (s + 1) * vocab);
            }
        }
        return out;
    }
}
