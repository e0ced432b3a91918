package io.sparkinfer.spark;

import io.sparkinfer.generate.FinishReason;
import io.sparkinfer.generate.GenerationRequest;
import io.sparkinfer.generate.GenerationResult;
import io.sparkinfer.sampling.SamplingParams;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataTypes;
import scala.jdk.javaapi.CollectionConverters;

/**
 * SQL functions over the executor's replica, registered per session with the model and sampling
 * options they use:
 * <ul>
 * <li>{@code llm_generate(prompt STRING) -> STRING}: the completion;</li>
 * <li>{@code llm_summarize(text STRING) -> STRING}: a completion of the summarize template;</li>
 * <li>{@code llm_classify(text STRING, labels ARRAY<STRING>) -> STRING}: the most likely label.</li>
 * </ul>
 * A null input gives null; a row that fails (e.g. over-long under overflow=error) gives null and
 * the job goes on. The prompt is tokenized on the executor by the replica's tokenizer; each
 * row's seed derives from (seed, the input text). For tables of outputs with finish reasons,
 * token counts and errors use {@link SparkInfer#write} or the ML Transformers.
 */
public final class SqlFunctions {
    private SqlFunctions() {
    }

    public static void register(SparkSession spark, InferenceOptions o) {
        Fn generate = new Fn(o.handle(), o.with("task", "generate").template().replace("{" + o.textCols().get(0) + "}", "{text}"), o);
        Fn summarize = new Fn(o.handle(), o.with("task", "summarize").with("template", null).template()
                .replace("{" + o.textCols().get(0) + "}", "{text}"), o);
        Fn classify = new Fn(o.handle(), o.with("task", "classify").with("template", null).template()
                .replace("{" + o.textCols().get(0) + "}", "{text}"), o);
        spark.udf().register("llm_generate", (UDF1<String, String>) generate::generate, DataTypes.StringType);
        spark.udf().register("llm_summarize", (UDF1<String, String>) summarize::generate, DataTypes.StringType);
        spark.udf().register("llm_classify", (UDF2<String, scala.collection.Seq<String>, String>) classify::classify,
                DataTypes.StringType);
    }

    /** One function's settings; serializable, shipped with the UDF. */
    static final class Fn implements Serializable {
        private static final long serialVersionUID = 1L;
        private final ModelHandle handle;
        private final PromptTemplate template;
        private final SamplingParams params;
        private final long seed;
        private final OverflowPolicy overflow;
        private final int maxTokens;

        Fn(ModelHandle handle, String template, InferenceOptions o) {
            this.handle = handle;
            this.template = new PromptTemplate(template);
            this.params = o.sampling();
            this.seed = o.seed();
            this.overflow = o.overflow();
            this.maxTokens = o.maxTokens();
        }

        private int[] encode(Replica r, String text, String labels, int labelRoom) {
            String prompt = template.render(Map.of("text", text, "labels", labels));
            int[] ids = r.codec().encode(prompt, true);
            return overflow.apply(ids, Math.max(1, r.maxSeqLen() - maxTokens - labelRoom), r.codec().bos() >= 0);
        }

        String generate(String text) {
            if (text == null || text.isBlank()) {
                return null;
            }
            Replica r = ReplicaHolder.get(handle);
            int[] ids = encode(r, text, "", 0);
            if (ids == null) {
                return null;
            }
            GenerationResult res = r.engine().submit(new GenerationRequest(text, ids, params.withSeed(RowSeeds.of(seed, text)))).join();
            return res.finishReason() == FinishReason.ERROR ? null : res.text();
        }

        String classify(String text, scala.collection.Seq<String> labelSeq) {
            if (text == null || text.isBlank() || labelSeq == null || labelSeq.isEmpty()) {
                return null;
            }
            Replica r = ReplicaHolder.get(handle);
            List<String> labels = CollectionConverters.asJava(labelSeq);
            List<int[]> ids = new ArrayList<>();
            int room = 0;
            for (String l : labels) {
                int[] t = r.codec().encode(l, false);
                ids.add(t);
                room = Math.max(room, t.length);
            }
            int[] prompt = encode(r, text, String.join(", ", labels), room - maxTokens + 1);
            if (prompt == null) {
                return null;
            }
            double[] s = r.engine().scoreLabels(prompt, ids);
            int best = 0;
            for (int i = 1; i < s.length; i++) {
                if (s[i] > s[best]) {
                    best = i;
                }
            }
            return labels.get(best);
        }
    }
}
