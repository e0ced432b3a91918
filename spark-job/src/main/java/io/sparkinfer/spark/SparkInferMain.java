package io.sparkinfer.spark;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code spark-submit} entry point.
 *
 * <pre>
 * SparkInferMain generate [--conf FILE] [--key value ...]
 * SparkInferMain score    [--conf FILE] [--key value ...]   # perplexity per row; with --labels a,b: label scoring
 * SparkInferMain classify | summarize [--conf FILE] [--key value ...]
 * </pre>
 *
 * Keys are {@link InferenceOptions}' ({@code --max-tokens 32} = {@code max_tokens=32} in the file);
 * flags override the file. Keys starting with {@code spark.} in the file go to the SparkConf
 * (spark-submit's own {@code --conf} wins). The master is spark-submit's, else the {@code master}
 * key, else {@code local[*]}. Exit status: 0 done, 2 bad arguments or a refused resume.
 */
public final class SparkInferMain {
    private SparkInferMain() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("sparkinfer: " + e.getMessage());
            System.exit(2);
        }
    }

    public static JobSummary run(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            throw new IllegalArgumentException(usage());
        }
        String command = args[0].toLowerCase(Locale.ROOT);
        InferenceOptions o = parse(args);
        o = switch (command) {
            case "generate", "summarize", "classify" -> o.with("task", command);
            case "score" -> o.with("task", o.labels().isEmpty() ? "score" : "classify");
            case "self-instruct", "self_instruct", "judge" -> o;
            default -> throw new IllegalArgumentException("unknown command '" + command + "'\n" + usage());
        };
        SparkConf conf = SparkInfer.configure(new SparkConf());
        Properties sparkProps = sparkProperties(args);
        for (String k : sparkProps.stringPropertyNames()) {
            if (!conf.contains(k)) {
                conf.set(k, sparkProps.getProperty(k));
            }
        }
        if (!conf.contains("spark.master")) {
            conf.setMaster(o.get("master", "local[*]"));
        }
        if (!conf.contains("spark.app.name")) {
            conf.setAppName("sparkinfer " + command);
        }
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            InferenceOptions job = o.with("print_summary", false);
            JobSummary s = io.sparkinfer.spark.jobs.UserJobs.handles(command, job)
                    ? io.sparkinfer.spark.jobs.UserJobs.run(command, spark, job) : SparkInfer.run(spark, job);
            System.out.println(s);
            return s;
        } finally {
            spark.stop();
        }
    }

    /** Options from the --conf file, then the flags. */
    static InferenceOptions parse(String[] args) {
        InferenceOptions o = InferenceOptions.defaults();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--conf") || args[i].equals("--config")) {
                Properties p = load(value(args, i));
                for (String k : p.stringPropertyNames()) {
                    if (!k.startsWith("spark.")) {
                        o = o.with(k, p.getProperty(k).trim());
                    }
                }
            }
        }
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'\n" + usage());
            }
            String key = a.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else {
                value = value(args, i);
                i++;
            }
            if (!key.equals("conf") && !key.equals("config")) {
                o = o.with(key, value);
            }
        }
        return o;
    }

    private static Properties sparkProperties(String[] args) {
        Properties out = new Properties();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--conf") || args[i].equals("--config")) {
                Properties p = load(value(args, i));
                for (String k : p.stringPropertyNames()) {
                    if (k.startsWith("spark.")) {
                        out.setProperty(k, p.getProperty(k).trim());
                    }
                }
            }
        }
        return out;
    }

    private static String value(String[] args, int i) {
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException(args[i] + " needs a value");
        }
        return args[i + 1];
    }

    private static Properties load(String file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(file))) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        return p;
    }

    static String usage() {
        return """
                usage: SparkInferMain generate|summarize|classify|score|self-instruct|judge [--conf FILE] [--key value ...]
                  --model PATH            GGUF file or llama2.c checkpoint (--tokenizer tok.bin for the latter)
                  --input PATH|TABLE      Parquet / JSON lines / CSV path or a catalog table (--input-format)
                  --output PATH | --output-table NAME   where the rows go (--mode resume|overwrite|error)
                  --id-col id --text-col text --template '{text}' --labels a,b
                  --max-tokens 64 --temperature 0 --top-p 1 --seed 42 --stop 'a|b'
                  --max-prompt-tokens N --overflow truncate_start|truncate_middle|error
                  --partitions N --window 64 --progress-interval-s 10 --master local[*]
                score: perplexity of the text per row; with --labels, the log-probability of each label
                user jobs (also self-instruct | judge; see README "User jobs"):
                """ + io.sparkinfer.spark.jobs.UserJobs.usage();
    }
}
