package io.sparkinfer.prompt;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hugging Face chat templates are Jinja run by Python, so they call Python string and dict
 * methods ({@code content.startswith('x')}, {@code .lstrip()}, {@code .upper()}, {@code .get(k, d)}).
 * Jinjava resolves method calls on the Java objects instead, where most of these do not exist.
 * This rewrites such calls inside template tags into filters that behave like the Python
 * methods ({@code x.startswith(a)} becomes {@code x|py_startswith(a)}); a filter binds as
 * tightly as the method call did. Text outside tags and string literals is left alone.
 */
final class PythonMethods {
    private static final Pattern METHOD = Pattern.compile(
            "\\.(startswith|endswith|strip|lstrip|rstrip|upper|lower|title|capitalize|split|get|items|keys|values)\\(");

    private PythonMethods() {
    }

    static String rewrite(String template) {
        StringBuilder out = new StringBuilder(template.length() + 32);
        int i = 0;
        while (i < template.length()) {
            int open = nextTagOpen(template, i);
            if (open < 0) {
                out.append(template, i, template.length());
                break;
            }
            out.append(template, i, open + 2);
            String close = template.charAt(open + 1) == '{' ? "}}" : "%}";
            int end = tagEnd(template, open + 2, close);
            out.append(rewriteCode(template.substring(open + 2, end)));
            i = end;
        }
        return out.toString();
    }

    private static int nextTagOpen(String t, int from) {
        int a = t.indexOf("{{", from);
        int b = t.indexOf("{%", from);
        if (a < 0) {
            return b;
        }
        return b < 0 ? a : Math.min(a, b);
    }

    /** Index of the closing delimiter, skipping string literals. */
    private static int tagEnd(String t, int from, String close) {
        char quote = 0;
        for (int i = from; i < t.length(); i++) {
            char c = t.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (t.startsWith(close, i)) {
                return i;
            }
        }
        return t.length();
    }

    /** Rewrites method calls in the code of one tag, outside its string literals. */
    private static String rewriteCode(String code) {
        StringBuilder out = new StringBuilder(code.length() + 16);
        StringBuilder plain = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (quote != 0) {
                out.append(c);
                if (c == '\\' && i + 1 < code.length()) {
                    out.append(code.charAt(++i));
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                out.append(rewritePlain(plain.toString()));
                plain.setLength(0);
                quote = c;
                out.append(c);
            } else {
                plain.append(c);
            }
        }
        out.append(rewritePlain(plain.toString()));
        return out.toString();
    }

    private static String rewritePlain(String s) {
        Matcher m = METHOD.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement("|py_" + m.group(1) + "("));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
