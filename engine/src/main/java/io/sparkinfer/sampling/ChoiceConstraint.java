package io.sparkinfer.sampling;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Output restricted to exactly one of a fixed list of choices, through a trie of their token ids:
 * at each step only the tokens that continue some choice are allowed. Where one choice is a
 * prefix of another, an end-of-generation token ends the shorter one.
 */
public final class ChoiceConstraint implements TokenConstraint {
    private static final class Node {
        final Map<Integer, Node> children = new LinkedHashMap<>();
        int choice = -1; // index of the choice ending here
    }

    private final List<String> texts;
    private final int endToken;
    private Node node;
    private boolean ended;
    private final int longest;

    /**
     * @param choices  the token ids of each choice (non-empty each)
     * @param texts    the text of each choice, returned as the output text
     * @param endToken an end-of-generation id that ends a choice that is a prefix of another; -1 if none
     */
    public ChoiceConstraint(List<int[]> choices, List<String> texts, int endToken) {
        if (choices.isEmpty() || choices.size() != texts.size()) {
            throw new IllegalArgumentException("choices: " + choices.size() + " token lists for " + texts.size() + " texts");
        }
        this.texts = List.copyOf(texts);
        this.endToken = endToken;
        Node root = new Node();
        int max = 0;
        for (int i = 0; i < choices.size(); i++) {
            int[] ids = choices.get(i);
            if (ids.length == 0) {
                throw new IllegalArgumentException("choice " + i + " ('" + texts.get(i) + "') has no tokens");
            }
            Node n = root;
            for (int t : ids) {
                n = n.children.computeIfAbsent(t, k -> new Node());
            }
            if (n.choice < 0) {
                n.choice = i;
            }
            max = Math.max(max, ids.length);
        }
        this.node = root;
        this.longest = max + 1;
    }

    /** Tokens enough to finish any choice (the end token included). */
    public int maxTokens() {
        return longest;
    }

    @Override
    public void mask(float[] row, int off, int vocab) {
        float[] keep = new float[node.children.size()];
        int[] ids = new int[keep.length];
        int i = 0;
        for (int t : node.children.keySet()) {
            ids[i] = t;
            keep[i++] = row[off + t];
        }
        float end = endToken >= 0 && node.choice >= 0 ? row[off + endToken] : Float.NEGATIVE_INFINITY;
        Arrays.fill(row, off, off + vocab, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < ids.length; j++) {
            // A masked-in token must stay selectable even if the model gives it -inf.
            row[off + ids[j]] = keep[j] == Float.NEGATIVE_INFINITY ? -Float.MAX_VALUE : keep[j];
        }
        if (endToken >= 0 && node.choice >= 0) {
            row[off + endToken] = end == Float.NEGATIVE_INFINITY ? -Float.MAX_VALUE : end;
        }
    }

    @Override
    public void accept(int token) {
        if (node.choice >= 0 && token == endToken && !node.children.containsKey(token)) {
            ended = true;
            return;
        }
        Node next = node.children.get(token);
        if (next == null) {
            throw new IllegalStateException("token " + token + " continues no choice");
        }
        node = next;
    }

    @Override
    public boolean isComplete() {
        return node.choice >= 0 && (ended || node.children.isEmpty());
    }

    /** The index of the chosen choice, or -1 while incomplete. */
    public int chosen() {
        return isComplete() ? node.choice : -1;
    }

    @Override
    public String text(String decoded, boolean length) {
        return isComplete() ? texts.get(node.choice) : decoded;
    }
}
