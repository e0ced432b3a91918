package io.sparkinfer.benchmarks;

import io.sparkinfer.kernels.Kernels;
import io.sparkinfer.kernels.Parallel;
import io.sparkinfer.kernels.VectorKernels;
import io.sparkinfer.model.ForwardBatch;
import io.sparkinfer.model.LoadedModel;
import io.sparkinfer.model.Model;
import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.TensorCodec;
import io.sparkinfer.tensor.WeightMatrix;
import java.nio.file.Path;
import java.util.Random;

/**
 * One side of {@link JarAB}: {@link JarAB} loads this class once per engine jar, each copy in its
 * own class loader, so the copy links against that jar's engine. Only public engine API, so one
 * compiled class serves any two builds.
 */
public final class JarABProbe {
    private final String mode;
    private final int n;
    private Kernels kernels;
    private WeightMatrix w;
    private float[] x;
    private float[] out;
    private Model model;

    /**
     * {@code pp:MODEL:N} (one forward of N prompt tokens), {@code tg:MODEL:N} (16 decode steps of N
     * sequences), or {@code mat:ROWS:COLS:TYPE:THREADS:N} (random weights of TYPE times N tokens).
     */
    public JarABProbe(String spec) {
        String[] a = spec.split(":");
        mode = a[0];
        switch (mode) {
            case "mat" -> {
                int rows = Integer.parseInt(a[1]);
                int cols = Integer.parseInt(a[2]);
                n = Integer.parseInt(a[5]);
                Random rnd = new Random(1);
                float[] src = new float[rows * cols];
                for (int i = 0; i < src.length; i++) {
                    src[i] = (float) rnd.nextGaussian();
                }
                kernels = new VectorKernels(new Parallel(Integer.parseInt(a[4])));
                w = kernels.prepare(TensorCodec.quantize("w", GGMLType.valueOf(a[3]), src, rows, cols));
                x = new float[cols * n];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) rnd.nextGaussian();
                }
                out = new float[rows * n];
            }
            case "pp", "tg" -> {
                model = LoadedModel.open(Path.of(a[1])).model();
                n = Integer.parseInt(a[2]);
            }
            default -> throw new IllegalArgumentException("spec: pp:MODEL:N, tg:MODEL:N or mat:ROWS:COLS:TYPE:THREADS:N, not "
                    + spec);
        }
    }

    /** Runs reps units of work; returns seconds per token (pp, tg) or per multiply-add (mat). */
    public double run(int reps) {
        long t0 = System.nanoTime();
        long units = 0;
        for (int r = 0; r < reps; r++) {
            switch (mode) {
                case "mat" -> {
                    x[r % x.length] += 1e-3f; // new activations each call
                    kernels.matmul(w, x, n, out);
                    units += (long) w.rows() * w.cols() * n;
                }
                case "pp" -> {
                    var cache = model.newKvCache(1, n + 8);
                    int[] tokens = new int[n];
                    int[] pos = new int[n];
                    boolean[] want = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        tokens[i] = 5 + i + r;
                        pos[i] = i;
                    }
                    want[n - 1] = true;
                    model.forward(new ForwardBatch(tokens, pos, new int[n], want), cache);
                    units += n;
                }
                default -> {
                    var cache = model.newKvCache(n, 24);
                    for (int step = 0; step < 16; step++) {
                        int[] tokens = new int[n];
                        int[] pos = new int[n];
                        int[] slots = new int[n];
                        boolean[] want = new boolean[n];
                        for (int i = 0; i < n; i++) {
                            tokens[i] = 7 + i + step;
                            pos[i] = step;
                            slots[i] = i;
                            want[i] = true;
                        }
                        model.forward(new ForwardBatch(tokens, pos, slots, want), cache);
                        units += n;
                    }
                }
            }
        }
        return (System.nanoTime() - t0) / 1e9 / units;
    }
}
