package io.sparkinfer.sampling;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The JSON grammar against Jackson: what it accepts parses, and every cut-off completes. */
class JsonConstraintTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static boolean accepts(String s) {
        JsonGrammar g = new JsonGrammar();
        return g.accept(s) && g.isComplete();
    }

    @Test
    void acceptsValidDocuments() {
        for (String s : new String[] {"{}", "[]", "{\"a\":1}", " {\"a\": [1, -2.5e+3, 0, true, false, null, \"x\\n\\u00e9\"]}",
                "[{\"k\":{}},[[]],\"s\"]", "{\"a\":0.5,\"b\":-0}", "[1e5,2E-1]"}) {
            assertTrue(accepts(s), s);
            assertDoesNotThrow(() -> JSON.readTree(s));
        }
    }

    @Test
    void rejectsInvalidDocuments() {
        for (String s : new String[] {"{a:1}", "[01]", "[1,]", "{\"a\"}", "[tru]", "[\"\u0001\"]", "[1.]", "[-]",
                "{\"a\":1,}", "[\"\\x\"]", "1", "\"s\"", "[1 2]", "{}}"}) {
            assertFalse(accepts(s), s);
        }
    }

    @Test
    void everyPrefixCompletesToParsableJson() throws Exception {
        String doc = "{\"name\": \"a\\\"b\\u12\", \"list\": [1, -2.5e+3, true, null, {\"x\": []}], \"f\": fals";
        for (int i = 0; i <= doc.length(); i++) {
            JsonGrammar g = new JsonGrammar();
            String prefix = doc.substring(0, i);
            if (!g.accept(prefix)) {
                continue;
            }
            String full = prefix + g.completion();
            assertDoesNotThrow(() -> JSON.readTree(full), full);
            JsonGrammar again = new JsonGrammar();
            assertTrue(again.accept(full) && again.isComplete(), full);
        }
    }

    @Test
    void maskedRandomGenerationAlwaysParses() throws Exception {
        String[] pieces = {"{", "}", "[", "]", "\"", ":", ",", " ", "a", "1", "-", ".", "e", "true", "null", "\\", "n",
                "{\"", "\":", "\"}", "0", "\n  ", "", "\uFFFD", "x\"", "fal", "se"};
        Random rnd = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            JsonConstraint c = new JsonConstraint(pieces);
            int budget = 1 + rnd.nextInt(60);
            for (int n = 0; n < budget && !c.isComplete(); n++) {
                float[] row = new float[pieces.length];
                for (int i = 0; i < row.length; i++) {
                    row[i] = (float) rnd.nextGaussian();
                }
                c.mask(row, 0, row.length);
                int pick;
                do {
                    pick = rnd.nextInt(row.length);
                } while (row[pick] == Float.NEGATIVE_INFINITY);
                c.accept(pick);
            }
            String text = c.text("", !c.isComplete());
            assertDoesNotThrow(() -> JSON.readTree(text), text);
            assertEquals(text.trim().charAt(0) == '{' || text.trim().charAt(0) == '[', true, text);
        }
    }
}
