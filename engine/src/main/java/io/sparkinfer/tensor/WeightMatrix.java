package io.sparkinfer.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A 2-D weight in ggml layout: {@code rows} rows of {@code cols} elements each, every row stored
 * contiguously in {@code type}'s block format ({@code type.byteSize(cols)} bytes per row).
 * In ggml terms ne[0] = cols (the reduction dimension) and ne[1] = rows.
 *
 * @param name tensor name, for error messages
 * @param data exactly {@code rows * type.byteSize(cols)} bytes, usually a slice of a mmapped file
 */
public record WeightMatrix(String name, GGMLType type, int rows, int cols, MemorySegment data) {
    public WeightMatrix {
        long expected = (long) rows * type.byteSize(cols);
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException(name + ": " + type + " [" + rows + " x " + cols + "] needs "
                    + expected + " bytes, got " + data.byteSize());
        }
    }

    /** Bytes of one row. */
    public long rowBytes() {
        return type.byteSize(cols);
    }
}
