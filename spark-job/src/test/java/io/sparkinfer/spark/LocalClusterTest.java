package io.sparkinfer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import io.sparkinfer.generate.GenerationRequest;
import io.sparkinfer.generate.GenerationResult;
import io.sparkinfer.generate.InferenceEngine;
import io.sparkinfer.model.LoadedModel;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Two executor JVMs ({@code local-cluster[2,1,1024]}): the job's rows equal a local run's, and each
 * executor JVM loaded its replica once. Spark launches executors from SPARK_HOME/jars (surefire
 * sets SPARK_HOME to target/spark-home and SPARK_SCALA_VERSION=2.13); this test fills that folder
 * with links to the test classpath's jars and puts the class directories on the executor classpath.
 */
class LocalClusterTest {

    static String executorClassPath() throws IOException {
        String sparkHome = System.getenv("SPARK_HOME");
        assumeTrue(sparkHome != null && System.getenv("SPARK_SCALA_VERSION") != null,
                "SPARK_HOME / SPARK_SCALA_VERSION not set (surefire sets them; see spark-job/pom.xml)");
        Path jars = Path.of(sparkHome, "jars");
        Files.createDirectories(jars);
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> dirs = new ArrayList<>();
        for (String entry : cp.split(File.pathSeparator)) {
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

    static Dataset<Row> input(SparkSession spark, int n) {
        List<Row> rows = new ArrayList<>();
        List<String> p = TestData.prompts(n);
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create("r" + i, p.get(i)));
        }
        return spark.createDataFrame(rows, new StructType().add("id", DataTypes.StringType).add("text", DataTypes.StringType))
                .repartition(2);
    }

    @Test
    void twoExecutorJvmsGiveTheSameRowsWithOneReplicaEach() throws Exception {
        String classDirs = executorClassPath();
        Path dir = SparkTestSession.tempDir("sparkinfer-cluster");
        InferenceOptions o = InferenceOptions.defaults().with("model", TestData.gguf()).with("max_tokens", 8)
                .with("progress_interval_s", 0).with("print_summary", false);
        int n = 8;
        SparkSession spark = SparkTestSession.start("local-cluster[2,1,1024]", "local-cluster", dir.resolve("wh"),
                "spark.executor.extraClassPath", classDirs,
                "spark.executor.extraJavaOptions", "--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED "
                        + "--sun-misc-unsafe-memory-access=allow", "spark.sparkinfer.threads", "1",
                "spark.sparkinfer.weights.copy", "false",
                "spark.executor.memory", "1024m", "spark.locality.wait", "0s");
        Map<String, String> cluster = new HashMap<>();
        List<String> loads;
        try {
            JobSummary s = SparkInfer.write(input(spark, n), o.with("output", dir.resolve("out").toString()));
            assertEquals(n, s.rows());
            for (Row r : spark.read().parquet(dir.resolve("out").toString()).collectAsList()) {
                cluster.put(r.getString(0), r.getString(1));
            }
            loads = spark.range(0, 4, 1, 4).map((MapFunction<Long, String>) i ->
                    SparkEnv.get().executorId() + "=" + ReplicaHolder.loads() + " copy="
                            + System.getProperty("sparkinfer.weights.copy"), Encoders.STRING()).distinct().collectAsList();
        } finally {
            spark.stop();
        }
        assertEquals(n, cluster.size());
        for (String l : loads) {
            assertFalse(l.startsWith("driver"), "tasks ran in executor JVMs: " + loads);
            assertTrue(l.contains("=1 ") || l.contains("=0 "), "at most one replica per executor JVM: " + loads);
            assertTrue(l.contains("=0 ") || l.endsWith("copy=false"),
                    "spark.sparkinfer.weights.copy reached the engine before the load: " + loads);
        }
        // the same rows as the engine alone on the same prompts and seeds
        List<String> p = TestData.prompts(n);
        try (LoadedModel m = LoadedModel.open(Path.of(TestData.gguf()))) {
            TextCodec codec = TextCodecs.forModel(m, null);
            InferenceEngine engine = EngineFactory.create(m.model(), codec, m.model().config().contextLength());
            for (int i = 0; i < n; i++) {
                String id = "r" + i;
                GenerationResult ref = engine.submit(new GenerationRequest(id, codec.encode(p.get(i), true),
                        o.sampling().withSeed(RowSeeds.of(o.seed(), id)))).join();
                assertEquals(ref.text(), cluster.get(id), "row " + id);
            }
        }
    }
}
