package io.sparkinfer.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds ../shared/data (beside the checkout) from the test's working directory; test prompts. */
final class TestData {
    private TestData() {
    }

    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("data");
            if (Files.isRegularFile(candidate.resolve("README.md"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find shared/data beside the checkout (searched upwards from " + dir + ")");
    }

    static Path file(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) {
            throw new IllegalStateException("missing test data file " + p);
        }
        return p;
    }

    static String gguf() {
        return file("gguf/tinyllamas-stories-260k-f32.gguf").toString();
    }

    static String llama2cBin() {
        return file("llama2c/stories260K.bin").toString();
    }

    static String llama2cTokenizer() {
        return file("llama2c/tok512.bin").toString();
    }

    /** n distinct story openings. */
    static List<String> prompts(int n) {
        String[] who = {"Lily", "Tom", "a little dog", "Sue", "Ben", "a big bear", "Mia", "an old cat", "Max", "a small bird"};
        String[] what = {"found a ball", "went to the park", "saw a tree", "wanted to play", "had a red hat",
            "was very sad", "liked to sing", "lost a toy", "met a friend", "ate a cake",
            "climbed a hill", "made a cake", "read a book", "saw the sun", "ran fast",
            "had a boat", "drew a fish", "found a box", "heard a sound", "wanted to fly"};
        List<String> out = new ArrayList<>();
        for (int i = 0; out.size() < n; i++) {
            out.add("Once upon a time, " + who[i % who.length] + " " + what[(i / who.length) % what.length]
                    + (i >= who.length * what.length ? " again " + (i / (who.length * what.length)) : "") + ".");
        }
        return out;
    }
}
