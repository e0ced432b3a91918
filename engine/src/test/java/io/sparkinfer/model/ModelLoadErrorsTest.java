package io.sparkinfer.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.gguf.GgufFile;
import io.sparkinfer.gguf.GgufFormatException;
import io.sparkinfer.gguf.GgufValue;
import io.sparkinfer.gguf.GgufWriter;
import io.sparkinfer.testutil.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading errors name the file and the problem. */
class ModelLoadErrorsTest {
    @TempDir
    Path tmp;

    /** stories260K rewritten with some metadata changed. */
    private Path storiesWith(String key, GgufValue value) {
        Path out = tmp.resolve("changed.gguf");
        try (GgufFile src = GgufFile.open(SharedData.file("gguf/tinyllamas-stories-260k-f32.gguf"))) {
            GgufWriter w = new GgufWriter().putAll(src.metadata()).put(key, value);
            for (var t : src.tensors().values()) {
                w.addTensor(t.name(), t.type(), t.dims(), src.tensorData(t.name()));
            }
            w.write(out);
        }
        return out;
    }

    @Test
    void unsupportedArchitectureIsNamed() {
        Path p = storiesWith("general.architecture", GgufValue.string("mamba"));
        var e = assertThrows(UnsupportedModelException.class, () -> LoadedModel.open(p));
        assertTrue(e.getMessage().contains("unsupported architecture 'mamba'") && e.getMessage().contains(p.toString()),
                e.getMessage());
    }

    @Test
    void tensorShapeMismatchNamesTheTensor() {
        Path p = storiesWith("llama.feed_forward_length", GgufValue.uint32(100));
        var e = assertThrows(GgufFormatException.class, () -> LoadedModel.open(p));
        assertTrue(e.getMessage().contains("tensor shape mismatch for 'blk.0.ffn_gate.weight'"), e.getMessage());
    }

    @Test
    void convertedV3CopyLoadsAndMatchesV1() {
        Path p = storiesWith("general.name", GgufValue.string("copy"));
        try (LoadedModel a = LoadedModel.open(p);
             LoadedModel b = LoadedModel.open(SharedData.file("gguf/tinyllamas-stories-260k-f32.gguf"))) {
            float[] la = a.model().forward(ForwardBatch.ofSequence(new int[] {1, 403}, 0, 0), a.model().newKvCache(1, 8));
            float[] lb = b.model().forward(ForwardBatch.ofSequence(new int[] {1, 403}, 0, 0), b.model().newKvCache(1, 8));
            org.junit.jupiter.api.Assertions.assertArrayEquals(lb, la, 0f);
        }
    }

    @Test
    void missingAndNonModelFilesAreClearErrors() throws Exception {
        var e = assertThrows(GgufFormatException.class, () -> LoadedModel.open(tmp.resolve("absent.gguf")));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
        Path junk = tmp.resolve("junk.bin");
        Files.write(junk, new byte[] {1, 2, 3});
        e = assertThrows(GgufFormatException.class, () -> LoadedModel.open(junk));
        assertTrue(e.getMessage().contains("junk.bin"), e.getMessage());
    }
}
