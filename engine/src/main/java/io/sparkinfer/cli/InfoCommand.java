package io.sparkinfer.cli;

import io.sparkinfer.gguf.GgufFile;
import io.sparkinfer.gguf.GgufTensorInfo;
import io.sparkinfer.gguf.GgufValue;
import io.sparkinfer.gguf.GgufValueType;
import io.sparkinfer.model.LoadedModel;
import io.sparkinfer.model.ModelConfig;
import io.sparkinfer.tensor.GGMLType;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** {@code info MODEL [--metadata] [--tensors]}: architecture, dimensions, tensor types. */
final class InfoCommand {
    private InfoCommand() {
    }

    static int run(String[] args, PrintStream out) {
        Args a = Args.parse(args, "metadata", "tensors");
        Path path = a.positionalPath(0, "MODEL");
        try (LoadedModel m = LoadedModel.open(path)) {
            ModelConfig c = m.model().config();
            out.printf("file          %s%n", path);
            m.gguf().ifPresentOrElse(
                    g -> out.printf("format        GGUF v%d, %d tensors, alignment %d%n", g.version(), g.tensors().size(), g.alignment()),
                    () -> out.println("format        llama2.c checkpoint"));
            out.printf("architecture  %s%n", c.architecture().ggufName);
            out.printf("dim           %d%n", c.dim());
            out.printf("hidden_dim    %d%n", c.hiddenDim());
            out.printf("layers        %d%n", c.nLayers());
            out.printf("heads         %d (kv heads %d, head dim %d)%n", c.nHeads(), c.nKvHeads(), c.headDim());
            out.printf("vocab         %d%n", c.vocabSize());
            out.printf("context       %d%n", c.contextLength());
            out.printf("rope          theta %.1f, dim %d, %s%n", c.ropeTheta(), c.ropeDim(),
                    c.architecture().ropeNeox ? "neox" : "normal");
            out.printf("rms eps       %g%n", c.rmsEps());
            out.printf("kernels       %s%n", m.model().kernels().name());
            if (m.gguf().isPresent()) {
                GgufFile g = m.gguf().get();
                Map<GGMLType, long[]> byType = new TreeMap<>();
                for (GgufTensorInfo t : g.tensors().values()) {
                    long[] acc = byType.computeIfAbsent(t.type(), x -> new long[2]);
                    acc[0]++;
                    acc[1] += t.byteSize();
                }
                byType.forEach((t, acc) -> out.printf("tensors       %-5s %4d tensors, %,d bytes%n", t, acc[0], acc[1]));
                if (a.flag("metadata")) {
                    for (Map.Entry<String, GgufValue> e : g.metadata().asMap().entrySet()) {
                        GgufValue v = e.getValue();
                        String shown = v.type() == GgufValueType.STRING
                                ? abbreviate((String) v.value()) : v.toString();
                        out.printf("  %s = %s%n", e.getKey(), shown);
                    }
                }
                if (a.flag("tensors")) {
                    for (GgufTensorInfo t : g.tensors().values()) {
                        out.printf("  %s%n", t);
                    }
                }
            }
        }
        return 0;
    }

    private static String abbreviate(String s) {
        String one = s.replace("\n", "\\n");
        return one.length() > 120 ? one.substring(0, 117) + "..." : one;
    }
}
