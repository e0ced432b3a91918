package io.sparkinfer.tokenizer;

import java.util.Arrays;

/**
 * The work queue of both merge algorithms: candidate merges of adjacent symbols, best priority
 * first and, on equal priority, the leftmost pair first (llama.cpp's comparators). SPM uses the
 * merged token's score as priority, BPE the negated merge rank. Entries go stale when a
 * neighbour merges first; the caller checks them when popped, which is cheaper than removing
 * them. Entries live in append-only arrays and the binary heap orders their indices, so sifting
 * moves one int per level.
 */
final class MergeQueue {
    private float[] priority = new float[64];
    private int[] left = new int[64];
    private int[] right = new int[64];
    private int[] leftSym = new int[64];
    private int[] rightSym = new int[64];
    private int[] merged = new int[64];
    private int entries;
    private int[] heap = new int[64];
    private int size;

    // fields of the last popped entry
    int topLeft;
    int topRight;
    int topLeftSym;
    int topRightSym;
    int topMerged;

    void clear() {
        size = 0;
        entries = 0;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void push(float p, int l, int r, int lSym, int rSym, int m) {
        if (entries == priority.length) {
            int n = entries * 2;
            priority = Arrays.copyOf(priority, n);
            left = Arrays.copyOf(left, n);
            right = Arrays.copyOf(right, n);
            leftSym = Arrays.copyOf(leftSym, n);
            rightSym = Arrays.copyOf(rightSym, n);
            merged = Arrays.copyOf(merged, n);
        }
        int e = entries++;
        priority[e] = p;
        left[e] = l;
        right[e] = r;
        leftSym[e] = lSym;
        rightSym[e] = rSym;
        merged[e] = m;
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            int pe = heap[parent];
            if (!better(e, pe)) {
                break;
            }
            heap[i] = pe;
            i = parent;
        }
        heap[i] = e;
    }

    /** Removes the best entry into the {@code top*} fields. */
    void pop() {
        int e = heap[0];
        topLeft = left[e];
        topRight = right[e];
        topLeftSym = leftSym[e];
        topRightSym = rightSym[e];
        topMerged = merged[e];
        size--;
        if (size > 0) {
            int last = heap[size];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= size) {
                    break;
                }
                int ce = heap[c];
                if (c + 1 < size && better(heap[c + 1], ce)) {
                    c++;
                    ce = heap[c];
                }
                if (!better(ce, last)) {
                    break;
                }
                heap[i] = ce;
                i = c;
            }
            heap[i] = last;
        }
    }

    private boolean better(int a, int b) {
        float pa = priority[a];
        float pb = priority[b];
        return pa > pb || (pa == pb && left[a] < left[b]);
    }
}
