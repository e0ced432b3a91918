package io.sparkinfer.spark.jobs;

import io.sparkinfer.spark.InferenceOptions;
import io.sparkinfer.spark.JobSummary;
import io.sparkinfer.spark.SparkInfer;
import io.sparkinfer.tasks.PairwiseJudge;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF4;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

/**
 * Pairwise LLM-as-judge over two answer columns: each pair becomes two generation rows, answers in
 * the given order and swapped ({@link PairwiseJudge#prompt}); the two verdicts are combined
 * ({@link PairwiseJudge#combine}: a winner only when both orders agree) and the answers' length
 * difference in words is reported beside the verdict.
 *
 * <p>Options: {@code question_col} (question), {@code answer_a_col} (answer_a), {@code answer_b_col}
 * (answer_b), {@code rubric} or {@code rubric_file}, {@code id_col}, {@code max_tokens} (4).
 * A null or empty question or answer makes the pair an error row.
 *
 * <p>Output: id, verdict (A | B | TIE), verdict_first_order, verdict_second_order (mapped back to
 * the given order), consistent, length_difference_words (answer_a - answer_b), judge_output_1,
 * judge_output_2, prompt_tokens, completion_tokens, finish_reason, error.
 */
public final class Judge {
    static final StructType PAIRS = new StructType()
            .add("pair_id", DataTypes.StringType, false)
            .add("judge_row_id", DataTypes.StringType, false)
            .add("ord", DataTypes.IntegerType, false)
            .add("judge_prompt", DataTypes.StringType, true)
            .add("pair_error", DataTypes.StringType, true)
            .add("answer_1", DataTypes.StringType, true)
            .add("answer_2", DataTypes.StringType, true);

    static final StructType OUTCOME = new StructType()
            .add("verdict", DataTypes.StringType)
            .add("first", DataTypes.StringType)
            .add("second", DataTypes.StringType)
            .add("consistent", DataTypes.BooleanType)
            .add("length_difference_words", DataTypes.IntegerType);

    private Judge() {
    }

    public static String rubric(InferenceOptions o) {
        String file = o.get("rubric_file");
        if (file != null) {
            return String.join("\n", JobIO.lines(Path.of(file), "rubric"));
        }
        return o.get("rubric", PairwiseJudge.DEFAULT_RUBRIC).replace("\\n", "\n");
    }

    public static Dataset<Row> judge(Dataset<Row> input, InferenceOptions o) {
        String q = o.get("question_col", "question");
        String a = o.get("answer_a_col", "answer_a");
        String b = o.get("answer_b_col", "answer_b");
        JobIO.requireColumn(input, q, "question_col");
        JobIO.requireColumn(input, a, "answer_a_col");
        JobIO.requireColumn(input, b, "answer_b_col");
        String idCol = o.idCol();
        input = JobIO.withId(input, idCol);
        String rubric = rubric(o);
        Dataset<Row> pairs = input.select(col(idCol).cast("string"), col(q).cast("string"), col(a).cast("string"),
                col(b).cast("string")).flatMap(new PairRows(rubric, q, a, b), Encoders.row(PAIRS));
        InferenceOptions gen = o.with("task", "generate").with("id_col", "judge_row_id").with("text_col", "judge_prompt")
                .with("template", "{judge_prompt}").with("max_tokens", o.getInt("max_tokens", 4));
        Dataset<Row> judged = SparkInfer.withResultColumn(pairs, gen, "r")
                .withColumn("err", coalesce(col("pair_error"), col("r.error")));
        Dataset<Row> grouped = judged.groupBy("pair_id").agg(
                first("answer_1").as("answer_1"), first("answer_2").as("answer_2"),
                max(when(col("ord").equalTo(1), col("r.output"))).as("judge_output_1"),
                max(when(col("ord").equalTo(2), col("r.output"))).as("judge_output_2"),
                max(col("err")).as("error"), sum("r.prompt_tokens").as("prompt_tokens"),
                sum("r.completion_tokens").as("completion_tokens"), count(lit(1)).as("rows"));
        Dataset<Row> out = grouped.withColumn("o", when(col("error").isNull(),
                COMBINE.apply(col("judge_output_1"), col("judge_output_2"), col("answer_1"), col("answer_2"))));
        return out.select(col("pair_id").as("id"), col("o.verdict").as("verdict"), col("o.first").as("verdict_first_order"),
                col("o.second").as("verdict_second_order"), col("o.consistent").as("consistent"),
                col("o.length_difference_words").as("length_difference_words"), col("judge_output_1"), col("judge_output_2"),
                col("prompt_tokens"), col("completion_tokens"),
                when(col("error").isNull(), lit("stop")).otherwise(lit("error")).as("finish_reason"), col("error"));
    }

    private static final UserDefinedFunction COMBINE = udf((UDF4<String, String, String, String, Row>) (j1, j2, a1, a2) -> {
        PairwiseJudge.Outcome oc = PairwiseJudge.combine(PairwiseJudge.parse(j1), PairwiseJudge.parse(j2), a1, a2);
        return RowFactory.create(oc.verdict().name(), oc.firstOrder().name(), oc.secondOrderMappedBack().name(), oc.consistent(),
                oc.lengthDifferenceWords());
    }, OUTCOME);

    /** Two judge rows per pair: (a, b) and (b, a). */
    static final class PairRows implements FlatMapFunction<Row, Row> {
        private static final long serialVersionUID = 1L;
        private final String rubric;
        private final String[] names;

        PairRows(String rubric, String q, String a, String b) {
            this.rubric = rubric;
            this.names = new String[] {q, a, b};
        }

        @Override
        public Iterator<Row> call(Row r) {
            String id = r.getString(0);
            String error = null;
            for (int i = 1; i <= 3; i++) {
                if (r.isNullAt(i) || r.getString(i).isBlank()) {
                    error = "pair " + id + ": column '" + names[i - 1] + "' is " + (r.isNullAt(i) ? "null" : "empty");
                    break;
                }
            }
            String q = r.getString(1), a = r.getString(2), b = r.getString(3);
            List<Row> out = new ArrayList<>(2);
            out.add(RowFactory.create(id, id + "#1", 1, error == null ? PairwiseJudge.prompt(q, a, b, rubric) : null, error, a, b));
            out.add(RowFactory.create(id, id + "#2", 2, error == null ? PairwiseJudge.prompt(q, b, a, rubric) : null, error, a, b));
            return out.iterator();
        }
    }

    /** Verdict counts, the share of pairs both orders agreed on, and the mean length difference per verdict. */
    public static Map<String, Object> metrics(Dataset<Row> judged) {
        Map<String, Object> m = JobIO.ordered();
        Row r = judged.agg(count(lit(1)), count(col("verdict")), sum(when(col("verdict").equalTo("A"), 1).otherwise(0)),
                sum(when(col("verdict").equalTo("B"), 1).otherwise(0)), sum(when(col("verdict").equalTo("TIE"), 1).otherwise(0)),
                avg(col("consistent").cast("double")), avg(when(col("verdict").equalTo("A"), col("length_difference_words"))),
                avg(when(col("verdict").equalTo("B"), col("length_difference_words")))).first();
        m.put("pairs", r.getLong(0));
        m.put("judged", r.getLong(1));
        m.put("errors", r.getLong(0) - r.getLong(1));
        m.put("a_wins", r.isNullAt(2) ? 0 : r.getLong(2));
        m.put("b_wins", r.isNullAt(3) ? 0 : r.getLong(3));
        m.put("ties", r.isNullAt(4) ? 0 : r.getLong(4));
        m.put("consistent_share", r.isNullAt(5) ? null : r.getDouble(5));
        m.put("mean_length_difference_when_a_wins", r.isNullAt(6) ? null : r.getDouble(6));
        m.put("mean_length_difference_when_b_wins", r.isNullAt(7) ? null : r.getDouble(7));
        return m;
    }

    public static JobSummary run(SparkSession spark, InferenceOptions o) {
        long start = System.nanoTime();
        Dataset<Row> out = judge(JobIO.read(spark, o), o);
        String target = JobIO.write(out, o);
        Dataset<Row> written = JobIO.readBack(spark, o);
        Map<String, Object> m = metrics(written);
        System.err.println("sparkinfer judge metrics: " + JobIO.toJson(m));
        Path dir = JobIO.metricsDir(o);
        if (dir != null) {
            JobIO.writeJson(dir.resolve("metrics.json"), m);
        }
        return JobIO.summary(written, target, (System.nanoTime() - start) / 1e9, "judge");
    }
}
