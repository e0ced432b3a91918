package io.sparkinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;

class KernelsProviderTest {
    @Test
    void scalarCanBeForced() {
        assertInstanceOf(ScalarKernels.class, KernelsProvider.choose("scalar"));
    }

    @Test
    void autoPicksVectorWhereTheCpuHasAtLeast256Bits() {
        Kernels k = KernelsProvider.choose("auto");
        assertNotNull(k.name());
        if (VectorKernels.preferredBits() >= 256) {
            assertInstanceOf(VectorKernels.class, k);
        } else {
            assertInstanceOf(ScalarKernels.class, k);
        }
    }
}
