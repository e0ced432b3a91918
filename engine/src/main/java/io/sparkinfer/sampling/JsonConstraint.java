package io.sparkinfer.sampling;

import java.util.Arrays;

/**
 * Output restricted to a JSON object or array that parses: each step allows only the tokens
 * whose text keeps the output a valid JSON prefix ({@link JsonGrammar}), and generation ends as
 * soon as the value is complete. Tokens whose text is empty or not whole characters (byte
 * fallback pieces) are not used. The output text is the concatenation of the accepted pieces;
 * when the token budget cuts it, the shortest completion is appended so it still parses.
 */
public final class JsonConstraint implements TokenConstraint {
    private final String[] pieces;
    private final JsonGrammar grammar = new JsonGrammar();
    private final JsonGrammar probe = new JsonGrammar();
    private final StringBuilder text = new StringBuilder();
    private boolean stuck;

    /** @param pieces the text of every token id on its own (shared, read-only) */
    public JsonConstraint(String[] pieces) {
        this.pieces = pieces;
    }

    /** A usable piece: non-empty and made of whole characters. */
    static boolean usable(String p) {
        return p != null && !p.isEmpty() && p.indexOf('\uFFFD') < 0;
    }

    @Override
    public void mask(float[] row, int off, int vocab) {
        boolean any = false;
        for (int t = 0; t < vocab; t++) {
            String p = t < pieces.length ? pieces[t] : null;
            boolean ok = false;
            if (usable(p)) {
                probe.copyFrom(grammar);
                ok = probe.accept(p);
            }
            if (!ok) {
                row[off + t] = Float.NEGATIVE_INFINITY;
            } else {
                any = true;
                if (row[off + t] == Float.NEGATIVE_INFINITY) {
                    row[off + t] = -Float.MAX_VALUE;
                }
            }
        }
        if (!any) {
            // The vocabulary has no token that continues (no single-character pieces): end here
            // and let the completion close the value. Whatever token comes is not used.
            stuck = true;
            java.util.Arrays.fill(row, off, off + vocab, 0f);
        }
    }

    @Override
    public void accept(int token) {
        if (stuck) {
            return;
        }
        if (!grammar.accept(pieces[token])) {
            throw new IllegalStateException("token " + token + " breaks the JSON output");
        }
        text.append(pieces[token]);
    }

    @Override
    public boolean isComplete() {
        return stuck || grammar.isComplete();
    }

    @Override
    public String text(String decoded, boolean length) {
        return grammar.isComplete() ? text.toString() : text + grammar.completion();
    }

    /** The texts of every token id, as a JSON constraint needs them. */
    public static String[] pieces(java.util.function.IntFunction<String> decodeOne, int vocab) {
        String[] out = new String[vocab];
        Arrays.setAll(out, decodeOne::apply);
        return out;
    }
}
