package io.sparkinfer.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** A lean local session for tests: no UI, 2 shuffle partitions, Kryo as the job configures it. */
final class SparkTestSession {
    private SparkTestSession() {
    }

    static SparkSession start(String master, String appName, Path warehouse, String... extraConf) {
        SparkConf conf = SparkInfer.configure(new SparkConf())
                .setMaster(master)
                .setAppName(appName)
                .set("spark.ui.enabled", "false")
                .set("spark.sql.shuffle.partitions", "2")
                .set("spark.default.parallelism", "2")
                .set("spark.sql.warehouse.dir", warehouse.toAbsolutePath().toString())
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.sql.adaptive.enabled", "false");
        for (int i = 0; i + 1 < extraConf.length; i += 2) {
            conf.set(extraConf[i], extraConf[i + 1]);
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
