package io.sparkinfer.cli;

import io.sparkinfer.generate.GenerationRequest;
import io.sparkinfer.generate.GenerationResult;
import io.sparkinfer.generate.InferenceEngine;
import io.sparkinfer.generate.SequentialEngine;
import io.sparkinfer.generate.TokenizerText;
import io.sparkinfer.model.LoadedModel;
import io.sparkinfer.sampling.SamplingParams;
import io.sparkinfer.tokenizer.Tokenizer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code generate --model MODEL [--tokenizer tokenizer.bin] [--prompt TEXT] [-n N]}: greedy
 * completion of one prompt, printed as prompt + completion (llama2.c's {@code run -t 0}), then
 * timings on stderr-style trailer lines.
 */
final class GenerateCommand {
    private GenerateCommand() {
    }

    static int run(String[] args, PrintStream out) {
        Args a = Args.parse(args, "quiet");
        Path modelPath = Path.of(a.require("model"));
        int n = a.getInt("n", a.getInt("max-tokens", 256));
        String prompt = a.get("prompt", "");
        try (LoadedModel m = LoadedModel.open(modelPath)) {
            Tokenizer tok = tokenizerFor(m, a.get("tokenizer", null));
            int[] ids = tok.encode(prompt, true, a.flag("special"));
            if (ids.length == 0) {
                ids = new int[] {tok.bos()};
            }
            SamplingParams params = SamplingParams.greedy(n);
            long t0 = System.nanoTime();
            GenerationResult r;
            try (InferenceEngine engine = new SequentialEngine(m.model(), new TokenizerText(tok),
                    Math.min(m.model().config().contextLength(), ids.length + n + 1))) {
                r = engine.submit(new GenerationRequest("cli", ids, params)).join();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            if (r.error() != null) {
                throw new IllegalArgumentException(r.error());
            }
            int[] all = Arrays.copyOf(ids, ids.length + r.tokens().length);
            System.arraycopy(r.tokens(), 0, all, ids.length, r.tokens().length);
            out.println(tok.decode(all));
            if (!a.flag("quiet")) {
                out.printf("%n[%d prompt + %d generated tokens in %.2f s, %.1f tok/s, finish: %s, kernels %s]%n",
                        ids.length, r.completionTokens(), secs, r.completionTokens() / secs,
                        r.finishReason().label(), m.model().kernels().name());
            }
        }
        return 0;
    }

    /** The model's own tokenizer (GGUF), or the llama2.c tokenizer.bin given with --tokenizer. */
    static Tokenizer tokenizerFor(LoadedModel m, String tokenizerBin) {
        if (tokenizerBin != null) {
            return Tokenizer.fromLlama2c(Path.of(tokenizerBin));
        }
        return m.gguf().map(Tokenizer::fromGguf).orElseThrow(() -> new Args.UsageException(
                "a llama2.c checkpoint carries no tokenizer: pass --tokenizer tokenizer.bin"));
    }
}
