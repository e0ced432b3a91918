package io.sparkinfer.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tokenization of the reference ROUGE scorer (Google's rouge_score, no stemming): lowercase,
 * every run of characters other than a-z and 0-9 is a separator.
 */
public final class RougeTokenizer {
    private RougeTokenizer() {
    }

    public static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        String s = text.toLowerCase(Locale.ROOT);
        int start = -1;
        for (int i = 0; i <= s.length(); i++) {
            char c = i < s.length() ? s.charAt(i) : ' ';
            boolean word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (word && start < 0) {
                start = i;
            } else if (!word && start >= 0) {
                out.add(s.substring(start, i));
                start = -1;
            }
        }
        return out;
    }
}
