package io.sparkinfer.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The key/value metadata of a GGUF file, in file order, with typed accessors. The getters
 * accept any integer width where an integer is asked for (files in the wild disagree on widths),
 * and fail with a message naming the file and the key when a key is missing or of another type.
 */
public final class GgufMetadata {
    private final String source;
    private final Map<String, GgufValue> values;

    public GgufMetadata(String source, Map<String, GgufValue> values) {
        this.source = source;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public Map<String, GgufValue> asMap() {
        return values;
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    public Optional<GgufValue> find(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public GgufValue get(String key) {
        GgufValue v = values.get(key);
        if (v == null) {
            throw new GgufFormatException(source + ": missing metadata key '" + key + "'");
        }
        return v;
    }

    public String getString(String key) {
        return (String) expect(key, GgufValueType.STRING).value();
    }

    public String getString(String key, String fallback) {
        return contains(key) ? getString(key) : fallback;
    }

    public long getLong(String key) {
        GgufValue v = get(key);
        if (!v.type().isInteger()) {
            throw wrongType(key, v, "an integer");
        }
        return ((Number) v.value()).longValue();
    }

    public int getInt(String key) {
        long v = getLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new GgufFormatException(source + ": metadata '" + key + "' = " + v + " does not fit an int");
        }
        return (int) v;
    }

    public int getInt(String key, int fallback) {
        return contains(key) ? getInt(key) : fallback;
    }

    /** A FLOAT32 or FLOAT64 (or integer) value as float. */
    public float getFloat(String key) {
        GgufValue v = get(key);
        if (v.type() == GgufValueType.FLOAT32 || v.type() == GgufValueType.FLOAT64 || v.type().isInteger()) {
            return ((Number) v.value()).floatValue();
        }
        throw wrongType(key, v, "a float");
    }

    public float getFloat(String key, float fallback) {
        return contains(key) ? getFloat(key) : fallback;
    }

    public boolean getBoolean(String key) {
        return (Boolean) expect(key, GgufValueType.BOOL).value();
    }

    public boolean getBoolean(String key, boolean fallback) {
        return contains(key) ? getBoolean(key) : fallback;
    }

    public String[] getStringArray(String key) {
        return (String[]) expectArray(key, GgufValueType.STRING);
    }

    public float[] getFloatArray(String key) {
        return (float[]) expectArray(key, GgufValueType.FLOAT32);
    }

    /** Any integer array widened (or narrowed, checked) to int[]. */
    public int[] getIntArray(String key) {
        GgufValue v = get(key);
        if (v.type() != GgufValueType.ARRAY || !v.elementType().isInteger()) {
            throw wrongType(key, v, "an integer array");
        }
        Object a = v.value();
        int n = java.lang.reflect.Array.getLength(a);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            long x = ((Number) java.lang.reflect.Array.get(a, i)).longValue();
            if (v.elementType() == GgufValueType.UINT8) {
                x &= 0xFF;
            } else if (v.elementType() == GgufValueType.UINT16) {
                x &= 0xFFFF;
            }
            out[i] = Math.toIntExact(x);
        }
        return out;
    }

    private GgufValue expect(String key, GgufValueType type) {
        GgufValue v = get(key);
        if (v.type() != type) {
            throw wrongType(key, v, type.name());
        }
        return v;
    }

    private Object expectArray(String key, GgufValueType element) {
        GgufValue v = get(key);
        if (v.type() != GgufValueType.ARRAY || v.elementType() != element) {
            throw wrongType(key, v, "ARRAY<" + element + ">");
        }
        return v.value();
    }

    private GgufFormatException wrongType(String key, GgufValue v, String wanted) {
        return new GgufFormatException(source + ": metadata '" + key + "' is " + v + ", expected " + wanted);
    }
}
