package io.sparkinfer.spark.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkinfer.spark.PromptTemplate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Few-shot examples for classify, from a file: JSON lines with a text field ({@code text},
 * {@code sentence} or the job's text column) and a {@code label}, or a TSV with a header naming
 * those columns. Each example is the job's template filled with the example's text, followed by
 * its label; the examples form a prefix put before every row's prompt. A missing file, a line
 * without text or label, or a label outside the label set is an error naming the file and line.
 */
public final class FewShot {
    private FewShot() {
    }

    public record Example(String text, String label) {
    }

    public static List<Example> read(Path file, String textField, Map<String, String> labelMap, List<String> labels, int max) {
        List<String> lines = JobIO.lines(file, "few-shot examples");
        List<Example> out = new ArrayList<>();
        boolean tsv = file.toString().endsWith(".tsv");
        int textIdx = -1, labelIdx = -1;
        for (int i = 0; i < lines.size() && out.size() < max; i++) {
            String where = file + " line " + (i + 1);
            String text, label;
            if (tsv) {
                String[] f = lines.get(i).split("\t", -1);
                if (i == 0) {
                    List<String> header = List.of(f);
                    textIdx = header.indexOf(textField) >= 0 ? header.indexOf(textField)
                            : header.indexOf("sentence") >= 0 ? header.indexOf("sentence") : header.indexOf("text");
                    labelIdx = header.indexOf("label");
                    if (textIdx < 0 || labelIdx < 0) {
                        throw new IllegalArgumentException(where + ": the header needs a text column ('" + textField
                                + "', 'sentence' or 'text') and 'label', got " + header);
                    }
                    continue;
                }
                if (f.length <= Math.max(textIdx, labelIdx)) {
                    throw new IllegalArgumentException(where + ": expected " + (Math.max(textIdx, labelIdx) + 1) + " tab-separated fields");
                }
                text = f[textIdx].strip();
                label = f[labelIdx].strip();
            } else {
                JsonNode n;
                try {
                    n = JobIO.json().readTree(lines.get(i));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalArgumentException(where + ": not valid JSON: " + e.getOriginalMessage());
                }
                JsonNode t = n.has(textField) ? n.get(textField) : n.has("text") ? n.get("text") : n.get("sentence");
                text = t == null ? "" : t.asText("").strip();
                label = n.path("label").asText("").strip();
            }
            if (text.isEmpty() || label.isEmpty()) {
                throw new IllegalArgumentException(where + ": a few-shot example needs a text and a label");
            }
            String mapped = labelMap.getOrDefault(label, label);
            if (!labels.contains(mapped)) {
                throw new IllegalArgumentException(where + ": label '" + label + "' is not one of " + labels
                        + (labelMap.isEmpty() ? " (set label_map, e.g. 0:negative,1:positive)" : ""));
            }
            out.add(new Example(text, mapped));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": no few-shot examples");
        }
        return out;
    }

    /** The prefix: each example rendered with the template, a space and its label, then a blank line. */
    public static String prefix(List<Example> examples, String template, String textPlaceholder, List<String> labels) {
        PromptTemplate t = new PromptTemplate(template);
        StringBuilder sb = new StringBuilder();
        for (Example e : examples) {
            sb.append(t.render(Map.of(textPlaceholder, e.text(), "labels", String.join(", ", labels))))
                    .append(' ').append(e.label()).append("\n\n");
        }
        return sb.toString();
    }
}
