package io.sparkinfer.kernels;

import java.lang.System.Logger.Level;

/**
 * Picks the {@link Kernels} implementation once per JVM and logs the choice, and why when it
 * falls back to scalar. {@code -Dsparkinfer.kernels=scalar} forces the reference kernels;
 * {@code =vector} makes a missing Vector API an error instead of a fallback.
 */
public final class KernelsProvider {
    private static final System.Logger LOG = System.getLogger(KernelsProvider.class.getName());
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private KernelsProvider() {
    }

    /** The kernels for this JVM, chosen on first call. */
    public static Kernels get() {
        return Holder.INSTANCE;
    }

    private static final class Holder {
        static final Kernels INSTANCE = choose(System.getProperty("sparkinfer.kernels", "auto"));
    }

    static Kernels choose(String requested) {
        if ("scalar".equalsIgnoreCase(requested)) {
            LOG.log(Level.INFO, "kernels: scalar (requested by -Dsparkinfer.kernels=scalar)");
            return new ScalarKernels();
        }
        boolean required = "vector".equalsIgnoreCase(requested);
        String reason;
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            reason = "module " + VECTOR_MODULE + " is not loaded (start the JVM with --add-modules "
                    + VECTOR_MODULE + ")";
        } else {
            try {
                // Reflection, so that this class links even where the incubator module is absent.
                Class<?> c = Class.forName("io.sparkinfer.kernels.VectorKernels");
                int bits = (int) c.getMethod("preferredBits").invoke(null);
                if (bits >= 256) {
                    Kernels k = (Kernels) c.getConstructor().newInstance();
                    LOG.log(Level.INFO, "kernels: " + k.name() + " (Vector API, preferred species " + bits + " bits)");
                    return k;
                }
                reason = "the preferred vector species is " + bits
                        + " bits; below 256 the Vector API kernels are not faster than scalar";
            } catch (ReflectiveOperationException | LinkageError e) {
                reason = "vector kernels failed to load: " + e;
            }
        }
        if (required) {
            throw new IllegalStateException("-Dsparkinfer.kernels=vector but " + reason);
        }
        LOG.log(Level.WARNING, "kernels: falling back to scalar because " + reason);
        return new ScalarKernels();
    }
}
