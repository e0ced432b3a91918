package io.sparkinfer.spark;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;

/**
 * What a task needs to find the model, and nothing more: shipped to executors instead of the
 * weights (they are memory-mapped there, once per JVM, by {@link ReplicaHolder}).
 *
 * <p>A path that exists on the executor is used as is (a shared file system, or a file baked into
 * the image); otherwise the file is looked up by its name among the files shipped with
 * {@code spark-submit --files} / {@code SparkContext.addFile} ({@link SparkFiles#get}).
 *
 * @param modelPath     GGUF file or llama2.c checkpoint
 * @param tokenizerPath llama2.c {@code tokenizer.bin} for a llama2.c checkpoint; null for GGUF
 * @param maxSeqLen     context the engine allots per sequence (0: the model's own)
 * @param kvBudgetMb    the engine's KV cache budget in MiB (0: {@link EngineFactory#defaultKvBudgetBytes()})
 */
public record ModelHandle(String modelPath, String tokenizerPath, int maxSeqLen, int kvBudgetMb) implements Serializable {

    public ModelHandle {
        if (modelPath == null || modelPath.isBlank()) {
            throw new IllegalArgumentException("a model path is required (option 'model')");
        }
    }

    /** The key a replica is cached under in an executor JVM. */
    public String key() {
        return modelPath + "|" + tokenizerPath + "|" + maxSeqLen + "|" + kvBudgetMb;
    }

    public Path localModel() {
        return resolve(modelPath);
    }

    public Path localTokenizer() {
        return tokenizerPath == null ? null : resolve(tokenizerPath);
    }

    static Path resolve(String path) {
        Path p = Path.of(path);
        if (Files.isRegularFile(p)) {
            return p;
        }
        if (SparkEnv.get() != null) {
            try {
                Path shipped = Path.of(SparkFiles.get(p.getFileName().toString()));
                if (Files.isRegularFile(shipped)) {
                    return shipped;
                }
            } catch (RuntimeException ignored) {
                // no SparkFiles directory in this JVM: fall through to the error
            }
        }
        throw new IllegalArgumentException(path + ": file not found on this machine, nor shipped with "
                + "spark-submit --files / SparkContext.addFile (looked up as '" + p.getFileName() + "')");
    }
}
