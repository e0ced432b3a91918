package io.sparkinfer.spark;

import io.sparkinfer.generate.GenerationRequest;
import io.sparkinfer.generate.GenerationResult;
import io.sparkinfer.generate.InferenceEngine;
import io.sparkinfer.sampling.SamplingParams;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The inference stage: streams a partition of encoded rows through this executor's replica, a
 * window of rows at a time, and emits exactly one result row per input row, in input order.
 * Each row's seed is {@link RowSeeds#of}(job seed, row id), so a retried task writes the same rows.
 *
 * <p>Input: n passthrough columns, then prompt_ids, prompt_error. Output: the passthrough
 * columns, then either the flat result fields and the fingerprint (the job's table) or one
 * struct column (Transformers).
 */
final class InferFunction implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final ModelHandle handle;
    private final Task task;
    private final SamplingParams params;
    private final long seed;
    private final int window;
    private final List<String> labels;
    private final int[][] labelIds;
    private final String fingerprint;
    private final JobCounters counters;
    private final int idIndex;
    private final int passthrough;
    private final boolean nested;
    private final int failFirstAttemptAfter;

    InferFunction(ModelHandle handle, InferenceOptions o, int[][] labelIds, String fingerprint, JobCounters counters,
            int idIndex, int passthrough, boolean nested) {
        this.handle = handle;
        this.task = o.task();
        this.params = o.sampling();
        this.seed = o.seed();
        this.window = o.window();
        this.labels = o.labels();
        this.labelIds = labelIds;
        this.fingerprint = fingerprint;
        this.counters = counters;
        this.idIndex = idIndex;
        this.passthrough = passthrough;
        this.nested = nested;
        this.failFirstAttemptAfter = o.getInt("test_fail_first_attempt_after", -1);
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        Replica replica = ReplicaHolder.get(handle);
        WindowedIterator<Row, Row> results = new WindowedIterator<>(rows, window, row -> submit(replica, row));
        TaskContext ctx = TaskContext.get();
        return new Iterator<>() {
            long emitted;

            @Override
            public boolean hasNext() {
                return results.hasNext();
            }

            @Override
            public Row next() {
                if (failFirstAttemptAfter >= 0 && emitted >= failFirstAttemptAfter && ctx != null
                        && ctx.attemptNumber() == 0 && ctx.partitionId() == 0) {
                    throw new IllegalStateException("sparkinfer: injected failure in partition 0, attempt 0, after "
                            + emitted + " rows (test_fail_first_attempt_after)");
                }
                Row r = results.next();
                emitted++;
                count(r);
                return r;
            }
        };
    }

    private CompletableFuture<Row> submit(Replica replica, Row row) {
        Object[] keep = new Object[passthrough];
        for (int i = 0; i < passthrough; i++) {
            keep[i] = row.get(i);
        }
        int[] ids = row.isNullAt(passthrough) ? null : toInts(row.get(passthrough));
        String error = row.getString(passthrough + 1);
        Object idValue = idIndex >= 0 ? row.get(idIndex) : null;
        if (idIndex >= 0 && idValue == null) {
            return CompletableFuture.completedFuture(emit(keep, GenerationResult.error(null, 0, "the id is null"), null, null));
        }
        String id = idIndex >= 0 ? String.valueOf(idValue) : (ids == null ? "" : Arrays.toString(ids));
        if (ids == null) {
            return CompletableFuture.completedFuture(emit(keep, GenerationResult.error(id, 0, "row " + id + ": " + error), null, null));
        }
        InferenceEngine engine = replica.engine();
        return switch (task) {
            case GENERATE, SUMMARIZE -> engine.submit(new GenerationRequest(id, ids, params.withSeed(RowSeeds.of(seed, id))))
                    .thenApply(res -> emit(keep, res, null, null));
            case CLASSIFY -> CompletableFuture.completedFuture(classify(engine, keep, id, ids));
            case SCORE -> CompletableFuture.completedFuture(score(engine, replica, keep, id, ids));
        };
    }

    private Row classify(InferenceEngine engine, Object[] keep, String id, int[] ids) {
        long start = System.nanoTime();
        try {
            double[] s = engine.scoreLabels(ids, Arrays.asList(labelIds));
            int best = 0;
            Map<String, Double> scores = new LinkedHashMap<>();
            for (int i = 0; i < s.length; i++) {
                scores.put(labels.get(i), s[i]);
                if (s[i] > s[best]) {
                    best = i;
                }
            }
            GenerationResult r = new GenerationResult(id, labelIds[best], labels.get(best),
                    io.sparkinfer.generate.FinishReason.STOP, ids.length, labelIds[best].length, s[best], null, null,
                    (System.nanoTime() - start) / 1_000_000);
            return emit(keep, r, null, scores);
        } catch (RuntimeException e) {
            return emit(keep, GenerationResult.error(id, ids.length, "row " + id + ": " + e.getMessage()), null, null);
        }
    }

    private Row score(InferenceEngine engine, Replica replica, Object[] keep, String id, int[] ids) {
        long start = System.nanoTime();
        int ctx = replica.codec().bos() >= 0 && ids[0] == replica.codec().bos() ? 1 : Math.min(1, ids.length);
        if (ids.length - ctx < 1) {
            return emit(keep, GenerationResult.error(id, ids.length, "row " + id + ": nothing to score"), null, null);
        }
        try {
            double lp = engine.scoreLabels(Arrays.copyOf(ids, ctx), List.of(Arrays.copyOfRange(ids, ctx, ids.length)))[0];
            int n = ids.length - ctx;
            GenerationResult r = new GenerationResult(id, new int[0], null, io.sparkinfer.generate.FinishReason.STOP,
                    ids.length, n, lp, null, null, (System.nanoTime() - start) / 1_000_000);
            return emit(keep, r, Math.exp(-lp / n), null);
        } catch (RuntimeException e) {
            return emit(keep, GenerationResult.error(id, ids.length, "row " + id + ": " + e.getMessage()), null, null);
        }
    }

    private Row emit(Object[] keep, GenerationResult r, Double perplexity, Map<String, Double> labelScores) {
        boolean failed = r.finishReason() == io.sparkinfer.generate.FinishReason.ERROR;
        Object[] result = {
            failed ? null : r.text(),
            r.finishReason().label(),
            r.promptTokens(),
            r.completionTokens(),
            Double.isNaN(r.logprob()) ? null : r.logprob(),
            perplexity,
            labelScores == null ? null : CollectionConverters.asScala(labelScores),
            r.error(),
            r.latencyMillis(),
        };
        Object[] out;
        if (nested) {
            out = Arrays.copyOf(keep, keep.length + 1);
            out[keep.length] = RowFactory.create(result);
        } else {
            out = new Object[keep.length + result.length + 1];
            System.arraycopy(keep, 0, out, 0, keep.length);
            System.arraycopy(result, 0, out, keep.length, result.length);
            out[out.length - 1] = fingerprint;
        }
        return RowFactory.create(out);
    }

    /** Accumulator updates, on the task thread (accumulators are not thread-safe). */
    private void count(Row out) {
        if (counters == null) {
            return;
        }
        Row result = nested ? out.getStruct(passthrough) : null;
        int base = nested ? 0 : passthrough;
        Row r = nested ? result : out;
        counters.rows().add(1);
        if ("error".equals(r.getString(base + 1))) {
            counters.errors().add(1);
        }
        counters.promptTokens().add(r.getInt(base + 2));
        counters.completionTokens().add(r.getInt(base + 3));
    }

    /** prompt_ids as the stage before left them: int[] when Spark fused the stages, a Seq after a round trip. */
    static int[] toInts(Object value) {
        if (value instanceof int[] a) {
            return a;
        }
        if (value instanceof scala.collection.Seq<?> seq) {
            int[] out = new int[seq.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = ((Number) seq.apply(i)).intValue();
            }
            return out;
        }
        return toInts((List<Integer>) value);
    }

    static int[] toInts(List<Integer> list) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }
}
