package io.sparkinfer.sampling;

/**
 * A character-level recognizer for JSON (RFC 8259) whose top-level value is an object or an
 * array, so that the end of the value is unambiguous. Feed it characters with {@link #accept};
 * a rejected character leaves the state undefined, so callers test on a copy
 * ({@link #copyFrom}). Whitespace runs and nesting depth are bounded so that a constrained model
 * cannot stall in them.
 */
public final class JsonGrammar {
    static final int START = 0, VALUE = 1, ARR_FIRST = 2, OBJ_FIRST = 3, OBJ_KEY = 4, COLON = 5, AFTER = 6,
            STRING = 7, ESCAPE = 8, UNICODE = 9, NUM_MINUS = 10, NUM_ZERO = 11, NUM_INT = 12, NUM_DOT = 13,
            NUM_FRAC = 14, NUM_E = 15, NUM_ESIGN = 16, NUM_EXP = 17, LITERAL = 18, DONE = 19;
    /** Deepest nesting allowed. */
    public static final int MAX_DEPTH = 32;
    /** Longest whitespace run allowed (pretty-printing needs a newline and some indent). */
    public static final int MAX_WHITESPACE = 12;
    private static final String[] LITERALS = {"true", "false", "null"};

    private final char[] stack = new char[MAX_DEPTH]; // '{' or '['
    private int depth;
    private int mode = START;
    private int aux;          // hex digits left (UNICODE) or next literal index (LITERAL)
    private int literal;      // which of LITERALS
    private boolean key;      // the string being read is an object key
    private int whitespace;   // length of the current whitespace run

    public void copyFrom(JsonGrammar o) {
        System.arraycopy(o.stack, 0, stack, 0, o.depth);
        depth = o.depth;
        mode = o.mode;
        aux = o.aux;
        literal = o.literal;
        key = o.key;
        whitespace = o.whitespace;
    }

    public boolean isComplete() {
        return mode == DONE;
    }

    /** Feeds every character of {@code s}; false at the first one the grammar rejects. */
    public boolean accept(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            if (!accept(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    public boolean accept(char c) {
        boolean ws = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        if (ws && mode != STRING && mode != ESCAPE && mode != UNICODE && mode != LITERAL) {
            if (isNumber(mode)) {
                if (!endNumber()) {
                    return false;
                }
            }
            return ++whitespace <= MAX_WHITESPACE;
        }
        whitespace = 0;
        switch (mode) {
            case START:
                return open(c);
            case VALUE:
                return value(c);
            case ARR_FIRST:
                return c == ']' ? close('[') : value(c);
            case OBJ_FIRST:
                if (c == '}') {
                    return close('{');
                }
                return keyStart(c);
            case OBJ_KEY:
                return keyStart(c);
            case COLON:
                if (c != ':') {
                    return false;
                }
                mode = VALUE;
                return true;
            case AFTER:
                return after(c);
            case STRING:
                if (c == '"') {
                    if (key) {
                        mode = COLON;
                    } else {
                        valueDone();
                    }
                } else if (c == '\\') {
                    mode = ESCAPE;
                } else if (c < 0x20) {
                    return false;
                }
                return true;
            case ESCAPE:
                if (c == 'u') {
                    mode = UNICODE;
                    aux = 4;
                    return true;
                }
                if ("\"\\/bfnrt".indexOf(c) < 0) {
                    return false;
                }
                mode = STRING;
                return true;
            case UNICODE:
                if (Character.digit(c, 16) < 0) {
                    return false;
                }
                if (--aux == 0) {
                    mode = STRING;
                }
                return true;
            case NUM_MINUS:
                if (c == '0') {
                    mode = NUM_ZERO;
                } else if (c >= '1' && c <= '9') {
                    mode = NUM_INT;
                } else {
                    return false;
                }
                return true;
            case NUM_ZERO:
                return fractionOrExponent(c) || (endNumber() && after(c));
            case NUM_INT:
                if (c >= '0' && c <= '9') {
                    return true;
                }
                return fractionOrExponent(c) || (endNumber() && after(c));
            case NUM_DOT:
                if (c >= '0' && c <= '9') {
                    mode = NUM_FRAC;
                    return true;
                }
                return false;
            case NUM_FRAC:
                if (c >= '0' && c <= '9') {
                    return true;
                }
                if (c == 'e' || c == 'E') {
                    mode = NUM_E;
                    return true;
                }
                return endNumber() && after(c);
            case NUM_E:
                if (c == '+' || c == '-') {
                    mode = NUM_ESIGN;
                    return true;
                }
                if (c >= '0' && c <= '9') {
                    mode = NUM_EXP;
                    return true;
                }
                return false;
            case NUM_ESIGN:
                if (c >= '0' && c <= '9') {
                    mode = NUM_EXP;
                    return true;
                }
                return false;
            case NUM_EXP:
                if (c >= '0' && c <= '9') {
                    return true;
                }
                return endNumber() && after(c);
            case LITERAL:
                if (LITERALS[literal].charAt(aux) != c) {
                    return false;
                }
                if (++aux == LITERALS[literal].length()) {
                    valueDone();
                }
                return true;
            case DONE:
            default:
                return false;
        }
    }

    /**
     * The shortest text that completes the value from this state (closing an open string, number
     * or literal, filling an expected value with null, then closing every open container).
     */
    public String completion() {
        StringBuilder sb = new StringBuilder();
        switch (mode) {
            case START -> sb.append("{}");
            case ESCAPE -> sb.append("n\"").append(key ? ":null" : "");
            case UNICODE -> sb.append("0".repeat(aux)).append('"').append(key ? ":null" : "");
            case STRING -> sb.append('"').append(key ? ":null" : "");
            case NUM_MINUS, NUM_DOT, NUM_E, NUM_ESIGN -> sb.append('0');
            case LITERAL -> sb.append(LITERALS[literal].substring(aux));
            case OBJ_KEY -> sb.append("\"\":null");
            case COLON -> sb.append(":null");
            case VALUE -> sb.append("null");
            default -> {
            }
        }
        for (int i = depth - 1; i >= 0; i--) {
            sb.append(stack[i] == '{' ? '}' : ']');
        }
        return sb.toString();
    }

    private static boolean isNumber(int m) {
        return m >= NUM_MINUS && m <= NUM_EXP;
    }

    private boolean fractionOrExponent(char c) {
        if (c == '.') {
            mode = NUM_DOT;
            return true;
        }
        if (c == 'e' || c == 'E') {
            mode = NUM_E;
            return true;
        }
        return false;
    }

    /** A number ends at a character that cannot continue it; only complete forms may end. */
    private boolean endNumber() {
        if (mode != NUM_ZERO && mode != NUM_INT && mode != NUM_FRAC && mode != NUM_EXP) {
            return false;
        }
        valueDone();
        return true;
    }

    private boolean open(char c) {
        if ((c != '{' && c != '[') || depth == MAX_DEPTH) {
            return false;
        }
        stack[depth++] = c;
        mode = c == '{' ? OBJ_FIRST : ARR_FIRST;
        return true;
    }

    private boolean value(char c) {
        if (c == '{' || c == '[') {
            return open(c);
        }
        if (c == '"') {
            mode = STRING;
            key = false;
            return true;
        }
        if (c == '-') {
            mode = NUM_MINUS;
            return true;
        }
        if (c == '0') {
            mode = NUM_ZERO;
            return true;
        }
        if (c >= '1' && c <= '9') {
            mode = NUM_INT;
            return true;
        }
        for (int i = 0; i < LITERALS.length; i++) {
            if (LITERALS[i].charAt(0) == c) {
                mode = LITERAL;
                literal = i;
                aux = 1;
                return true;
            }
        }
        return false;
    }

    private boolean keyStart(char c) {
        if (c != '"') {
            return false;
        }
        mode = STRING;
        key = true;
        return true;
    }

    private boolean after(char c) {
        if (mode != AFTER || depth == 0) {
            return false;
        }
        char top = stack[depth - 1];
        if (c == ',') {
            mode = top == '{' ? OBJ_KEY : VALUE;
            return true;
        }
        if (c == '}' || c == ']') {
            return close(c == '}' ? '{' : '[');
        }
        return false;
    }

    private boolean close(char opener) {
        if (depth == 0 || stack[depth - 1] != opener) {
            return false;
        }
        depth--;
        valueDone();
        return true;
    }

    private void valueDone() {
        mode = depth == 0 ? DONE : AFTER;
    }
}
