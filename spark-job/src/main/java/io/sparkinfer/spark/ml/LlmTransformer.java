package io.sparkinfer.spark.ml;

import io.sparkinfer.spark.InferenceOptions;
import io.sparkinfer.spark.ResultSchema;
import io.sparkinfer.spark.SparkInfer;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What {@link LlmGenerate} and {@link LlmClassify} share: the model, the columns, the template,
 * sampling and limits as ML {@code Param}s with fluent setters. {@link #transform} keeps every
 * input column and appends one struct column ({@link ResultSchema#RESULT}: output, finish_reason,
 * prompt_tokens, completion_tokens, logprob, perplexity, label_scores, error, latency_ms).
 * Lazy like any Transformer; the weights load once per executor on first use.
 */
public abstract class LlmTransformer<T extends LlmTransformer<T>> extends Transformer {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> idCol;
    private final Param<String> modelPath;
    private final Param<String> tokenizerPath;
    private final Param<String> template;
    private final IntParam maxTokens;
    private final DoubleParam temperature;
    private final DoubleParam topP;
    private final LongParam seed;
    private final IntParam maxPromptTokens;
    private final Param<String> overflowPolicy;
    private final IntParam window;

    protected LlmTransformer(String uid, String defaultOutputCol) {
        this.uid = uid;
        inputCol = new Param<>(this, "inputCol", "the text column the prompt is made from");
        outputCol = new Param<>(this, "outputCol", "the struct column the results go to");
        idCol = new Param<>(this, "idCol", "row id column: each row's seed derives from (seed, id); empty: from the prompt");
        modelPath = new Param<>(this, "modelPath", "GGUF file or llama2.c checkpoint (local path, or a file shipped with --files)");
        tokenizerPath = new Param<>(this, "tokenizerPath", "llama2.c tokenizer.bin for a llama2.c checkpoint; empty for GGUF");
        template = new Param<>(this, "template", "prompt template: {column} placeholders, {labels}; empty: the task's default");
        maxTokens = new IntParam(this, "maxTokens", "most tokens to generate");
        temperature = new DoubleParam(this, "temperature", "sampling temperature (0: greedy)");
        topP = new DoubleParam(this, "topP", "nucleus sampling mass");
        seed = new LongParam(this, "seed", "job seed");
        maxPromptTokens = new IntParam(this, "maxPromptTokens", "prompt token budget (0: the context less maxTokens)");
        overflowPolicy = new Param<>(this, "overflowPolicy", "over-long prompts: truncate_start | truncate_middle | error");
        window = new IntParam(this, "window", "rows in flight per task");
        setDefault(inputCol, "text");
        setDefault(outputCol, defaultOutputCol);
        setDefault(idCol, "");
        setDefault(tokenizerPath, "");
        setDefault(template, "");
        setDefault(maxTokens, 64);
        setDefault(temperature, 0.0);
        setDefault(topP, 1.0);
        setDefault(seed, 42L);
        setDefault(maxPromptTokens, 0);
        setDefault(overflowPolicy, "truncate_start");
        setDefault(window, 64);
    }

    @Override
    public String uid() {
        return uid;
    }

    /** The task this transformer runs (generate, classify). */
    protected abstract String task();

    /** Task-specific options on top of the shared ones. */
    protected InferenceOptions extraOptions(InferenceOptions o) {
        return o;
    }

    // ---- params (public accessors: Params finds them by reflection)
    public Param<String> inputCol() { return inputCol; }
    public Param<String> outputCol() { return outputCol; }
    public Param<String> idCol() { return idCol; }
    public Param<String> modelPath() { return modelPath; }
    public Param<String> tokenizerPath() { return tokenizerPath; }
    public Param<String> template() { return template; }
    public IntParam maxTokens() { return maxTokens; }
    public DoubleParam temperature() { return temperature; }
    public DoubleParam topP() { return topP; }
    public LongParam seed() { return seed; }
    public IntParam maxPromptTokens() { return maxPromptTokens; }
    public Param<String> overflowPolicy() { return overflowPolicy; }
    public IntParam window() { return window; }

    public String getInputCol() { return getOrDefault(inputCol); }
    public String getOutputCol() { return getOrDefault(outputCol); }
    public String getModelPath() { return getOrDefault(modelPath); }
    public int getMaxTokens() { return (Integer) getOrDefault(maxTokens); }

    @SuppressWarnings("unchecked")
    private T self() {
        return (T) this;
    }

    public T setInputCol(String v) { set(inputCol, v); return self(); }
    public T setOutputCol(String v) { set(outputCol, v); return self(); }
    public T setIdCol(String v) { set(idCol, v); return self(); }
    public T setModelPath(String v) { set(modelPath, v); return self(); }
    public T setTokenizerPath(String v) { set(tokenizerPath, v); return self(); }
    public T setTemplate(String v) { set(template, v); return self(); }
    public T setMaxTokens(int v) { set(maxTokens, v); return self(); }
    public T setTemperature(double v) { set(temperature, v); return self(); }
    public T setTopP(double v) { set(topP, v); return self(); }
    public T setSeed(long v) { set(seed, v); return self(); }
    public T setMaxPromptTokens(int v) { set(maxPromptTokens, v); return self(); }
    public T setOverflowPolicy(String v) { set(overflowPolicy, v); return self(); }
    public T setWindow(int v) { set(window, v); return self(); }

    /** The job options these params stand for. */
    public InferenceOptions toOptions() {
        if (!isDefined(modelPath)) {
            throw new IllegalArgumentException(uid + ": modelPath is not set");
        }
        String tok = getOrDefault(tokenizerPath);
        String tpl = getOrDefault(template);
        String id = getOrDefault(idCol);
        InferenceOptions o = InferenceOptions.defaults()
                .with("task", task())
                .with("model", getOrDefault(modelPath))
                .with("tokenizer", tok.isEmpty() ? null : tok)
                .with("text_col", getOrDefault(inputCol))
                .with("id_col", id.isEmpty() ? null : id)
                .with("template", tpl.isEmpty() ? null : tpl)
                .with("max_tokens", getOrDefault(maxTokens))
                .with("temperature", getOrDefault(temperature))
                .with("top_p", getOrDefault(topP))
                .with("seed", getOrDefault(seed))
                .with("max_prompt_tokens", getOrDefault(maxPromptTokens))
                .with("overflow", getOrDefault(overflowPolicy))
                .with("window", getOrDefault(window));
        return extraOptions(o);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema(), true);
        return SparkInfer.withResultColumn(dataset.toDF(), toOptions(), getOutputCol());
    }

    @Override
    public StructType transformSchema(StructType schema) {
        List<String> names = Arrays.asList(schema.fieldNames());
        String in = getInputCol();
        if (!names.contains(in)) {
            throw new IllegalArgumentException(uid + ": input column '" + in + "' does not exist (columns: " + names + ")");
        }
        if (!schema.apply(in).dataType().equals(DataTypes.StringType)) {
            throw new IllegalArgumentException(uid + ": input column '" + in + "' must be a string, got "
                    + schema.apply(in).dataType().simpleString());
        }
        String id = getOrDefault(idCol);
        if (!id.isEmpty() && !names.contains(id)) {
            throw new IllegalArgumentException(uid + ": id column '" + id + "' does not exist (columns: " + names + ")");
        }
        if (names.contains(getOutputCol())) {
            throw new IllegalArgumentException(uid + ": output column '" + getOutputCol() + "' already exists");
        }
        return ResultSchema.nested(List.<StructField>of(schema.fields()), getOutputCol());
    }

    @Override
    public Transformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
