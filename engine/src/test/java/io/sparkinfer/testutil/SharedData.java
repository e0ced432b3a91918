package io.sparkinfer.testutil;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds ../shared/data (beside the checkout) from whatever directory the tests run in. */
public final class SharedData {
    private SharedData() {
    }

    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("data");
            if (Files.isDirectory(candidate) && p.resolve("shared").resolve("data").resolve("README.md").toFile().exists()) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find shared/data beside the checkout (searched upwards from " + dir
                + "); CI places ../shared next to the repository");
    }

    public static Path file(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) {
            throw new IllegalStateException("missing test data file " + p);
        }
        return p;
    }
}
