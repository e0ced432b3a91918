package io.sparkinfer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RougeTest {
    @Test
    void handComputedScores() {
        Rouge.Scores s = Rouge.score("The cat sat on the mat.", "the cat is on the mat");
        assertEquals(5.0 / 6, s.rouge1().f1(), 1e-12);
        assertEquals(3.0 / 5, s.rouge2().f1(), 1e-12);
        assertEquals(5.0 / 6, s.rougeL().f1(), 1e-12);
        assertEquals(0.0, Rouge.score("", "anything").rougeL().f1());
        assertEquals(List.of("it", "s", "a", "test", "42"), RougeTokenizer.tokens("It's a TEST, 42!"));
    }

    @Test
    void indexAgreesWithBruteForceOnA50kPool() {
        SplittableRandom rnd = new SplittableRandom(3);
        List<String> pool = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            pool.add(sentence(rnd));
        }
        RougeLIndex index = new RougeLIndex();
        pool.forEach(index::add);
        List<String> candidates = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            candidates.add(sentence(rnd));
        }
        for (int i = 0; i < 5; i++) { // near-duplicates of pool members must be caught
            candidates.add(pool.get(rnd.nextInt(pool.size())) + " please");
        }
        List<List<String>> poolTokens = pool.stream().map(RougeTokenizer::tokens).toList();
        for (String c : candidates) {
            double brute = -1;
            List<String> ct = RougeTokenizer.tokens(c);
            for (List<String> p : poolTokens) {
                double f = Rouge.rougeLF(ct, p);
                if (f > 0.7) {
                    brute = Math.max(brute, f);
                }
            }
            assertEquals(brute, index.maxAbove(c, 0.7), 1e-12, c);
        }
        // The overlap bound prunes nearly all members: far fewer exact LCS runs than pairs.
        assertTrue(index.exactChecks() < candidates.size() * 50L, "exact checks " + index.exactChecks());
    }

    private static String sentence(SplittableRandom rnd) {
        int n = 6 + rnd.nextInt(12);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append("w").append(rnd.nextInt(3000));
        }
        return sb.toString();
    }

    @TempDir
    Path tmp;

    @Test
    void classificationMetricsAndPlot() throws Exception {
        ClassificationMetrics m = new ClassificationMetrics(List.of("positive", "negative"));
        m.add("positive", "positive");
        m.add("positive", "negative");
        m.add("negative", "negative");
        m.add("negative", "negative");
        m.add("negative", "(error)");
        assertEquals(3.0 / 5, m.accuracy(), 1e-12);
        // positive: tp1 fp0 fn1 -> F1 2/3; negative: tp2 fp1 fn1 -> P 2/3 R 2/3 F1 2/3
        assertEquals(2.0 / 3, m.macroF1(), 1e-12);
        assertEquals(1, m.confusion()[1][2]);
        Path png = tmp.resolve("cm.png");
        ConfusionMatrixPlot.write(m, "test", png);
        assertTrue(Files.size(png) > 500);
        assertEquals(0x89, Files.readAllBytes(png)[0] & 0xFF);
    }
}
