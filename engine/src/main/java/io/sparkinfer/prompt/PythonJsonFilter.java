package io.sparkinfer.prompt;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code tojson} as Hugging Face's chat templating defines it: Python's
 * {@code json.dumps(x, ensure_ascii=False, indent=indent, sort_keys=sort_keys)}, so
 * {@code {"a": 1, "b": [1, 2]}} with a space after ':' and ',' (Jinjava's own filter writes
 * compact JSON, which would change the prompt text and therefore the tokens).
 */
final class PythonJsonFilter implements Filter {

    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return filter(var, interpreter, args, Map.of());
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object indentArg = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
        String indent = null;
        if (indentArg instanceof Number n) {
            indent = " ".repeat(n.intValue());
        } else if (indentArg instanceof String s && !s.isEmpty()) {
            indent = s.chars().allMatch(Character::isDigit) ? " ".repeat(Integer.parseInt(s)) : s;
        }
        boolean sortKeys = Boolean.TRUE.equals(kwargs.get("sort_keys")) || "true".equalsIgnoreCase(String.valueOf(kwargs.get("sort_keys")));
        StringBuilder sb = new StringBuilder();
        write(var, indent, sortKeys, 0, sb);
        return sb.toString();
    }

    static String dumps(Object value) {
        StringBuilder sb = new StringBuilder();
        write(value, null, false, 0, sb);
        return sb.toString();
    }

    private static void write(Object v, String indent, boolean sortKeys, int depth, StringBuilder sb) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Boolean b) {
            sb.append(b ? "true" : "false");
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            sb.append(d == Math.rint(d) && Math.abs(d) < 1e16 ? String.valueOf((long) d) + ".0" : String.valueOf(d));
        } else if (v instanceof Number n) {
            sb.append(n);
        } else if (v instanceof Map<?, ?> m) {
            List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
            if (sortKeys) {
                entries.sort((a, b) -> String.valueOf(a.getKey()).compareTo(String.valueOf(b.getKey())));
            }
            if (entries.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            for (int i = 0; i < entries.size(); i++) {
                separator(i, indent, depth + 1, sb);
                string(String.valueOf(entries.get(i).getKey()), sb);
                sb.append(": ");
                write(entries.get(i).getValue(), indent, sortKeys, depth + 1, sb);
            }
            close(indent, depth, sb);
            sb.append('}');
        } else if (v instanceof Iterable<?> || v instanceof Object[]) {
            List<Object> items = new ArrayList<>();
            if (v instanceof Iterable<?> it) {
                it.forEach(items::add);
            } else {
                items.addAll(List.of((Object[]) v));
            }
            if (items.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            for (int i = 0; i < items.size(); i++) {
                separator(i, indent, depth + 1, sb);
                write(items.get(i), indent, sortKeys, depth + 1, sb);
            }
            close(indent, depth, sb);
            sb.append(']');
        } else {
            string(v.toString(), sb);
        }
    }

    /** Python's item separator: ", " on one line, "," then a new indented line with indent. */
    private static void separator(int i, String indent, int depth, StringBuilder sb) {
        if (indent == null) {
            if (i > 0) {
                sb.append(", ");
            }
            return;
        }
        if (i > 0) {
            sb.append(',');
        }
        sb.append('\n').append(indent.repeat(depth));
    }

    private static void close(String indent, int depth, StringBuilder sb) {
        if (indent != null) {
            sb.append('\n').append(indent.repeat(depth));
        }
    }

    /** A JSON string as Python writes it with ensure_ascii=False: only quotes, backslashes and control characters escaped. */
    private static void string(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
