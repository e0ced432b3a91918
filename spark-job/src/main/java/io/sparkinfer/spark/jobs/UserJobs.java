package io.sparkinfer.spark.jobs;

import io.sparkinfer.spark.InferenceOptions;
import io.sparkinfer.spark.JobSummary;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;

/** The subcommands of the user jobs, for {@code SparkInferMain}. */
public final class UserJobs {
    private UserJobs() {
    }

    /** True when {@code command} with these options is one of the user jobs. */
    public static boolean handles(String command, InferenceOptions o) {
        return switch (command.toLowerCase(Locale.ROOT)) {
            case "summarize", "classify", "self-instruct", "self_instruct", "judge" -> true;
            case "score" -> o.get("labels", "").isEmpty();
            case "generate" -> o.get("context_col") != null;
            default -> false;
        };
    }

    public static JobSummary run(String command, SparkSession spark, InferenceOptions o) {
        return switch (command.toLowerCase(Locale.ROOT)) {
            case "summarize" -> Summarize.run(spark, o);
            case "classify" -> Classify.run(spark, o);
            case "self-instruct", "self_instruct" -> SelfInstructJob.run(spark, o);
            case "judge" -> Judge.run(spark, o);
            case "score" -> ScoreJob.run(spark, o);
            case "generate" -> ContextPassages.run(spark, o);
            default -> throw new IllegalArgumentException("not a user job: " + command);
        };
    }

    static final String USAGE = """
              summarize: --text-col --reference-col --template --chunk-tokens --chunk-overlap --max-levels --metrics DIR
              classify: --labels a,b | --labels-file F, --few-shot F --few-shot-k 8, --gold-col --label-map 0:negative,1:positive,
                        --method likelihood|generate
              self-instruct: --seed-tasks F --target 100 --prompts-per-round 8 --max-rounds 20 --jsonl F
              judge: --question-col --answer-a-col --answer-b-col --rubric TEXT | --rubric-file F
              generate --context-col passages: retrieved passages (array<string> or string) inserted into the template""";

    public static String usage() {
        return USAGE;
    }
}
