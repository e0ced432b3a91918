package io.sparkinfer.spark;

import io.sparkinfer.sampling.SamplingParams;
import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * A job's options: one string map, so that a {@code .properties} file, command-line flags, the
 * DataFrame API and the ML Params all set the same keys. Keys are normalized ({@code max-tokens},
 * {@code max.tokens} and {@code max_tokens} are one key). Immutable; {@link #with} copies.
 *
 * <table>
 * <caption>keys</caption>
 * <tr><td>model, tokenizer, max_seq_len, kv_budget_mb</td><td>the model file (GGUF or llama2.c .bin), the llama2.c tokenizer, the context per sequence (0: the model's), the executor engine's KV cache budget (0: a quarter of the heap, at most 2 GiB)</td></tr>
 * <tr><td>task</td><td>generate | summarize | classify | score</td></tr>
 * <tr><td>id_col, text_col, template, labels</td><td>input columns; the prompt template ({col} placeholders, {labels}); classify labels, comma separated</td></tr>
 * <tr><td>max_tokens, temperature, top_p, top_k, seed, stop, logprobs</td><td>sampling; stop strings separated by '|'; each row's seed derives from (seed, row id)</td></tr>
 * <tr><td>max_prompt_tokens, overflow</td><td>prompt token budget (default max_seq_len - max_tokens) and the policy past it (truncate_start | truncate_middle | error)</td></tr>
 * <tr><td>window, partitions</td><td>rows in flight per task; repartition the input by id into this many partitions (0: keep)</td></tr>
 * <tr><td>input, input_format, output, output_table, output_format, mode</td><td>I/O for {@link SparkInfer#run}; mode resume | overwrite | error</td></tr>
 * </table>
 */
public final class InferenceOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The keys whose values change what a row's output is: they enter the fingerprint. */
    static final Set<String> OUTPUT_AFFECTING = Set.of("task", "template", "id_col", "text_col", "labels", "max_tokens",
            "temperature", "top_p", "top_k", "seed", "stop", "logprobs", "max_prompt_tokens", "overflow", "max_seq_len");

    private final TreeMap<String, String> values;

    private InferenceOptions(Map<String, String> values) {
        this.values = new TreeMap<>(values);
    }

    public static InferenceOptions defaults() {
        return new InferenceOptions(Map.of());
    }

    public static InferenceOptions of(Map<String, String> map) {
        InferenceOptions o = defaults();
        for (Map.Entry<String, String> e : map.entrySet()) {
            o = o.with(e.getKey(), e.getValue());
        }
        return o;
    }

    public static InferenceOptions of(Properties props) {
        InferenceOptions o = defaults();
        for (String k : props.stringPropertyNames()) {
            o = o.with(k, props.getProperty(k).trim());
        }
        return o;
    }

    public static String normalize(String key) {
        return key.trim().toLowerCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    }

    public InferenceOptions with(String key, Object value) {
        TreeMap<String, String> m = new TreeMap<>(values);
        if (value == null) {
            m.remove(normalize(key));
        } else {
            m.put(normalize(key), String.valueOf(value));
        }
        return new InferenceOptions(m);
    }

    public InferenceOptions withAll(InferenceOptions other) {
        TreeMap<String, String> m = new TreeMap<>(values);
        m.putAll(other.values);
        return new InferenceOptions(m);
    }

    public String get(String key) {
        return values.get(normalize(key));
    }

    public String get(String key, String fallback) {
        String v = get(key);
        return v == null || v.isEmpty() ? fallback : v;
    }

    public int getInt(String key, int fallback) {
        String v = get(key);
        return v == null || v.isEmpty() ? fallback : Integer.parseInt(v.trim());
    }

    public long getLong(String key, long fallback) {
        String v = get(key);
        return v == null || v.isEmpty() ? fallback : Long.parseLong(v.trim());
    }

    public float getFloat(String key, float fallback) {
        String v = get(key);
        return v == null || v.isEmpty() ? fallback : Float.parseFloat(v.trim());
    }

    public boolean getBoolean(String key, boolean fallback) {
        String v = get(key);
        return v == null || v.isEmpty() ? fallback : Boolean.parseBoolean(v.trim());
    }

    public Map<String, String> asMap() {
        return new LinkedHashMap<>(values);
    }

    // ---- typed views

    /**
     * The model handle; paths that exist here (the driver) become absolute, so that executors
     * whose working directory differs find them too (others are looked up among shipped files).
     */
    public ModelHandle handle() {
        return new ModelHandle(absoluteIfLocal(get("model")), absoluteIfLocal(get("tokenizer")), getInt("max_seq_len", 0),
                getInt("kv_budget_mb", 0));
    }

    private static String absoluteIfLocal(String path) {
        if (path == null || path.isEmpty()) {
            return path;
        }
        java.nio.file.Path p = java.nio.file.Path.of(path);
        return java.nio.file.Files.isRegularFile(p) ? p.toAbsolutePath().normalize().toString() : path;
    }

    public Task task() {
        return Task.parse(get("task", "generate"));
    }

    public String idCol() {
        return get("id_col", "id");
    }

    public List<String> textCols() {
        return Arrays.stream(get("text_col", "text").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public String template() {
        String t = get("template");
        if (t == null || t.isEmpty()) {
            return task().defaultTemplate().replace("{text}", "{" + textCols().get(0) + "}");
        }
        return t.replace("\\n", "\n");
    }

    public List<String> labels() {
        String v = get("labels", "");
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public int maxTokens() {
        return getInt("max_tokens", 64);
    }

    public long seed() {
        return getLong("seed", 42L);
    }

    public OverflowPolicy overflow() {
        return OverflowPolicy.parse(get("overflow", "truncate_start"));
    }

    public int window() {
        return Math.max(1, getInt("window", 64));
    }

    /** Prompt token budget for a context of {@code maxSeqLen}: the option, else room for max_tokens. */
    public int maxPromptTokens(int maxSeqLen) {
        int room = getInt("max_prompt_tokens", 0);
        int generate = task() == Task.GENERATE || task() == Task.SUMMARIZE ? maxTokens() : 0;
        int cap = Math.max(1, maxSeqLen - generate - (generate > 0 ? 0 : 1));
        return room > 0 ? Math.min(room, cap) : cap;
    }

    /** The sampling params of the job; each row gets {@code withSeed(RowSeeds.of(seed, id))}. */
    public SamplingParams sampling() {
        float temperature = getFloat("temperature", 0f);
        SamplingParams p = temperature == 0f ? SamplingParams.greedy(maxTokens())
                : SamplingParams.sample(temperature, getFloat("top_p", 1f), seed(), maxTokens());
        int topK = getInt("top_k", 0);
        if (topK > 0) {
            p = new SamplingParams(p.temperature(), topK, p.topP(), p.minP(), p.repetitionPenalty(), p.presencePenalty(),
                    p.frequencyPenalty(), p.seed(), p.maxTokens(), p.stop(), p.ignoreEos(), p.logprobs(), p.choices(),
                    p.json(), p.n(), p.beamWidth(), p.lengthPenalty());
        }
        String stop = get("stop", "");
        if (!stop.isEmpty()) {
            p = p.withStop(Arrays.stream(stop.replace("\\n", "\n").split("\\|")).filter(s -> !s.isEmpty()).toList());
        }
        if (getBoolean("logprobs", false)) {
            p = p.withLogprobs(true);
        }
        String choices = get("choices", "");
        if (!choices.isEmpty()) {
            // Constrained output: exactly one of these strings (the engine's token-trie constraint).
            p = p.withChoices(Arrays.stream(choices.split("\\|")).filter(c -> !c.isEmpty()).toList());
        }
        return p;
    }

    /** The options that change outputs, for the fingerprint. */
    public Map<String, String> outputAffecting() {
        Map<String, String> m = new TreeMap<>();
        for (String k : OUTPUT_AFFECTING) {
            m.put(k, String.valueOf(get(k)));
        }
        m.put("template", template());
        m.put("task", task().label());
        return m;
    }

    @Override
    public String toString() {
        return values.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InferenceOptions other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }
}
