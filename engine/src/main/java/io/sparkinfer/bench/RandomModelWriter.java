package io.sparkinfer.bench;

import io.sparkinfer.gguf.GgufValue;
import io.sparkinfer.gguf.GgufWriter;
import io.sparkinfer.kernels.Parallel;
import io.sparkinfer.tensor.GGMLType;
import io.sparkinfer.tensor.TensorCodec;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes a GGUF model of a real model's shape with random weights, for benchmarks: the same
 * tensors, types and sizes as the real file, so speed figures carry over, without downloading it.
 * Matrices are N(0, 0.02) (activations stay finite through every layer), norms 1, biases 0. The
 * tokenizer section is a synthetic but valid byte-level BPE ({@code gpt2}: 256 byte tokens, merges
 * building letter strings, special tokens at the end), so the file loads in any GGUF reader.
 *
 * <p>{@code make-model --shape llama-3.2-1b --type Q8_0 --out FILE [--seed N]}; {@code --type
 * Q4_K_M} writes llama.cpp's most downloaded mix ({@link Recipe}).
 */
public final class RandomModelWriter {
    static final float STD = 0.02f;

    private RandomModelWriter() {
    }

    public static int run(String[] args, PrintStream out) {
        Flags f = Flags.parse(args);
        ModelShape shape = ModelShape.named(f.require("shape"));
        Recipe recipe = Recipe.parse(f.get("type", "Q8_0"));
        Path file = Path.of(f.require("out"));
        long seed = Long.parseLong(f.get("seed", "1"));
        long t0 = System.nanoTime();
        write(shape, recipe, file, seed);
        out.printf(Locale.ROOT, "wrote %s: %s %s, %.2f B parameters, %.1f MiB in %.1f s%n", file, shape.name(), recipe,
                shape.parameters() / 1e9, fileSize(file) / 1048576.0, (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    private static long fileSize(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    /**
     * The tensor types of a file: one type for every matrix, or llama.cpp's Q4_K_M mix (its
     * {@code llama_tensor_get_type}): Q4_K, but Q6_K for the output matrix (the token embeddings
     * when they are tied, as here) and for attn_v and ffn_down in the layers where {@link
     * #moreBits} holds.
     */
    public record Recipe(GGMLType base, boolean q4_K_M) {
        public static Recipe parse(String type) {
            if (type.equalsIgnoreCase("Q4_K_M")) {
                return new Recipe(GGMLType.Q4_K, true);
            }
            try {
                return new Recipe(GGMLType.valueOf(type.toUpperCase(Locale.ROOT)), false);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("make-model: unknown --type " + type
                        + " (F16, Q8_0, Q4_0, Q4_K, Q6_K, Q4_K_M, Q2_K, Q3_K, IQ4_NL, IQ4_XS or F32)", e);
            }
        }

        GGMLType embeddings() {
            return q4_K_M ? GGMLType.Q6_K : base;
        }

        /** The type of layer l's matrix {@code kind} (attn_q, ..., ffn_down) in a model of n layers. */
        GGMLType layer(String kind, int l, int n) {
            boolean more = kind.equals("attn_v") || kind.equals("ffn_down");
            return q4_K_M && more && moreBits(l, n) ? GGMLType.Q6_K : base;
        }

        /** llama.cpp's use_more_bits: the first and last eighth of the layers, and every third between. */
        static boolean moreBits(int l, int n) {
            return l < n / 8 || l >= 7 * n / 8 || (l - n / 8) % 3 == 2;
        }

        @Override
        public String toString() {
            return q4_K_M ? "Q4_K_M" : base.toString();
        }
    }

    /**
     * The type a matrix of this width gets: K-quants need rows of whole 256-blocks, else Q4_0 or
     * Q8_0 stands in (Q2_K, Q3_K and IQ4_XS: IQ4_NL, as llama.cpp falls back).
     */
    static GGMLType typeFor(GGMLType requested, int cols) {
        if (cols % requested.blockSize == 0) {
            return requested;
        }
        return switch (requested) {
            case Q4_K -> GGMLType.Q4_0;
            case Q6_K -> GGMLType.Q8_0;
            case Q2_K, Q3_K, IQ4_XS -> GGMLType.IQ4_NL;
            default -> GGMLType.F16;
        };
    }

    public static void write(ModelShape s, GGMLType type, Path out, long seed) {
        write(s, new Recipe(type, false), out, seed);
    }

    public static void write(ModelShape s, Recipe recipe, Path out, long seed) {
        GGMLType type = recipe.base();
        if (!FILE_TYPES.containsKey(type)) {
            throw new IllegalArgumentException("make-model: type must be one of " + FILE_TYPES.keySet()
                    + " or Q4_K_M, got " + type);
        }
        String a = s.architecture() + ".";
        GgufWriter w = new GgufWriter()
                .put("general.architecture", GgufValue.string(s.architecture()))
                .put("general.name", GgufValue.string(s.name() + "-random"))
                .put("general.file_type", GgufValue.uint32(recipe.q4_K_M() ? 15 : fileType(type)))
                .put("general.quantization_version", GgufValue.uint32(2))
                .put(a + "vocab_size", GgufValue.uint32(s.vocab()))
                .put(a + "context_length", GgufValue.uint32(s.contextLength()))
                .put(a + "embedding_length", GgufValue.uint32(s.dim()))
                .put(a + "block_count", GgufValue.uint32(s.layers()))
                .put(a + "feed_forward_length", GgufValue.uint32(s.hiddenDim()))
                .put(a + "attention.head_count", GgufValue.uint32(s.heads()))
                .put(a + "attention.head_count_kv", GgufValue.uint32(s.kvHeads()))
                .put(a + "attention.key_length", GgufValue.uint32(s.headDim()))
                .put(a + "attention.value_length", GgufValue.uint32(s.headDim()))
                .put(a + "attention.layer_norm_rms_epsilon", GgufValue.float32(s.rmsEps()))
                .put(a + "rope.freq_base", GgufValue.float32(s.ropeTheta()))
                .put(a + "rope.dimension_count", GgufValue.uint32(s.headDim()));
        Vocabulary v = Vocabulary.build(s);
        w.put("tokenizer.ggml.model", GgufValue.string("gpt2"))
                .put("tokenizer.ggml.pre", GgufValue.string("default"))
                .put("tokenizer.ggml.tokens", GgufValue.strings(v.tokens))
                .put("tokenizer.ggml.token_type", GgufValue.ints(v.types))
                .put("tokenizer.ggml.merges", GgufValue.strings(v.merges))
                .put("tokenizer.ggml.bos_token_id", GgufValue.uint32(s.bosId()))
                .put("tokenizer.ggml.eos_token_id", GgufValue.uint32(s.eosId()))
                .put("tokenizer.ggml.padding_token_id", GgufValue.uint32(s.eosId()))
                .put("tokenizer.ggml.add_bos_token", GgufValue.bool(s.addBos()))
                .put("tokenizer.ggml.add_eos_token", GgufValue.bool(false))
                .put("tokenizer.chat_template", GgufValue.string(CHATML));

        int kv = s.kvHeads() * s.headDim();
        int[] id = {0};
        matrix(w, "token_embd.weight", recipe.embeddings(), s.vocab(), s.dim(), seed, id[0]++);
        int n = s.layers();
        for (int l = 0; l < s.layers(); l++) {
            String p = "blk." + l + ".";
            vector(w, p + "attn_norm.weight", s.dim(), 1f);
            matrix(w, p + "attn_q.weight", recipe.layer("attn_q", l, n), s.dim(), s.dim(), seed, id[0]++);
            matrix(w, p + "attn_k.weight", recipe.layer("attn_k", l, n), kv, s.dim(), seed, id[0]++);
            matrix(w, p + "attn_v.weight", recipe.layer("attn_v", l, n), kv, s.dim(), seed, id[0]++);
            if (s.architecture().equals("qwen2")) {
                vector(w, p + "attn_q.bias", s.dim(), 0f);
                vector(w, p + "attn_k.bias", kv, 0f);
                vector(w, p + "attn_v.bias", kv, 0f);
            }
            matrix(w, p + "attn_output.weight", recipe.layer("attn_output", l, n), s.dim(), s.dim(), seed, id[0]++);
            vector(w, p + "ffn_norm.weight", s.dim(), 1f);
            matrix(w, p + "ffn_gate.weight", recipe.layer("ffn_gate", l, n), s.hiddenDim(), s.dim(), seed, id[0]++);
            matrix(w, p + "ffn_up.weight", recipe.layer("ffn_up", l, n), s.hiddenDim(), s.dim(), seed, id[0]++);
            matrix(w, p + "ffn_down.weight", recipe.layer("ffn_down", l, n), s.dim(), s.hiddenDim(), seed, id[0]++);
        }
        vector(w, "output_norm.weight", s.dim(), 1f);
        w.write(out);
    }

    /** llama.cpp's LLAMA_FTYPE numbers. */
    /**
     * The types a random model can be written in, with llama.cpp's general.file_type for a file
     * of that type throughout (Q4_K: Q4_K_S's number, Q4_K_M's 15 is the Recipe mix; Q3_K:
     * Q3_K_S's).
     */
    private static final java.util.Map<GGMLType, Integer> FILE_TYPES = new java.util.EnumMap<>(java.util.Map.of(
            GGMLType.F32, 0, GGMLType.F16, 1, GGMLType.Q4_0, 2, GGMLType.Q8_0, 7, GGMLType.Q2_K, 10,
            GGMLType.Q3_K, 11, GGMLType.Q4_K, 14, GGMLType.Q6_K, 18, GGMLType.IQ4_NL, 25, GGMLType.IQ4_XS, 30));

    private static int fileType(GGMLType t) {
        return FILE_TYPES.get(t);
    }

    private static void vector(GgufWriter w, String name, int n, float value) {
        w.addTensor(name, GGMLType.F32, new long[] {n}, seg -> {
            for (int i = 0; i < n; i++) {
                seg.set(LE_FLOAT, 4L * i, value);
            }
        });
    }

    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** A [rows x cols] matrix of N(0, STD) values, row r seeded from (seed, tensor, r): reproducible, parallel. */
    private static void matrix(GgufWriter w, String name, GGMLType requested, int rows, int cols, long seed, int tensor) {
        GGMLType type = typeFor(requested, cols);
        long rowBytes = type.byteSize(cols);
        // The writer's mapping belongs to its thread: rows are made in parallel into a heap
        // buffer, a block of rows at a time, and copied into the mapping by the owner.
        int blockRows = Math.max(1, (int) Math.min(rows, (64L << 20) / rowBytes));
        w.addTensor(name, type, new long[] {cols, rows}, seg -> {
            byte[] buf = new byte[Math.toIntExact(blockRows * rowBytes)];
            MemorySegment heap = MemorySegment.ofArray(buf);
            for (int start = 0; start < rows; start += blockRows) {
                int first = start, n = Math.min(blockRows, rows - start);
                Parallel.forChunks(n, (from, to) -> {
                    float[] x = new float[cols];
                    for (int i = from; i < to; i++) {
                        int r = first + i;
                        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + tensor * 1_000_003L + r);
                        for (int c = 0; c < cols; c++) {
                            x[c] = (float) rnd.nextGaussian() * STD;
                        }
                        quantize(type, x, heap, i * rowBytes);
                    }
                });
                MemorySegment.copy(heap, 0, seg, first * rowBytes, n * rowBytes);
            }
        });
    }

    /** The one place that turns a row of floats into a type's bytes. */
    static void quantize(GGMLType type, float[] x, MemorySegment seg, long at) {
        TensorCodec.quantizeRow(type, x, 0, x.length, seg, at);
    }

    static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
            + "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}"
            + "{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /** A synthetic byte-level BPE vocabulary of exactly {@code shape.vocab()} tokens. */
    static final class Vocabulary {
        final String[] tokens;
        final int[] types;
        final String[] merges;

        private Vocabulary(String[] tokens, int[] types, String[] merges) {
            this.tokens = tokens;
            this.types = types;
            this.merges = merges;
        }

        static Vocabulary build(ModelShape s) {
            int n = s.vocab();
            int regular = n - s.specials();
            String[] byteChars = byteToUnicode();
            LinkedHashSet<String> seen = new LinkedHashSet<>();
            List<String> tokens = new ArrayList<>();
            List<String> merges = new ArrayList<>();
            for (String b : byteChars) {
                tokens.add(b);
                seen.add(b);
            }
            // Words grow one letter at a time from "Ġ" (space) and the letters: each new token is
            // an earlier token plus a letter, so every token is reachable through the merges.
            String letters = "etaoinshrdlcumwfgypbvkjxqz";
            List<String> frontier = new ArrayList<>();
            frontier.add("\u0120");
            for (char c : letters.toCharArray()) {
                frontier.add(String.valueOf(c));
            }
            for (int i = 0; tokens.size() < regular; i++) {
                String left = frontier.get(i);
                for (int j = 0; j < letters.length() && tokens.size() < regular; j++) {
                    String right = String.valueOf(letters.charAt(j));
                    String t = left + right;
                    if (seen.add(t)) {
                        tokens.add(t);
                        merges.add(left + " " + right);
                        frontier.add(t);
                    }
                }
            }
            String[] named = {"<|begin_of_text|>", "<|end_of_text|>", "<|im_start|>", "<|im_end|>"};
            if (s.architecture().equals("qwen2")) {
                named = new String[] {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
            }
            int[] types = new int[n];
            for (int i = 0; i < regular; i++) {
                types[i] = 1; // NORMAL
            }
            for (int i = 0; i < s.specials(); i++) {
                tokens.add(i < named.length ? named[i] : "<|reserved_special_token_" + i + "|>");
                types[regular + i] = 3; // CONTROL
            }
            return new Vocabulary(tokens.toArray(String[]::new), types, merges.toArray(String[]::new));
        }

        /** GPT-2's printable stand-ins for the 256 byte values. */
        static String[] byteToUnicode() {
            String[] out = new String[256];
            int extra = 0;
            for (int b = 0; b < 256; b++) {
                boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
                out[b] = printable ? String.valueOf((char) b) : String.valueOf((char) (256 + extra++));
            }
            return out;
        }
    }
}
