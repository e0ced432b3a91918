package io.sparkinfer.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The choice trie allows only continuations of some choice, and ends exactly on one. */
class ChoiceConstraintTest {
    static final int END = 0, V = 10;
    // "pos" = [3, 4], "posit" = [3, 4, 5] (prefix of another), "neg" = [6], "neutral" = [7, 8]
    static final List<int[]> IDS = List.of(new int[] {3, 4}, new int[] {3, 4, 5}, new int[] {6}, new int[] {7, 8});
    static final List<String> TEXTS = List.of("pos", "posit", "neg", "neutral");

    @Test
    void randomWalksAlwaysEndOnAChoice() {
        Random rnd = new Random(11);
        for (int trial = 0; trial < 500; trial++) {
            ChoiceConstraint c = new ChoiceConstraint(IDS, TEXTS, END);
            for (int n = 0; n < c.maxTokens() && !c.isComplete(); n++) {
                float[] row = new float[V];
                for (int i = 0; i < V; i++) {
                    row[i] = (float) rnd.nextGaussian() * 3;
                }
                row[rnd.nextInt(V)] = Float.NEGATIVE_INFINITY; // the model may rule out anything
                c.mask(row, 0, V);
                int pick;
                do {
                    pick = rnd.nextInt(V);
                } while (row[pick] == Float.NEGATIVE_INFINITY);
                c.accept(pick);
            }
            assertTrue(c.isComplete());
            assertTrue(TEXTS.contains(c.text("garbage", false)));
            assertEquals(TEXTS.get(c.chosen()), c.text("", false));
        }
    }

    @Test
    void maskAllowsExactlyTheContinuations() {
        ChoiceConstraint c = new ChoiceConstraint(IDS, TEXTS, END);
        float[] row = new float[V];
        c.mask(row, 0, V);
        for (int i = 0; i < V; i++) {
            assertEquals(i == 3 || i == 6 || i == 7, row[i] != Float.NEGATIVE_INFINITY, "token " + i);
        }
        c.accept(3);
        c.accept(4);
        row = new float[V];
        c.mask(row, 0, V);
        for (int i = 0; i < V; i++) {
            assertEquals(i == 5 || i == END, row[i] != Float.NEGATIVE_INFINITY, "token " + i);
        }
        c.accept(END);
        assertEquals("pos", c.text("", false));
    }
}
