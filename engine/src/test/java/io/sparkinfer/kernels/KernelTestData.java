package io.sparkinfer.kernels;

import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.TensorCodec;
import io.sparkinfer.tensor.WeightMatrix;
import java.util.Random;

/** Random and extreme inputs shared by the kernel tests. */
final class KernelTestData {
    /** Sizes every element-wise kernel is checked at (STYLE.md 5). */
    static final int[] SIZES = {1, 31, 32, 33, 207, 4098};

    private KernelTestData() {
    }

    /** Gaussian values, or with {@code kind} 1 a mix of huge, tiny, zero and negative ones. */
    static float[] floats(Random rnd, int n, int kind) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (kind) {
                case 0 -> (float) rnd.nextGaussian();
                default -> switch (rnd.nextInt(5)) {
                    case 0 -> 0f;
                    case 1 -> (float) (rnd.nextGaussian() * 1e4);
                    case 2 -> (float) (rnd.nextGaussian() * 1e-20);
                    case 3 -> -Math.abs((float) rnd.nextGaussian());
                    default -> (float) rnd.nextGaussian();
                };
            };
        }
        return v;
    }

    static WeightMatrix matrix(Random rnd, GGMLType type, int rows, int cols, int kind) {
        return TensorCodec.quantize("w", type, floats(rnd, rows * cols, kind), rows, cols);
    }

    /** {@code sum |w[r][c] * x[t][c]|} of the dequantized weights: the scale of a dot's rounding error. */
    static double magnitude(float[] wRow, float[] x, int xOff) {
        double m = 0;
        for (int c = 0; c < wRow.length; c++) {
            m += Math.abs((double) wRow[c] * x[xOff + c]);
        }
        return m;
    }
}
