package io.sparkinfer.tokenizer;

/**
 * The work queue of both merge algorithms: a binary max-heap of candidate merges of adjacent
 * symbols, best priority first and, on equal priority, the leftmost pair first (llama.cpp's
 * comparators). SPM uses the merged token's score as priority, BPE the negated merge rank.
 * Entries go stale when a neighbour merges first; the caller checks them when popped, which is
 * cheaper than removing them.
 */
final class MergeQueue {
    private float[] priority = new float[64];
    private int[] left = new int[64];
    private int[] right = new int[64];
    private int[] leftSym = new int[64];
    private int[] rightSym = new int[64];
    private int[] merged = new int[64];
    private int size;

    // fields of the last popped entry
    float topPriority;
    int topLeft;
    int topRight;
    int topLeftSym;
    int topRightSym;
    int topMerged;

    void clear() {
        size = 0;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void push(float p, int l, int r, int lSym, int rSym, int m) {
        if (size == priority.length) {
            int n = size * 2;
            priority = java.util.Arrays.copyOf(priority, n);
            left = java.util.Arrays.copyOf(left, n);
            right = java.util.Arrays.copyOf(right, n);
            leftSym = java.util.Arrays.copyOf(leftSym, n);
            rightSym = java.util.Arrays.copyOf(rightSym, n);
            merged = java.util.Arrays.copyOf(merged, n);
        }
        int i = size++;
        set(i, p, l, r, lSym, rSym, m);
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!better(i, parent)) {
                break;
            }
            swap(i, parent);
            i = parent;
        }
    }

    /** Removes the best entry into the {@code top*} fields. */
    void pop() {
        topPriority = priority[0];
        topLeft = left[0];
        topRight = right[0];
        topLeftSym = leftSym[0];
        topRightSym = rightSym[0];
        topMerged = merged[0];
        size--;
        if (size > 0) {
            set(0, priority[size], left[size], right[size], leftSym[size], rightSym[size], merged[size]);
            int i = 0;
            while (true) {
                int l = 2 * i + 1;
                if (l >= size) {
                    break;
                }
                int best = l;
                if (l + 1 < size && better(l + 1, l)) {
                    best = l + 1;
                }
                if (!better(best, i)) {
                    break;
                }
                swap(i, best);
                i = best;
            }
        }
    }

    private boolean better(int a, int b) {
        return priority[a] > priority[b] || (priority[a] == priority[b] && left[a] < left[b]);
    }

    private void set(int i, float p, int l, int r, int lSym, int rSym, int m) {
        priority[i] = p;
        left[i] = l;
        right[i] = r;
        leftSym[i] = lSym;
        rightSym[i] = rSym;
        merged[i] = m;
    }

    private void swap(int a, int b) {
        float p = priority[a];
        int l = left[a];
        int r = right[a];
        int ls = leftSym[a];
        int rs = rightSym[a];
        int m = merged[a];
        set(a, priority[b], left[b], right[b], leftSym[b], rightSym[b], merged[b]);
        set(b, p, l, r, ls, rs, m);
    }
}
