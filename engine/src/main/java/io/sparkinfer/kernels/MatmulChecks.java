package io.sparkinfer.kernels;

import io.sparkinfer.tensor.WeightMatrix;

/** Argument checks shared by the kernel implementations: fail with the tensor's name, not an index. */
final class MatmulChecks {
    private MatmulChecks() {
    }

    static void check(WeightMatrix w, float[] x, int nTokens, float[] out) {
        if (!w.type().supported) {
            throw new UnsupportedOperationException(w.name() + ": tensor type " + w.type() + " is not supported");
        }
        if (nTokens < 0 || (long) nTokens * w.cols() > x.length) {
            throw new IllegalArgumentException(w.name() + ": x has " + x.length + " floats, need " + nTokens
                    + " x " + w.cols());
        }
        if ((long) nTokens * w.rows() > out.length) {
            throw new IllegalArgumentException(w.name() + ": out has " + out.length + " floats, need " + nTokens
                    + " x " + w.rows());
        }
    }

    static void checkRow(WeightMatrix w, int row, float[] out, int off) {
        if (row < 0 || row >= w.rows()) {
            throw new IndexOutOfBoundsException(w.name() + ": row " + row + " of " + w.rows());
        }
        if (off < 0 || off + w.cols() > out.length) {
            throw new IndexOutOfBoundsException(w.name() + ": out[" + off + " + " + w.cols() + "] past " + out.length);
        }
    }
}
