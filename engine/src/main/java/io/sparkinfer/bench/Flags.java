package io.sparkinfer.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} and {@code --name=value} options of the bench commands. */
final class Flags {
    private final Map<String, String> values = new HashMap<>();

    static Flags parse(String[] args) {
        Flags f = new Flags();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            int eq = name.indexOf('=');
            if (eq > 0) {
                f.values.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                f.values.put(name, args[++i]);
            } else {
                f.values.put(name, "true");
            }
        }
        return f;
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    String require(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing option --" + name);
        }
        return v;
    }

    int getInt(String name, int fallback) {
        String v = values.get(name);
        return v == null ? fallback : Integer.parseInt(v);
    }

    boolean flag(String name) {
        return "true".equals(values.get(name));
    }
}
