package io.sparkinfer.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The engine's command line for one machine: {@code java -jar sparkinfer-engine.jar COMMAND ...}. */
public final class Main {
    @FunctionalInterface
    interface Command {
        int run(String[] args, PrintStream out) throws Exception;
    }

    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();
    private static final Map<String, String> HELP = new LinkedHashMap<>();

    static {
        register("info", InfoCommand::run, "info MODEL [--metadata] [--tensors]   architecture, dims, tensor types");
        register("convert", ConvertCommand::run,
                "convert CHECKPOINT.bin --tokenizer tokenizer.bin --out OUT.gguf [--type F32|F16|Q8_0|Q4_0]   llama2.c -> GGUF v3");
        register("tokenize", io.sparkinfer.tokenizer.TokenizeCommand::run,
                "tokenize --model FILE.gguf|--tokenizer tokenizer.bin [--special] [--no-bos] TEXT   ids and pieces");
        register("generate", GenerateCommand::run,
                "generate --model MODEL [--tokenizer tokenizer.bin] [--prompt TEXT] [-n N] [--quiet]   greedy completion");
    }

    static {
        register("make-model", io.sparkinfer.bench.RandomModelWriter::run,
                "make-model --shape llama-3.2-1b|qwen2.5-0.5b|smollm2-135m|tiny --type F16|Q8_0|Q4_0|Q4_K --out FILE   random-weight GGUF");
        register("bench", io.sparkinfer.bench.Bench::run,
                "bench --model FILE [--pp 512] [--tg 128] [--batch 1,2,4,8,16,32] [--engine] [--pollute-vector-profiles]   pp/tg tokens/s like llama-bench");
    }

    private static void register(String name, Command c, String help) {
        COMMANDS.put(name, c);
        HELP.put(name, help);
    }

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command; returns the exit code (0 ok, 1 failure, 2 usage). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            usage(out);
            return args.length == 0 ? 2 : 0;
        }
        Command c = COMMANDS.get(args[0]);
        if (c == null) {
            err.println("unknown command '" + args[0] + "'");
            usage(err);
            return 2;
        }
        try {
            return c.run(Arrays.copyOfRange(args, 1, args.length), out);
        } catch (Args.UsageException e) {
            err.println(args[0] + ": " + e.getMessage());
            err.println("usage: " + HELP.get(args[0]));
            return 2;
        } catch (Exception e) {
            err.println(args[0] + ": " + e.getMessage());
            return 1;
        }
    }

    private static void usage(PrintStream out) {
        out.println("sparkinfer engine commands:");
        HELP.values().forEach(h -> out.println("  " + h));
    }
}
