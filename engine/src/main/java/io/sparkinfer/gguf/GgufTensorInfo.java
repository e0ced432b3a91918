package io.sparkinfer.gguf;

import io.sparkinfer.tensor.GGMLType;
import java.util.Arrays;

/**
 * A tensor's descriptor as stored in the GGUF header.
 *
 * @param dims   ggml order: dims[0] (ne0) is the innermost, contiguous dimension
 * @param offset byte offset of the data, relative to the start of the aligned data section
 */
public record GgufTensorInfo(String name, GGMLType type, long[] dims, long offset) {

    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long byteSize() {
        return type.byteSize(elementCount());
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(dims);
    }
}
