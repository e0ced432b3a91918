package io.sparkinfer.benchmarks;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An A/B of two builds of the engine in one JVM: each jar gets its own class loader and its own
 * {@link JarABProbe}, and the two take turns (A B, B A, ...), so both see the same minutes of this
 * machine. Jar against jar in separate JVMs ({@code scripts/bench-ab.sh}) could not tell a 20%
 * change from the shared machine's drift, which moved one jar's figures 2x between runs (session
 * 17). It is not free of bias either: one jar against itself read 0.95-1.06 (matmul) and
 * 0.95-1.2 (short prompts), so the script runs it in both load orders.
 *
 * <pre>  JarAB A.jar B.jar DEPS_CLASSPATH PROBE_DIR SPEC [rounds=8] [reps=1]</pre>
 * DEPS_CLASSPATH: the engine's dependencies; PROBE_DIR: where {@code JarABProbe.class} is (this
 * module's classes); SPEC: see {@link JarABProbe#JarABProbe}. Prints the median of each side and
 * B's speed over A's. {@code scripts/bench-ab-jvm.sh} runs it.
 */
public final class JarAB {
    private JarAB() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: JarAB A.jar B.jar DEPS_CLASSPATH PROBE_DIR SPEC [rounds] [reps]");
            System.exit(2);
        }
        int rounds = args.length > 5 ? Integer.parseInt(args[5]) : 8;
        int reps = args.length > 6 ? Integer.parseInt(args[6]) : 1;
        Object[] probes = new Object[2];
        Method[] run = new Method[2];
        for (int side = 0; side < 2; side++) {
            List<URL> urls = new ArrayList<>();
            urls.add(Path.of(args[3]).toUri().toURL());
            urls.add(Path.of(args[side]).toUri().toURL());
            for (String dep : args[2].split(":")) {
                if (!dep.isBlank()) {
                    urls.add(Path.of(dep).toUri().toURL());
                }
            }
            // Parent: the platform loader, so that this loader, not the application's, defines
            // the probe and the engine classes it links to.
            ClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
            Class<?> probe = Class.forName(JarABProbe.class.getName(), true, loader);
            probes[side] = probe.getConstructor(String.class).newInstance(args[4]);
            run[side] = probe.getMethod("run", int.class);
        }
        double[][] seconds = new double[2][rounds];
        for (int r = 0; r < rounds + 2; r++) { // two warm-up rounds
            for (int k = 0; k < 2; k++) {
                int side = (r & 1) == 0 ? k : 1 - k;
                double s = (double) run[side].invoke(probes[side], reps);
                if (r >= 2) {
                    seconds[side][r - 2] = s;
                }
            }
        }
        boolean mat = args[4].startsWith("mat");
        double[] median = new double[2];
        for (int side = 0; side < 2; side++) {
            Arrays.sort(seconds[side]);
            median[side] = seconds[side][rounds / 2];
        }
        System.out.printf("%s  A %.4g  B %.4g %s  B/A speed %.3f  (A %s, B %s)%n", args[4],
                mat ? median[0] * 1e9 : 1 / median[0], mat ? median[1] * 1e9 : 1 / median[1],
                mat ? "ns per multiply-add" : "tok/s", median[0] / median[1], args[0], args[1]);
    }
}
