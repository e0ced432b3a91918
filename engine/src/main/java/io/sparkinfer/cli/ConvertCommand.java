package io.sparkinfer.cli;

import io.sparkinfer.model.Llama2cConverter;
import io.sparkinfer.tensor.GGMLType;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/** {@code convert CHECKPOINT.bin --tokenizer tokenizer.bin --out OUT.gguf [--type F32|F16|Q8_0|Q4_0]}. */
final class ConvertCommand {
    private ConvertCommand() {
    }

    static int run(String[] args, PrintStream out) {
        Args a = Args.parse(args);
        Path ck = a.positionalPath(0, "CHECKPOINT");
        Path tok = Path.of(a.require("tokenizer"));
        Path dst = Path.of(a.require("out"));
        GGMLType type;
        try {
            type = GGMLType.valueOf(a.get("type", "F32").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--type must be one of F32, F16, Q8_0, Q4_0");
        }
        Llama2cConverter.convert(ck, tok, dst, type);
        out.println("wrote " + dst + " (" + type + ")");
        return 0;
    }
}
