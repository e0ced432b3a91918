package io.sparkinfer.eval;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Draws a confusion matrix as a PNG heat map with counts, headless (java.awt, no display). */
public final class ConfusionMatrixPlot {
    private ConfusionMatrixPlot() {
    }

    public static void write(ClassificationMetrics m, String title, Path png) {
        System.setProperty("java.awt.headless", "true");
        int n = m.labels().size(), cols = n + 1, cell = 90, left = 140, top = 80;
        int width = left + cols * cell + 20, height = top + n * cell + 60;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title + String.format("  (accuracy %.3f, macro-F1 %.3f, n=%d)", m.accuracy(), m.macroF1(), m.total()),
                10, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("predicted ->", left, top - 30);
        g.drawString("gold", 10, top - 10);
        long max = 1;
        for (long[] row : m.confusion()) {
            for (long v : row) {
                max = Math.max(max, v);
            }
        }
        for (int p = 0; p < cols; p++) {
            g.setColor(Color.BLACK);
            g.drawString(p < n ? m.labels().get(p) : "(other)", left + p * cell + 6, top - 8);
        }
        for (int r = 0; r < n; r++) {
            g.setColor(Color.BLACK);
            g.drawString(m.labels().get(r), 10, top + r * cell + cell / 2);
            for (int p = 0; p < cols; p++) {
                long v = m.confusion()[r][p];
                int shade = 255 - (int) (200 * v / max);
                g.setColor(new Color(shade, shade, 255));
                g.fillRect(left + p * cell, top + r * cell, cell - 2, cell - 2);
                g.setColor(shade < 128 ? Color.WHITE : Color.BLACK);
                g.drawString(Long.toString(v), left + p * cell + cell / 2 - 10, top + r * cell + cell / 2);
            }
        }
        g.dispose();
        try {
            ImageIO.write(img, "png", png.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }
}
