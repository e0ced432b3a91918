package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rule of {@link NativeSegments}, checked on the sources: every static method of this
 * package that loads or stores vectors through a {@code MemorySegment} parameter pins that
 * parameter first ({@code s = NativeSegments.pin(s);}). A kernel that forgets it still computes
 * the right numbers, so no other test would notice; it would only run several times slower in a
 * JVM where the Vector API's fallback code ran first (docs/benchmarks.md, Session 13).
 */
class KernelSegmentPinsTest {
    private static final Path SOURCES = Path.of("src/main/java/io/sparkinfer/kernels");
    private static final Pattern METHOD =
            Pattern.compile("(?m)^\\s+(?:private |public )?static [\\w<>\\[\\]]+ (\\w+)\\(([^)]*)\\)\\s*\\{");
    private static final Pattern SEGMENT_PARAMETER = Pattern.compile("MemorySegment (\\w+)");

    @Test
    void everyVectorAccessThroughASegmentParameterIsPinned() throws IOException {
        List<String> unpinned = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.list(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String src = Files.readString(file);
                Matcher method = METHOD.matcher(src);
                while (method.find()) {
                    String body = body(src, method.end());
                    Matcher parameter = SEGMENT_PARAMETER.matcher(method.group(2));
                    while (parameter.find()) {
                        String name = parameter.group(1);
                        if (Pattern.compile("(?:from|into)MemorySegment\\([^;]*\\b" + name + "\\b").matcher(body).find()) {
                            checked++;
                            if (!body.contains(name + " = NativeSegments.pin(" + name + ");")) {
                                unpinned.add(file.getFileName() + ": " + method.group(1) + "(" + name + ")");
                            }
                        }
                    }
                }
            }
        }
        assertTrue(checked >= 20, "the scan found only " + checked + " segment parameters: is " + SOURCES + " right?");
        assertEquals(List.of(), unpinned, "kernel methods whose vector loads or stores use an unpinned segment");
    }

    /** The method body that starts after its opening brace at {@code from}. */
    private static String body(String src, int from) {
        int depth = 1;
        int i = from;
        while (depth > 0) {
            char c = src.charAt(i++);
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            }
        }
        return src.substring(from, i);
    }
}
