package io.sparkinfer.model;

/**
 * A ragged batch for one forward pass: tokens of possibly many sequences, each at its own
 * position in its own KV-cache slot. Tokens of one sequence must appear in position order;
 * a token attends to its slot's positions 0..position.
 *
 * @param wantLogits which tokens need output logits (usually the last of each sequence);
 *                   computing the vocabulary projection only for those saves most of prefill's tail
 */
public record ForwardBatch(int[] tokens, int[] positions, int[] slots, boolean[] wantLogits) {

    public ForwardBatch {
        int n = tokens.length;
        if (positions.length != n || slots.length != n || wantLogits.length != n) {
            throw new IllegalArgumentException("batch arrays differ in length: tokens " + n + ", positions "
                    + positions.length + ", slots " + slots.length + ", wantLogits " + wantLogits.length);
        }
    }

    public int size() {
        return tokens.length;
    }

    public int logitsCount() {
        int c = 0;
        for (boolean b : wantLogits) {
            if (b) {
                c++;
            }
        }
        return c;
    }

    /** One sequence's tokens at consecutive positions from {@code startPos}, logits for the last only. */
    public static ForwardBatch ofSequence(int[] tokens, int startPos, int slot) {
        int n = tokens.length;
        int[] pos = new int[n];
        int[] slots = new int[n];
        boolean[] want = new boolean[n];
        for (int i = 0; i < n; i++) {
            pos[i] = startPos + i;
            slots[i] = slot;
        }
        if (n > 0) {
            want[n - 1] = true;
        }
        return new ForwardBatch(tokens.clone(), pos, slots, want);
    }
}
