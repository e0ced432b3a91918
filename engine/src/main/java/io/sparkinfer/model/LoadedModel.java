package io.sparkinfer.model;

import io.sparkinfer.gguf.GgufFile;
import io.sparkinfer.gguf.GgufFormatException;
import io.sparkinfer.kernels.Kernels;
import io.sparkinfer.kernels.KernelsProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A model together with the file mapping its weights live in; closing it unmaps the file.
 * Opens GGUF files (any version) and llama2.c checkpoints, told apart by the GGUF magic.
 */
public final class LoadedModel implements AutoCloseable {
    private final Model model;
    private final GgufFile gguf;              // null for a llama2.c checkpoint
    private final Llama2cCheckpoint checkpoint; // null for GGUF

    private LoadedModel(Model model, GgufFile gguf, Llama2cCheckpoint checkpoint) {
        this.model = model;
        this.gguf = gguf;
        this.checkpoint = checkpoint;
    }

    public static LoadedModel open(Path path) {
        return open(path, KernelsProvider.get());
    }

    public static LoadedModel open(Path path, Kernels kernels) {
        if (isGguf(path)) {
            GgufFile f = GgufFile.open(path);
            try {
                return new LoadedModel(GgufModelLoader.load(f, kernels), f, null);
            } catch (RuntimeException e) {
                f.close();
                throw e;
            }
        }
        Llama2cCheckpoint ck = Llama2cCheckpoint.open(path);
        return new LoadedModel(ck.toModel(kernels), null, ck);
    }

    /** True when the file starts with the GGUF magic; a missing file is a clear error. */
    public static boolean isGguf(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new GgufFormatException(path + ": model file not found");
        }
        try (InputStream in = Files.newInputStream(path)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'G' && magic[1] == 'G' && magic[2] == 'U' && magic[3] == 'F';
        } catch (IOException e) {
            throw new GgufFormatException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    public Model model() {
        return model;
    }

    /** The GGUF file, when the model came from one (its metadata holds the tokenizer). */
    public Optional<GgufFile> gguf() {
        return Optional.ofNullable(gguf);
    }

    @Override
    public void close() {
        if (gguf != null) {
            gguf.close();
        }
        if (checkpoint != null) {
            checkpoint.close();
        }
    }
}
