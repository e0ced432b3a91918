package io.sparkinfer.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Maps a model file read-only as one {@link MemorySegment} in a shared arena and hands both to a
 * parser; when the file is missing, unreadable or the parser rejects it, the mapping is released
 * and the error names the file.
 */
public final class MappedFile {
    private MappedFile() {
    }

    /** Builds the parsed view of a mapped file; it owns the arena from then on (closes it on close). */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(Arena arena, MemorySegment mapping);
    }

    public static <T> T open(Path path, Parser<T> parser) {
        if (!Files.exists(path)) {
            throw new GgufFormatException(path + ": model file not found", new NoSuchFileException(path.toString()));
        }
        if (Files.isDirectory(path)) {
            throw new GgufFormatException(path + ": is a directory, expected a model file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return parser.parse(arena, ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena));
        } catch (IOException e) {
            arena.close();
            throw new GgufFormatException(path + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }
}
