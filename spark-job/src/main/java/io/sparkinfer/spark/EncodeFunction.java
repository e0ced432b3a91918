package io.sparkinfer.spark;

import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * The templating + tokenization stage: each row keeps its passthrough columns and gains
 * {@code prompt_ids array<int>} and {@code prompt_error string}. The tokenizer is a broadcast
 * variable; the template and policy travel in this (small) function.
 */
final class EncodeFunction implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final Broadcast<TextCodec> codec;
    private final PromptEncoder encoder;
    private final StructType inputSchema;
    private final int[] passthrough;

    EncodeFunction(Broadcast<TextCodec> codec, PromptEncoder encoder, StructType inputSchema, int[] passthrough) {
        this.codec = codec;
        this.encoder = encoder;
        this.inputSchema = inputSchema;
        this.passthrough = passthrough;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        TextCodec c = codec.value();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Row next() {
                Row row = rows.next();
                EncodedPrompt p = encoder.encode(col -> {
                    int i = inputSchema.fieldIndex(col);
                    return row.isNullAt(i) ? null : String.valueOf(row.get(i));
                }, c);
                Object[] out = new Object[passthrough.length + 2];
                for (int i = 0; i < passthrough.length; i++) {
                    out[i] = row.get(passthrough[i]);
                }
                out[passthrough.length] = p.ids();
                out[passthrough.length + 1] = p.error();
                return RowFactory.create(out);
            }
        };
    }
}
