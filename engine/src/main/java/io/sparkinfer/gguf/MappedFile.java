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
 *
 * <p>The parser gets the mapping as a plain native segment (same memory, same arena, read-only),
 * not as the mapped-segment class that {@code FileChannel.map} returns. Why: the Vector API's
 * segment loads share one profile for the segment's class across the whole JVM, and once it sees
 * two classes (mapped weights and native kernel buffers) C2 compiles every vector load as the
 * slow path: measured, reading embedding rows from the mapped class halved the speed of the Q4_0
 * kernels that read native memory (pp64 66 vs 90+ tok/s, output matmul 6 vs 3.5 ms).
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
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            MemorySegment plain = MemorySegment.ofAddress(mapped.address())
                    .reinterpret(mapped.byteSize(), arena, null)
                    .asReadOnly();
            return parser.parse(arena, plain);
        } catch (IOException e) {
            arena.close();
            throw new GgufFormatException(path + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }
}
