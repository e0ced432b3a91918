package io.sparkinfer.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A prompt template: text with {@code {column}} placeholders filled from the row, and
 * {@code {labels}} with the classify labels. A null or empty column value is an error for that
 * row (never a crash). Rendered on the driver-defined templating stage.
 */
public record PromptTemplate(String template) implements Serializable {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_.]*)}");

    public PromptTemplate {
        if (template == null || template.isEmpty()) {
            throw new IllegalArgumentException("empty prompt template");
        }
    }

    /** The column names the template reads, in order ({@code labels} excluded). */
    public List<String> columns() {
        List<String> out = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (!m.group(1).equals("labels") && !out.contains(m.group(1))) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** Fills the placeholders; throws {@link IllegalArgumentException} naming a null or empty column. */
    public String render(Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String v = values.get(name);
            if (v == null) {
                throw new IllegalArgumentException("column '" + name + "' is null");
            }
            if (v.isBlank() && !name.equals("labels")) {
                throw new IllegalArgumentException("column '" + name + "' is empty");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
