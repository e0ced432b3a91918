package io.sparkinfer.spark.jobs;

import io.sparkinfer.spark.TextCodec;
import io.sparkinfer.tasks.DocumentChunker;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One map-reduce level of summarization, the split: a document (or the concatenated summaries of
 * the previous level) that fits one chunk stays whole; a longer one is split on token boundaries
 * ({@link DocumentChunker}) and each chunk decoded back to text. An empty document becomes one
 * chunk row with {@code chunk_error} set (its summary row will be an error row). At the last level
 * nothing is split: the prompt's overflow policy cuts what is left.
 */
final class ChunkFunction implements FlatMapFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    /** Input: {@link #DOCS}. */
    static final StructType DOCS = new StructType()
            .add("doc_id", DataTypes.StringType, false)
            .add("doc_text", DataTypes.StringType, true)
            .add("reference", DataTypes.StringType, true)
            .add("chunks", DataTypes.IntegerType, false)
            .add("prompt_tokens", DataTypes.LongType, false)
            .add("completion_tokens", DataTypes.LongType, false);

    static final StructType CHUNKS = new StructType()
            .add("doc_id", DataTypes.StringType, false)
            .add("chunk_id", DataTypes.StringType, false)
            .add("idx", DataTypes.IntegerType, false)
            .add("n", DataTypes.IntegerType, false)
            .add("text", DataTypes.StringType, true)
            .add("chunk_error", DataTypes.StringType, true)
            .add("reference", DataTypes.StringType, true)
            .add("chunks", DataTypes.IntegerType, false)
            .add("prompt_tokens_before", DataTypes.LongType, false)
            .add("completion_tokens_before", DataTypes.LongType, false);

    private final Broadcast<TextCodec> codec;
    private final int chunkTokens;
    private final int overlap;
    private final int level;
    private final boolean last;

    ChunkFunction(Broadcast<TextCodec> codec, int chunkTokens, int overlap, int level, boolean last) {
        this.codec = codec;
        this.chunkTokens = chunkTokens;
        this.overlap = overlap;
        this.level = level;
        this.last = last;
    }

    @Override
    public Iterator<Row> call(Row doc) {
        String id = doc.getString(0);
        String text = doc.isNullAt(1) ? null : doc.getString(1);
        List<Row> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            out.add(row(doc, id, 0, 1, null, "document " + id + " is empty"));
            return out.iterator();
        }
        int[] tokens = codec.value().encode(text, false);
        if (last || tokens.length <= chunkTokens) {
            out.add(row(doc, id, 0, 1, text, null));
            return out.iterator();
        }
        List<int[]> chunks = DocumentChunker.chunks(tokens, chunkTokens, overlap);
        for (int i = 0; i < chunks.size(); i++) {
            String piece = codec.value().decode(chunks.get(i)).strip();
            out.add(row(doc, id, i, chunks.size(), piece.isEmpty() ? "." : piece, null));
        }
        return out.iterator();
    }

    private Row row(Row doc, String id, int idx, int n, String text, String error) {
        int chunks = level == 0 ? n : doc.getInt(3);
        return RowFactory.create(id, id + "#L" + level + "#" + idx, idx, n, text, error, doc.isNullAt(2) ? null : doc.getString(2),
                chunks, doc.getLong(4), doc.getLong(5));
    }
}
