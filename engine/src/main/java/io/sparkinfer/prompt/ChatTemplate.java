package io.sparkinfer.prompt;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import io.sparkinfer.tokenizer.Tokenizer;
import io.sparkinfer.tokenizer.Vocabulary;
import java.io.Serializable;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A chat template: the model's own {@code tokenizer.chat_template} (Jinja, rendered by Jinjava
 * the way Hugging Face's {@code apply_chat_template} renders it: trim_blocks and lstrip_blocks on,
 * {@code messages}, {@code add_generation_prompt}, {@code bos_token}, {@code eos_token},
 * {@code raise_exception}) or a built-in one. Python string methods the templates call are
 * supported through {@link PythonMethods}.
 *
 * <p>The output holds special tokens as text ({@code <|im_start|>}, often BOS): tokenize it with
 * special-token parsing on, see {@link #encode(Tokenizer, String)}.
 *
 * <p>Serializable (it holds only its strings; the engine is shared per JVM), so a driver can
 * broadcast it with the vocabulary.
 */
public final class ChatTemplate implements Serializable {
    private static final long serialVersionUID = 1L;

    /** ChatML (Qwen, SmolLM, many fine-tunes). */
    public static final String CHATML = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    /** Llama 2 chat ({@code [INST]}, {@code <<SYS>>}), as in Meta's tokenizer_config.json. */
    public static final String LLAMA2 = "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}"
            + "{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}"
            + "{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
            + "{% else %}{% set content = message['content'] %}{% endif %}"
            + "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
            + "{% elif message['role'] == 'assistant' %}{{ ' ' + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";
    /** Llama 3 instruct, as in Meta's tokenizer_config.json. */
    public static final String LLAMA3 = "{% set loop_messages = messages %}{% for message in loop_messages %}"
            + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' %}"
            + "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
    /** No chat format: the contents one after another, separated by a blank line (base models). */
    public static final String COMPLETION = "{% for message in messages %}{{ message['content'] }}{% if not loop.last %}{{ '\\n\\n' }}{% endif %}{% endfor %}";

    private static final Map<String, String> BUILTIN = Map.of(
            "chatml", CHATML, "llama2", LLAMA2, "llama3", LLAMA3, "completion", COMPLETION);

    /** The message of a raise_exception call during the current render on this thread. */
    private static final ThreadLocal<String> RAISED = new ThreadLocal<>();
    /** One engine for all templates: building one is slow, rendering with it is thread-safe. */
    private static final Jinjava ENGINE = newEngine();

    private final String name;
    private final String source;
    private final String rewritten;

    private ChatTemplate(String name, String source) {
        this.name = name;
        this.source = Objects.requireNonNull(source, "template");
        this.rewritten = PythonMethods.rewrite(jinja2Source(source));
        check();
    }

    /** A template from its Jinja source; a malformed one is a {@link ChatTemplateException} naming the problem. */
    public static ChatTemplate of(String source) {
        return new ChatTemplate("custom", source);
    }

    /** A built-in template by name: chatml, llama2, llama3, completion. */
    public static ChatTemplate builtin(String name) {
        String key = name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        if (key.equals("plain")) {
            key = "completion";
        }
        String src = BUILTIN.get(key);
        if (src == null) {
            throw new ChatTemplateException("unknown built-in chat template '" + name + "'; known: chatml, llama2, llama3, completion");
        }
        return new ChatTemplate(key, src);
    }

    /**
     * The model's own template, or when the file has none a built-in one guessed from its
     * vocabulary: ChatML when it has {@code <|im_start|>}, Llama 3 when it has
     * {@code <|start_header_id|>}, otherwise plain completion.
     */
    public static ChatTemplate forModel(Vocabulary vocab) {
        if (!vocab.chatTemplate().isBlank()) {
            return new ChatTemplate("model", vocab.chatTemplate());
        }
        List<String> tokens = List.of(vocab.tokens());
        if (tokens.contains("<|im_start|>")) {
            return builtin("chatml");
        }
        if (tokens.contains("<|start_header_id|>")) {
            return builtin("llama3");
        }
        return builtin("completion");
    }

    /** "model", "custom", or the built-in's name. */
    public String name() {
        return name;
    }

    public String source() {
        return source;
    }

    /**
     * Renders a conversation.
     *
     * @param addGenerationPrompt end with the header that starts the assistant's reply
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, String bosToken, String eosToken) {
        List<Map<String, Object>> msgs = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            msgs.add(map);
        }
        Map<String, Object> ctx = new HashMap<>();
        ctx.put("messages", msgs);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        ctx.put("bos_token", bosToken);
        ctx.put("eos_token", eosToken);
        return renderContext(ctx);
    }

    /** Renders with the BOS/EOS texts of a tokenizer's vocabulary. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Tokenizer tokenizer) {
        Vocabulary v = tokenizer.vocabulary();
        String bos = v.bos() >= 0 ? v.tokens()[v.bos()] : "";
        String eos = v.eos() >= 0 ? v.tokens()[v.eos()] : "";
        return render(messages, addGenerationPrompt, bos, eos);
    }

    /**
     * Token ids of rendered chat text: special-token text is parsed, and BOS is added only when
     * the vocabulary wants one and the text does not already start with it (many templates write
     * {@code bos_token} themselves).
     */
    public static int[] encode(Tokenizer tokenizer, String rendered) {
        Vocabulary v = tokenizer.vocabulary();
        boolean hasBos = v.bos() >= 0 && rendered.startsWith(v.tokens()[v.bos()]);
        return tokenizer.encode(rendered, !hasBos, true);
    }

    private String renderContext(Map<String, Object> ctx) {
        RAISED.remove();
        RenderResult r;
        try {
            r = ENGINE.renderForResult(rewritten, ctx);
        } catch (RuntimeException e) {
            throw new ChatTemplateException("chat template '" + name + "' failed: " + e.getMessage());
        }
        String raised = RAISED.get();
        RAISED.remove();
        if (raised != null) {
            throw new ChatTemplateException("chat template '" + name + "' raised: " + raised);
        }
        for (TemplateError e : r.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new ChatTemplateException("chat template '" + name + "' failed at line " + e.getLineno() + ": "
                        + e.getMessage());
            }
        }
        return r.getOutput();
    }

    /** Parses and test-renders once, so a malformed template fails when loaded rather than per row. */
    private void check() {
        Map<String, Object> ctx = new HashMap<>();
        ctx.put("messages", List.of(Map.of("role", "user", "content", "hi")));
        ctx.put("add_generation_prompt", true);
        ctx.put("bos_token", "");
        ctx.put("eos_token", "");
        RAISED.remove();
        RenderResult r = ENGINE.renderForResult(rewritten, ctx);
        RAISED.remove();
        for (TemplateError e : r.getErrors()) {
            // Jinjava reports some malformed input (an end tag without its start, an unclosed
            // {{ ) only as a warning; Jinja2 refuses such templates, so any syntax error counts
            if (e.getReason() == TemplateError.ErrorReason.SYNTAX_ERROR
                    && !e.getMessage().startsWith("Error invoking function 'raise_exception'")) {
                throw new ChatTemplateException("malformed chat template (" + name + ") at line " + e.getLineno() + ": "
                        + e.getMessage());
            }
        }
    }

    /**
     * Jinja2 reads every newline as "\n" and drops one newline at the end of a template
     * ({@code keep_trailing_newline=False}); Jinjava would keep it in the output.
     */
    static String jinja2Source(String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    private static Jinjava newEngine() {
        JinjavaConfig cfg = JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true)
                .withFailOnUnknownTokens(false)
                // Jinja2's behaviour where Jinjava keeps its own by default: {{- x -}} trims whitespace
                // like {%- -%} (Llama 3.1+ templates are written with it), dict literal keys are
                // expressions, None stays in loops
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withEvaluateMapKeys(true)
                        .withKeepNullableLoopValues(true)
                        .build())
                .build();
        Jinjava j = new Jinjava(cfg);
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class,
                "raiseException", Object.class));
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now", ChatTemplate.class,
                "strftimeNow", String.class));
        for (var f : PythonFilters.all()) {
            j.getGlobalContext().registerFilter(f);
        }
        j.getGlobalContext().registerFilter(new PythonJsonFilter()); // replaces Jinjava's compact tojson
        return j;
    }

    /** Jinja's {@code raise_exception(msg)}: remembers the message; rendering then fails with it. */
    public static String raiseException(Object message) {
        RAISED.set(String.valueOf(message));
        throw new IllegalStateException(String.valueOf(message));
    }

    /** {@code strftime_now(fmt)} (Llama 3.1+ templates), for the common directives. */
    public static String strftimeNow(String format) {
        LocalDate d = LocalDate.now();
        String f = format.replace("%d", "dd").replace("%b", "MMM").replace("%B", "MMMM").replace("%Y", "yyyy")
                .replace("%m", "MM").replace("%y", "yy");
        return d.format(DateTimeFormatter.ofPattern(f, Locale.ENGLISH));
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + name + "]";
    }
}
