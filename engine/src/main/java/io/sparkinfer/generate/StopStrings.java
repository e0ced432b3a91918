package io.sparkinfer.generate;

import java.util.List;

/** Finds where generated text must be cut because it reached a stop string. */
public final class StopStrings {
    private StopStrings() {
    }

    /** The index of the earliest stop-string occurrence in {@code text}, or -1. */
    public static int firstMatch(String text, List<String> stops) {
        int best = -1;
        for (String s : stops) {
            if (s.isEmpty()) {
                continue;
            }
            int i = text.indexOf(s);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }
}
