package io.sparkinfer.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Minimal command-line parsing: {@code --name value} (or {@code -x value}) options, {@code --flag} booleans (declared
 * up front so they don't swallow the next word), and positional arguments. Unknown use is a
 * clear {@link UsageException}.
 */
final class Args {
    private final Map<String, String> options = new HashMap<>();
    private final List<String> positional = new ArrayList<>();
    private final Set<String> flags;

    private Args(Set<String> flags) {
        this.flags = flags;
    }

    static Args parse(String[] args, String... flagNames) {
        Args a = new Args(Set.of(flagNames));
        for (int i = 0; i < args.length; i++) {
            String s = args[i];
            boolean shortOption = s.length() == 2 && s.charAt(0) == '-' && Character.isLetter(s.charAt(1));
            if ((s.startsWith("--") && s.length() > 2) || shortOption) {
                String name = s.substring(shortOption ? 1 : 2);
                int eq = name.indexOf('=');
                if (eq > 0) {
                    a.options.put(name.substring(0, eq), name.substring(eq + 1));
                } else if (a.flags.contains(name)) {
                    a.options.put(name, "true");
                } else if (i + 1 < args.length) {
                    a.options.put(name, args[++i]);
                } else {
                    throw new UsageException("option --" + name + " needs a value");
                }
            } else {
                a.positional.add(s);
            }
        }
        return a;
    }

    boolean flag(String name) {
        return "true".equals(options.get(name));
    }

    String get(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    String require(String name) {
        String v = options.get(name);
        if (v == null) {
            throw new UsageException("missing option --" + name);
        }
        return v;
    }

    int getInt(String name, int fallback) {
        String v = options.get(name);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer, got '" + v + "'");
        }
    }

    float getFloat(String name, float fallback) {
        String v = options.get(name);
        try {
            return v == null ? fallback : Float.parseFloat(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, got '" + v + "'");
        }
    }

    List<String> positional() {
        return positional;
    }

    Path positionalPath(int index, String what) {
        if (positional.size() <= index) {
            throw new UsageException("missing " + what + " argument");
        }
        return Path.of(positional.get(index));
    }

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
