package io.sparkinfer.spark.jobs;

import io.sparkinfer.spark.SparkInfer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The user-job tests' lean local[2] session (as the module's SparkTestSession) and ../shared/data. */
final class JobsTestSupport {
    private JobsTestSupport() {
    }

    static SparkSession start(Path warehouse) {
        SparkConf conf = SparkInfer.configure(new SparkConf()).setMaster("local[2]").setAppName("user-jobs")
                .set("spark.ui.enabled", "false").set("spark.sql.shuffle.partitions", "2")
                .set("spark.default.parallelism", "2").set("spark.sql.warehouse.dir", warehouse.toAbsolutePath().toString())
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.sql.adaptive.enabled", "false");
        return SparkSession.builder().config(conf).getOrCreate();
    }

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path data(String relative) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path c = p.resolve("shared").resolve("data");
            if (Files.isRegularFile(c.resolve("README.md"))) {
                return c.resolve(relative);
            }
        }
        throw new IllegalStateException("cannot find shared/data beside the checkout");
    }

    static String gguf() {
        return data("gguf/tinyllamas-stories-260k-f32.gguf").toString();
    }
}
