package io.sparkinfer.kernels;

/**
 * Picks the kernel implementation once per JVM and logs why. {@code -Dsparkinfer.kernels=scalar}
 * forces the reference implementation.
 */
public final class KernelsProvider {
    private static final System.Logger LOG = System.getLogger(KernelsProvider.class.getName());
    private static volatile Kernels instance;

    private KernelsProvider() {
    }

    public static Kernels get() {
        Kernels k = instance;
        if (k == null) {
            synchronized (KernelsProvider.class) {
                if (instance == null) {
                    instance = choose();
                }
                k = instance;
            }
        }
        return k;
    }

    private static Kernels choose() {
        String forced = System.getProperty("sparkinfer.kernels", "");
        if (forced.equals("scalar")) {
            LOG.log(System.Logger.Level.INFO, "kernels: scalar (forced by -Dsparkinfer.kernels=scalar)");
            return new ScalarKernels();
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "kernels: scalar (fallback: the JVM was started without "
                    + "--add-modules jdk.incubator.vector)");
            return new ScalarKernels();
        }
        try {
            int bits = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
            if (bits < 256) {
                LOG.log(System.Logger.Level.WARNING, "kernels: scalar (fallback: preferred vector size is only "
                        + bits + " bits)");
                return new ScalarKernels();
            }
            Kernels k = new VectorKernels();
            LOG.log(System.Logger.Level.INFO, "kernels: " + k.name());
            return k;
        } catch (LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "kernels: scalar (fallback: Vector API unavailable: " + e + ")");
            return new ScalarKernels();
        }
    }
}
