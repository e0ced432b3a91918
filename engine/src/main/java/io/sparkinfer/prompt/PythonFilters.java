package io.sparkinfer.prompt;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The filters {@link PythonMethods} rewrites method calls into, each with its Python method's meaning. */
final class PythonFilters {
    private PythonFilters() {
    }

    static List<AdvancedFilter> all() {
        return List.of(
                filter("py_startswith", (v, a) -> anyOf(a[0], p -> str(v).startsWith(p))),
                filter("py_endswith", (v, a) -> anyOf(a[0], p -> str(v).endsWith(p))),
                filter("py_strip", (v, a) -> rstrip(lstrip(str(v), chars(a)), chars(a))),
                filter("py_lstrip", (v, a) -> lstrip(str(v), chars(a))),
                filter("py_rstrip", (v, a) -> rstrip(str(v), chars(a))),
                filter("py_upper", (v, a) -> str(v).toUpperCase(Locale.ROOT)),
                filter("py_lower", (v, a) -> str(v).toLowerCase(Locale.ROOT)),
                filter("py_title", (v, a) -> title(str(v))),
                filter("py_capitalize", (v, a) -> {
                    String s = str(v);
                    return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
                }),
                filter("py_split", (v, a) -> split(str(v), a.length > 0 && a[0] != null ? str(a[0]) : null)),
                filter("py_get", (v, a) -> {
                    if (!(v instanceof Map<?, ?> m)) {
                        return a.length > 1 ? a[1] : null;
                    }
                    Object r = m.get(a[0]);
                    return r != null || m.containsKey(a[0]) ? r : (a.length > 1 ? a[1] : null);
                }),
                filter("py_items", (v, a) -> {
                    List<List<Object>> items = new ArrayList<>();
                    if (v instanceof Map<?, ?> m) {
                        m.forEach((k, val) -> items.add(Arrays.asList(k, val)));
                    }
                    return items;
                }),
                filter("py_keys", (v, a) -> v instanceof Map<?, ?> m ? new ArrayList<>(m.keySet()) : List.of()),
                filter("py_values", (v, a) -> v instanceof Map<?, ?> m ? new ArrayList<>(m.values()) : List.of()));
    }

    interface Fn {
        Object apply(Object value, Object[] args);
    }

    private static AdvancedFilter filter(String name, Fn fn) {
        return new AdvancedFilter() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
                return fn.apply(var, args == null ? new Object[0] : args);
            }
        };
    }

    private static String str(Object o) {
        return o == null ? "" : o.toString();
    }

    /** Python's startswith/endswith take a string or a tuple of strings. */
    private static boolean anyOf(Object arg, java.util.function.Predicate<String> test) {
        if (arg instanceof Iterable<?> it) {
            for (Object o : it) {
                if (test.test(str(o))) {
                    return true;
                }
            }
            return false;
        }
        return test.test(str(arg));
    }

    private static String chars(Object[] a) {
        return a.length > 0 && a[0] != null ? a[0].toString() : null;
    }

    private static boolean strippable(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) || Character.isSpaceChar(c) : chars.indexOf(c) >= 0;
    }

    private static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strippable(s.charAt(i), chars)) {
            i++;
        }
        return s.substring(i);
    }

    private static String rstrip(String s, String chars) {
        int i = s.length();
        while (i > 0 && strippable(s.charAt(i - 1), chars)) {
            i--;
        }
        return s.substring(0, i);
    }

    private static List<String> split(String s, String sep) {
        if (sep == null) {
            String t = s.strip();
            return t.isEmpty() ? List.of() : Arrays.asList(t.split("\\s+"));
        }
        List<String> parts = new ArrayList<>();
        int from = 0;
        int at;
        while ((at = s.indexOf(sep, from)) >= 0 && !sep.isEmpty()) {
            parts.add(s.substring(from, at));
            from = at + sep.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean start = true;
        for (char c : s.toCharArray()) {
            sb.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
            start = !Character.isLetter(c);
        }
        return sb.toString();
    }
}
