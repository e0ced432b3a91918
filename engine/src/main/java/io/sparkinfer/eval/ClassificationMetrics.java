package io.sparkinfer.eval;

import java.util.List;

/**
 * Accuracy, per-label precision/recall/F1, macro-F1 and the confusion matrix of predicted vs gold
 * labels over a fixed label set. A prediction outside the set (an error row) counts as wrong and
 * is tallied in its own column.
 */
public final class ClassificationMetrics {
    private final List<String> labels;
    /** confusion[gold][predicted]; the last predicted column is "other / error". */
    private final long[][] confusion;
    private long total;
    private long correct;

    public ClassificationMetrics(List<String> labels) {
        this.labels = List.copyOf(labels);
        this.confusion = new long[labels.size()][labels.size() + 1];
    }

    public void add(String gold, String predicted) {
        int g = labels.indexOf(gold);
        if (g < 0) {
            throw new IllegalArgumentException("gold label '" + gold + "' is not one of " + labels);
        }
        int p = labels.indexOf(predicted);
        confusion[g][p < 0 ? labels.size() : p]++;
        total++;
        if (p == g) {
            correct++;
        }
    }

    public List<String> labels() {
        return labels;
    }

    public long[][] confusion() {
        return confusion;
    }

    public long total() {
        return total;
    }

    public double accuracy() {
        return total == 0 ? 0 : (double) correct / total;
    }

    public double f1(int label) {
        long tp = confusion[label][label], fp = 0, fn = 0;
        for (int g = 0; g < labels.size(); g++) {
            if (g != label) {
                fp += confusion[g][label];
            }
        }
        for (int p = 0; p <= labels.size(); p++) {
            if (p != label) {
                fn += confusion[label][p];
            }
        }
        double prec = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
        double rec = tp + fn == 0 ? 0 : (double) tp / (tp + fn);
        return prec + rec == 0 ? 0 : 2 * prec * rec / (prec + rec);
    }

    public double macroF1() {
        double s = 0;
        for (int i = 0; i < labels.size(); i++) {
            s += f1(i);
        }
        return labels.isEmpty() ? 0 : s / labels.size();
    }
}
