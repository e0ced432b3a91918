package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A 2-D weight in ggml layout: {@code rows} rows of {@code cols} elements each, every row stored
 * contiguously in {@code type}'s block format ({@code type.byteSize(cols)} bytes per row).
 * In ggml terms ne[0] = cols (the reduction dimension) and ne[1] = rows.
 *
 * @param name tensor name, for error messages
 * @param data exactly {@code rows * type.byteSize(cols)} bytes, usually a slice of a mmapped file
 * @param packed the same weights re-laid for one kernel set's fastest matmul (made once at load
 *     by {@code Kernels.prepare}), or null; {@code data} stays the reference copy
 */
public record WeightMatrix(String name, GGMLType type, int rows, int cols, MemorySegment data,
                           MemorySegment packed) {
    public WeightMatrix {
        long expected = (long) rows * type.byteSize(cols);
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException(name + ": " + type + " [" + rows + " x " + cols + "] needs "
                    + expected + " bytes, got " + data.byteSize());
        }
    }

    /** A matrix in ggml layout only (no packed copy). */
    public WeightMatrix(String name, GGMLType type, int rows, int cols, MemorySegment data) {
        this(name, type, rows, cols, data, null);
    }

    /** This matrix with {@code packed} as its kernel-specific copy. */
    public WeightMatrix withPacked(MemorySegment packed) {
        return new WeightMatrix(name, type, rows, cols, data, packed);
    }

    /** Bytes of one row. */
    public long rowBytes() {
        return type.byteSize(cols);
    }
}
