package io.sparkinfer.model;

import io.sparkinfer.kernels.Kernels;
import io.sparkinfer.kernels.Parallel;

/**
 * A decoder-only transformer (Llama / Qwen2 / Qwen3 families) and its forward pass over a ragged
 * batch. Weights are immutable and shared; one forward runs at a time per {@link Model} instance
 * (its scratch buffers are reused across calls), and a scheduler feeds it batches.
 */
public final class Model {
    private final ModelConfig config;
    private final ModelWeights weights;
    private final Kernels kernels;
    private final String source;
    private RopeTable rope;
    private Scratch scratch;

    public Model(ModelConfig config, ModelWeights weights, Kernels kernels, String source) {
        this.config = config;
        this.weights = weights;
        this.kernels = kernels;
        this.source = source;
    }

    public ModelConfig config() {
        return config;
    }

    public ModelWeights weights() {
        return weights;
    }

    public Kernels kernels() {
        return kernels;
    }

    /** Where the model came from (file path), for messages and fingerprints. */
    public String source() {
        return source;
    }

    /** A KV cache for this model. */
    public KvCache newKvCache(int slots, int maxSeqLen) {
        return new KvCache(config, slots, maxSeqLen);
    }

    /** Per-call buffers, sized for the largest batch seen so far; activations are [token][feature]. */
    private static final class Scratch {
        final int n;
        final float[] x;      // [n, dim]      residual stream
        final float[] xb;     // [n, dim]      normalized input of a sub-block
        final float[] q;      // [n, qDim]
        final float[] k;      // [n, kvDim]
        final float[] v;      // [n, kvDim]
        final float[] att;    // [n, qDim]     attention output before wo
        final float[] proj;   // [n, dim]      output of wo / wDown
        final float[] gate;   // [n, hidden]
        final float[] up;     // [n, hidden]

        Scratch(ModelConfig c, int n) {
            this.n = n;
            x = new float[n * c.dim()];
            xb = new float[n * c.dim()];
            q = new float[n * c.qDim()];
            k = new float[n * c.kvDim()];
            v = new float[n * c.kvDim()];
            att = new float[n * c.qDim()];
            proj = new float[n * c.dim()];
            gate = new float[n * c.hiddenDim()];
            up = new float[n * c.hiddenDim()];
        }
    }

    private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Runs the batch through the model, writing its keys and values into {@code cache}, and
     * returns the logits of the tokens flagged in {@code batch.wantLogits()}, in batch order:
     * {@code [logitsCount, vocab]}.
     */
    public float[] forward(ForwardBatch batch, KvCache cache) {
        final ModelConfig c = config;
        final int n = batch.size();
        final int dim = c.dim(), hidden = c.hiddenDim();
        for (int i = 0; i < n; i++) {
            cache.checkPosition(batch.positions()[i]);
            if (batch.tokens()[i] < 0 || batch.tokens()[i] >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + batch.tokens()[i] + " out of range [0, " + c.vocabSize() + ")");
            }
        }
        Scratch s = scratch(n);
        RopeTable rt = rope(cache.maxSeqLen());

        // 1. Token embeddings into the residual stream.
        for (int i = 0; i < n; i++) {
            kernels.dequantizeRow(weights.tokenEmbedding(), batch.tokens()[i], s.x, i * dim);
        }

        // Tokens that the layers carry: all of them, until the last layer, which computes its
        // keys and values for every token (later tokens attend to them) but the rest of the layer
        // only for the tokens that want logits (as llama.cpp does): the other rows' outputs would
        // never be read. A prompt of 64 tokens then skips ~1/16 of its matmul work on a 16-layer
        // model (in-JVM A/B, 1B pp64: Q8_0 1.06, 1.09x, Q4_0 1.06x). Per token, every kernel does
        // the same arithmetic whatever else is in the batch, so the kept tokens' results are
        // bit-identical to an unpruned pass.
        int rows = n;
        int[] positions = batch.positions();
        int[] slots = batch.slots();
        int[] wanted = keptTokens(batch);
        int nOut = wanted.length;
        final int last = c.nLayers() - 1;
        boolean pruned = false;

        for (int l = 0; l < c.nLayers(); l++) {
            LayerWeights w = weights.layers().get(l);
            boolean prune = l == last && nOut < n;

            // 2. Attention: RMSNorm, then the k/v projections as GEMMs over the tokens (q after any pruning).
            for (int i = 0; i < rows; i++) {
                kernels.rmsnorm(s.xb, i * dim, s.x, i * dim, w.attnNorm(), dim, c.rmsEps());
            }
            kernels.matmul(w.wk(), s.xb, rows, s.k);
            kernels.matmul(w.wv(), s.xb, rows, s.v);

            // 3. Per token: biases (qwen2), k norm (qwen3), RoPE at the token's own position, then
            //    k and v into the token's cache slot.
            for (int i = 0; i < rows; i++) {
                storeKeyValue(w, s, cache, l, i, positions[i], slots[i], rt);
            }
            if (prune) {
                for (int o = 0; o < nOut; o++) {
                    // wanted is ascending, so row wanted[o] >= o is never overwritten before it is read.
                    System.arraycopy(s.x, wanted[o] * dim, s.x, o * dim, dim);
                    System.arraycopy(s.xb, wanted[o] * dim, s.xb, o * dim, dim);
                }
                positions = select(positions, wanted);
                slots = select(slots, wanted);
                rows = nOut;
                pruned = true;
                if (rows == 0) {
                    break;
                }
            }
            kernels.matmul(w.wq(), s.xb, rows, s.q);
            for (int i = 0; i < rows; i++) {
                prepareQuery(w, s, i, positions[i], rt);
            }

            // 4. Causal attention, one task per (token, kv head): each token sees its own slot's
            //    positions 0..pos, which includes earlier tokens of the same sequence in this batch.
            final int layer = l;
            final int[] pos = positions;
            final int[] slot = slots;
            Parallel.forRange(rows * c.nKvHeads(),
                    task -> attend(pos, slot, cache, layer, s, task / c.nKvHeads(), task % c.nKvHeads()));

            // 5. Output projection and residual.
            kernels.matmul(w.wo(), s.att, rows, s.proj);
            kernels.add(s.x, 0, s.proj, 0, rows * dim);

            // 6. Feed-forward: RMSNorm, SwiGLU(gate, up), down projection, residual.
            for (int i = 0; i < rows; i++) {
                kernels.rmsnorm(s.xb, i * dim, s.x, i * dim, w.ffnNorm(), dim, c.rmsEps());
            }
            kernels.matmul(w.wGate(), s.xb, rows, s.gate);
            kernels.matmul(w.wUp(), s.xb, rows, s.up);
            kernels.swiglu(s.gate, 0, s.up, 0, rows * hidden);
            kernels.matmul(w.wDown(), s.gate, rows, s.proj);
            kernels.add(s.x, 0, s.proj, 0, rows * dim);
        }

        // 7. Final norm and vocabulary projection, only for the tokens that want logits (after a
        //    pruned last layer, they are its rows in order).
        float[] selected = new float[nOut * dim];
        for (int o = 0; o < nOut; o++) {
            int row = pruned ? o : wanted[o];
            kernels.rmsnorm(selected, o * dim, s.x, row * dim, weights.outputNorm(), dim, c.rmsEps());
        }
        float[] logits = new float[nOut * c.vocabSize()];
        if (nOut > 0) {
            kernels.matmul(weights.output(), selected, nOut, logits);
        }
        return logits;
    }

    /** Token i's k and v: biases (qwen2), k norm (qwen3), RoPE at pos, then into the cache slot. */
    private void storeKeyValue(LayerWeights w, Scratch s, KvCache cache, int layer, int i, int pos, int slot,
                               RopeTable rt) {
        final ModelConfig c = config;
        final int kvDim = c.kvDim();
        if (w.bk() != null) {
            kernels.add(s.k, i * kvDim, w.bk(), 0, kvDim);
            kernels.add(s.v, i * kvDim, w.bv(), 0, kvDim);
        }
        normAndRope(s.k, i * kvDim, c.nKvHeads(), w.kNorm(), pos, rt);
        System.arraycopy(s.k, i * kvDim, cache.keys(layer, slot), pos * kvDim, kvDim);
        System.arraycopy(s.v, i * kvDim, cache.values(layer, slot), pos * kvDim, kvDim);
    }

    /** Token i's query: bias (qwen2), q norm (qwen3), RoPE at pos. */
    private void prepareQuery(LayerWeights w, Scratch s, int i, int pos, RopeTable rt) {
        final ModelConfig c = config;
        final int qDim = c.qDim();
        if (w.bq() != null) {
            kernels.add(s.q, i * qDim, w.bq(), 0, qDim);
        }
        normAndRope(s.q, i * qDim, c.nHeads(), w.qNorm(), pos, rt);
    }

    /** For each of {@code heads} heads from v[base]: its RMSNorm (qwen3, when norm is set), then RoPE at pos. */
    private void normAndRope(float[] v, int base, int heads, float[] norm, int pos, RopeTable rt) {
        final ModelConfig c = config;
        final int headDim = c.headDim();
        for (int h = 0; h < heads; h++) {
            int off = base + h * headDim;
            if (norm != null) {
                kernels.rmsnorm(v, off, v, off, norm, headDim, c.rmsEps());
            }
            kernels.rope(v, off, c.ropeDim(), rt.cos, rt.sin, pos * rt.half, c.architecture().ropeNeox);
        }
    }

    /** Indexes of the tokens that want logits, ascending. */
    private static int[] keptTokens(ForwardBatch batch) {
        int[] kept = new int[batch.logitsCount()];
        for (int i = 0, o = 0; i < batch.size(); i++) {
            if (batch.wantLogits()[i]) {
                kept[o++] = i;
            }
        }
        return kept;
    }

    private static int[] select(int[] values, int[] indexes) {
        int[] out = new int[indexes.length];
        for (int o = 0; o < indexes.length; o++) {
            out[o] = values[indexes[o]];
        }
        return out;
    }

    /**
     * softmax(q . k_t / sqrt(headDim)) . v_t over t = 0..pos of the token's slot, for the query
     * heads that share kv head {@code kvh} (grouped-query attention), in one {@link Kernels#attend}
     * call: each key and value row is read once for the whole group rather than once per head
     * (from a long context they come from L2 or beyond), with per head the same bits as one head
     * at a time.
     */
    private void attend(int[] positions, int[] slots, KvCache cache, int layer, Scratch s, int i, int kvh) {
        final int headDim = config.headDim(), qDim = config.qDim(), kvDim = config.kvDim();
        final int group = config.kvMul();
        final int pos = positions[i];
        final int slot = slots[i];
        final int kvOff = kvh * headDim;
        final int qOff0 = i * qDim + kvh * group * headDim;
        final float[] keys = cache.keys(layer, slot);
        final float[] values = cache.values(layer, slot);
        final int stride = pos + 1;
        float[] scores = SCORES.get();
        if (scores.length < group * stride) {
            scores = new float[Math.max(group * stride, 256)];
            SCORES.set(scores);
        }
        kernels.attend(s.q, qOff0, keys, values, kvOff, kvDim, stride, group, headDim, (float) Math.sqrt(headDim),
                scores, s.att, qOff0);
    }

    private Scratch scratch(int n) {
        if (scratch == null || scratch.n < n) {
            scratch = new Scratch(config, Math.max(n, scratch == null ? 1 : scratch.n));
        }
        return scratch;
    }

    private RopeTable rope(int maxSeqLen) {
        if (rope == null || rope.maxPos < maxSeqLen) {
            rope = new RopeTable(config.ropeDim(), config.ropeTheta(), weights.ropeFreqFactors(), maxSeqLen);
        }
        return rope;
    }
}
