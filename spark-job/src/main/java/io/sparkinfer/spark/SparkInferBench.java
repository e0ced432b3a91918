package io.sparkinfer.spark;

import io.sparkinfer.generate.GenerationRequest;
import io.sparkinfer.generate.GenerationResult;
import io.sparkinfer.generate.InferenceEngine;
import io.sparkinfer.model.LoadedModel;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Benchmark (not a test; scripts/bench-spark.sh runs it): the Spark layer's overhead over the
 * engine alone on the same prompts, and 1 vs 2 executor JVMs.
 *
 * <pre>
 * SparkInferBench [--model F] [--prompts 64] [--max-tokens 64] [--repeat 3] [--executors true]
 * </pre>
 * Each figure is the best of {@code repeat} timed runs after one warm-up run (the replica and JIT
 * warm). The Spark runs write with the {@code noop} sink, so the figure is the pipeline itself.
 */
public final class SparkInferBench {
    private SparkInferBench() {
    }

    public static void main(String[] args) throws Exception {
        InferenceOptions o = SparkInferMain.parse(prepend(args));
        String model = o.get("model", "../shared/data/gguf/tinyllamas-stories-260k-f32.gguf");
        int n = o.getInt("prompts", 64);
        int maxTokens = o.getInt("max_tokens", 64);
        int repeat = o.getInt("repeat", 3);
        InferenceOptions job = InferenceOptions.defaults().with("model", model).with("max_tokens", maxTokens)
                .with("progress_interval_s", 0).with("print_summary", false).with("text_col", "prompt");
        List<String> prompts = prompts(n);
        System.out.printf(Locale.ROOT, "sparkinfer Spark bench: %s, %d prompts, max_tokens %d, %d cores, best of %d%n",
                Path.of(model).getFileName(), n, maxTokens, Runtime.getRuntime().availableProcessors(), repeat);

        double engine = engineAlone(model, prompts, job, repeat);
        System.out.printf(Locale.ROOT, "engine alone (1 thread submitting, EngineFactory engine): %.3f s%n", engine);

        for (String master : new String[] {"local[1]", "local[2]"}) {
            double t = spark(master, prompts, job, repeat, null);
            System.out.printf(Locale.ROOT, "spark %-10s: %.3f s  (overhead vs engine alone: %+.1f%%)%n", master, t,
                    100 * (t / engine - 1));
        }
        if (o.getBoolean("executors", true)) {
            String classDirs = executorClassPath();
            double one = spark("local-cluster[1,1,1024]", prompts, job, repeat, classDirs);
            double two = spark("local-cluster[2,1,1024]", prompts, job, repeat, classDirs);
            System.out.printf(Locale.ROOT, "1 executor (1 core): %.3f s; 2 executors (1 core each): %.3f s; speed-up %.2fx%n",
                    one, two, one / two);
        }
    }

    private static String[] prepend(String[] args) {
        String[] out = new String[args.length + 1];
        out[0] = "bench";
        System.arraycopy(args, 0, out, 1, args.length);
        return out;
    }

    static List<String> prompts(int n) {
        String[] who = {"Lily", "Tom", "a little dog", "Sue", "Ben", "a big bear", "Mia", "an old cat"};
        String[] what = {"found a ball", "went to the park", "saw a tree", "wanted to play", "had a red hat",
            "was very sad", "liked to sing", "lost a toy"};
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("Once upon a time, " + who[i % who.length] + " " + what[(i / who.length) % what.length] + ".");
        }
        return out;
    }

    static double engineAlone(String model, List<String> prompts, InferenceOptions job, int repeat) {
        try (LoadedModel m = LoadedModel.open(Path.of(model))) {
            TextCodec codec = TextCodecs.forModel(m, null);
            InferenceEngine engine = EngineFactory.create(m.model(), codec, m.model().config().contextLength());
            double best = Double.MAX_VALUE;
            for (int r = 0; r <= repeat; r++) {
                long t0 = System.nanoTime();
                List<GenerationRequest> reqs = new ArrayList<>();
                for (int i = 0; i < prompts.size(); i++) {
                    String id = Integer.toString(i);
                    reqs.add(new GenerationRequest(id, codec.encode(prompts.get(i), true),
                            job.sampling().withSeed(RowSeeds.of(job.seed(), id))));
                }
                List<GenerationResult> out = engine.generate(reqs);
                double s = (System.nanoTime() - t0) / 1e9;
                if (out.size() != prompts.size()) {
                    throw new IllegalStateException("lost results");
                }
                if (r > 0) {
                    best = Math.min(best, s);
                }
            }
            engine.close();
            return best;
        }
    }

    static double spark(String master, List<String> prompts, InferenceOptions job, int repeat, String classDirs) {
        SparkConf conf = SparkInfer.configure(new SparkConf()).setMaster(master).setAppName("sparkinfer-bench")
                .set("spark.ui.enabled", "false").set("spark.sql.shuffle.partitions", "2")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        if (classDirs != null) {
            conf.set("spark.executor.extraClassPath", classDirs)
                    .set("spark.executor.memory", "1024m")
                    .set("spark.executor.extraJavaOptions", "--add-modules jdk.incubator.vector "
                            + "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow")
                    .set("spark.sparkinfer.threads", "1");
        }
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                rows.add(RowFactory.create(Integer.toString(i), prompts.get(i)));
            }
            int partitions = master.startsWith("local[1") ? 1 : 2;
            Dataset<Row> df = spark.createDataFrame(rows, new StructType().add("id", DataTypes.StringType)
                    .add("prompt", DataTypes.StringType)).repartition(partitions).cache();
            df.count();
            double best = Double.MAX_VALUE;
            for (int r = 0; r <= repeat; r++) {
                long t0 = System.nanoTime();
                SparkInfer.generate(df, job).write().format("noop").mode("overwrite").save();
                double s = (System.nanoTime() - t0) / 1e9;
                if (r > 0) {
                    best = Math.min(best, s);
                }
            }
            return best;
        } finally {
            spark.stop();
        }
    }

    /** Fills $SPARK_HOME/jars with links to this JVM's classpath jars; returns its class directories. */
    static String executorClassPath() throws IOException {
        String home = System.getenv("SPARK_HOME");
        if (home == null || System.getenv("SPARK_SCALA_VERSION") == null) {
            throw new IllegalStateException("set SPARK_HOME (a folder whose jars/ this fills) and SPARK_SCALA_VERSION=2.13");
        }
        Path jars = Path.of(home, "jars");
        Files.createDirectories(jars);
        List<String> dirs = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p)) {
                dirs.add(p.toAbsolutePath().toString());
            } else if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
                Path link = jars.resolve(p.getFileName());
                if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(link, p.toAbsolutePath());
                }
            }
        }
        return String.join(File.pathSeparator, dirs);
    }
}
