package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Two rules of the kernels, checked on the sources, because a kernel that breaks them still
 * computes the right numbers and only runs many times slower, in some JVMs and not others:
 * <ul>
 *   <li>No method takes or returns a vector, not even a one-line load or store helper: where C2
 *       leaves such a call un-inlined, the vector is boxed per call and the callee runs the Vector
 *       API's Java fallback ({@link VectorWidth#treeSum(float[], int)}). C2 does leave tiny ones
 *       un-inlined: once a helper has a standalone compile bigger than InlineSmallCode ("already
 *       compiled into a medium method"), which happened to {@code VectorFloatMatmul.load} after
 *       other vector shapes had run in the JVM ({@code bench --pollute-vector-profiles}: 1B F16
 *       prefill 7 against 60 tok/s, session 22).
 *   <li>An int16 accumulator is never the receiver of its own update ({@code acc = acc.add(x)}):
 *       written {@code acc = x.add(acc)}, the call is bound by the fresh, exactly typed x rather
 *       than by a type profile shared by the whole JVM ({@link VectorQ4Dot#SHORTS}).
 * </ul>
 */
class KernelVectorCallsTest {
    private static final Path SOURCES = Path.of("src/main/java/io/sparkinfer/kernels");
    private static final String VECTOR = "(?:[\\w.]*\\.)?(?:Float|Int|Short|Byte|Long)Vector";
    private static final Pattern METHOD = Pattern.compile(
            "(?m)^\\s+(?:private |public |protected )?(?:static )?(?:final )?([\\w.<>\\[\\]]+) (\\w+)\\(([^)]*)\\)\\s*\\{");
    private static final Pattern SHORT_DECLARATION = Pattern.compile("ShortVector (\\w+) = [^;]*;");
    private static final Pattern SELF_UPDATE = Pattern.compile("\\b(\\w+) = \\1\\.add\\(");

    @Test
    void noMethodTakesOrReturnsAVector() throws IOException {
        List<String> found = new ArrayList<>();
        int methods = 0;
        for (Path file : sources()) {
            String src = Files.readString(file);
            String cls = file.getFileName().toString().replace(".java", "");
            Matcher method = METHOD.matcher(src);
            while (method.find()) {
                methods++;
                boolean vectorParameter = Pattern.compile("\\b" + VECTOR + " \\w+").matcher(method.group(3)).find();
                if (method.group(1).matches(VECTOR) || vectorParameter) {
                    found.add(cls + "." + method.group(2));
                }
            }
        }
        assertTrue(methods >= 100, "the scan found only " + methods + " methods: is " + SOURCES + " right?");
        assertEquals(List.of(), found, "kernel methods that take or return a vector");
    }

    @Test
    void noShortAccumulatorIsTheReceiverOfItsOwnUpdate() throws IOException {
        List<String> found = new ArrayList<>();
        int declarations = 0;
        for (Path file : sources()) {
            String src = Files.readString(file);
            Set<String> shorts = new HashSet<>();
            Matcher declaration = SHORT_DECLARATION.matcher(src);
            while (declaration.find()) {
                Matcher names = Pattern.compile("(?:ShortVector |, )(\\w+) = ").matcher(declaration.group());
                while (names.find()) {
                    shorts.add(names.group(1));
                    declarations++;
                }
            }
            Matcher update = SELF_UPDATE.matcher(src);
            while (update.find()) {
                if (shorts.contains(update.group(1))) {
                    int line = src.substring(0, update.start()).split("\n", -1).length;
                    found.add(file.getFileName() + ":" + line + " " + update.group());
                }
            }
        }
        assertTrue(declarations >= 50, "the scan found only " + declarations + " ShortVector variables");
        assertEquals(List.of(), found, "int16 accumulators updated as acc = acc.add(...)");
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }
}
