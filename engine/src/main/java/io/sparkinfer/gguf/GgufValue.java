package io.sparkinfer.gguf;

/**
 * One metadata value with its GGUF type. Scalars are boxed Java values (unsigned integers widened:
 * UINT8/UINT16 -> Integer, UINT32 -> Long, UINT64 -> Long, INT* -> Byte/Short/Integer/Long);
 * arrays are primitive Java arrays (byte[], short[], int[], long[], float[], double[], boolean[],
 * String[]) with {@code elementType} telling the on-disk element type.
 */
public record GgufValue(GgufValueType type, GgufValueType elementType, Object value) {

    public static GgufValue of(GgufValueType type, Object value) {
        return new GgufValue(type, null, value);
    }

    public static GgufValue array(GgufValueType elementType, Object array) {
        return new GgufValue(GgufValueType.ARRAY, elementType, array);
    }

    public static GgufValue string(String s) {
        return of(GgufValueType.STRING, s);
    }

    public static GgufValue uint32(long v) {
        return of(GgufValueType.UINT32, v);
    }

    public static GgufValue int32(int v) {
        return of(GgufValueType.INT32, v);
    }

    public static GgufValue float32(float v) {
        return of(GgufValueType.FLOAT32, v);
    }

    public static GgufValue bool(boolean v) {
        return of(GgufValueType.BOOL, v);
    }

    public static GgufValue strings(String[] v) {
        return array(GgufValueType.STRING, v);
    }

    public static GgufValue floats(float[] v) {
        return array(GgufValueType.FLOAT32, v);
    }

    public static GgufValue ints(int[] v) {
        return array(GgufValueType.INT32, v);
    }

    @Override
    public String toString() {
        if (type != GgufValueType.ARRAY) {
            return type + ":" + value;
        }
        return "ARRAY<" + elementType + ">[" + java.lang.reflect.Array.getLength(value) + "]";
    }
}
