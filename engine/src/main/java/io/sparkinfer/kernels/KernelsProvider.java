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
        LOG.log(System.Logger.Level.INFO, "kernels: scalar (no vector implementation built yet)");
        return new ScalarKernels();
    }
}
