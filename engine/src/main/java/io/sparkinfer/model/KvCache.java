package io.sparkinfer.model;

/**
 * Keys and values of every layer for a fixed number of sequence slots, each up to
 * {@code maxSeqLen} positions. A slot's arrays are allocated when first used, so a cache sized
 * for many slots costs memory only for the ones in use.
 *
 * <p>Layout per (layer, slot): {@code [position][kvHead][headDim]} as one float array.
 */
public final class KvCache {
    private final int nLayers;
    private final int kvDim;
    private final int slots;
    private final int maxSeqLen;
    private final float[][] keys;   // [layer * slots + slot] -> [maxSeqLen * kvDim]
    private final float[][] values; // same

    public KvCache(ModelConfig config, int slots, int maxSeqLen) {
        if (slots <= 0 || maxSeqLen <= 0) {
            throw new IllegalArgumentException("KV cache needs at least one slot and one position");
        }
        this.nLayers = config.nLayers();
        this.kvDim = config.kvDim();
        this.slots = slots;
        this.maxSeqLen = maxSeqLen;
        this.keys = new float[nLayers * slots][];
        this.values = new float[nLayers * slots][];
    }

    /** A cache with as many slots as {@code budgetBytes} holds at {@code maxSeqLen} positions each. */
    public static KvCache forBudget(ModelConfig config, long budgetBytes, int maxSeqLen) {
        long perSlot = bytesPerSlot(config, maxSeqLen);
        long n = budgetBytes / perSlot;
        if (n < 1) {
            throw new IllegalArgumentException("KV cache budget of " + budgetBytes + " bytes holds no sequence of "
                    + maxSeqLen + " positions (one needs " + perSlot + " bytes)");
        }
        return new KvCache(config, (int) Math.min(n, 4096), maxSeqLen);
    }

    public static long bytesPerSlot(ModelConfig config, int maxSeqLen) {
        return 2L * config.nLayers() * maxSeqLen * config.kvDim() * Float.BYTES;
    }

    public int slots() {
        return slots;
    }

    public int maxSeqLen() {
        return maxSeqLen;
    }

    public float[] keys(int layer, int slot) {
        int i = index(layer, slot);
        float[] k = keys[i];
        if (k == null) {
            k = keys[i] = new float[maxSeqLen * kvDim];
        }
        return k;
    }

    public float[] values(int layer, int slot) {
        int i = index(layer, slot);
        float[] v = values[i];
        if (v == null) {
            v = values[i] = new float[maxSeqLen * kvDim];
        }
        return v;
    }

    /**
     * Copies positions [0, length) of every layer from one slot to another: a shared prompt prefix
     * computed once is reused by every sequence that starts with it.
     */
    public void copyPrefix(int fromSlot, int toSlot, int length) {
        checkPosition(length - 1);
        for (int l = 0; l < nLayers; l++) {
            System.arraycopy(keys(l, fromSlot), 0, keys(l, toSlot), 0, length * kvDim);
            System.arraycopy(values(l, fromSlot), 0, values(l, toSlot), 0, length * kvDim);
        }
    }

    /** Frees a slot's memory (its contents are lost). */
    public void release(int slot) {
        for (int l = 0; l < nLayers; l++) {
            keys[index(l, slot)] = null;
            values[index(l, slot)] = null;
        }
    }

    void checkPosition(int pos) {
        if (pos >= maxSeqLen) {
            throw new IllegalArgumentException("position " + pos + " is past the KV cache length " + maxSeqLen);
        }
    }

    private int index(int layer, int slot) {
        if (slot < 0 || slot >= slots) {
            throw new IllegalArgumentException("KV cache slot " + slot + " out of range [0, " + slots + ")");
        }
        return layer * slots + slot;
    }
}
