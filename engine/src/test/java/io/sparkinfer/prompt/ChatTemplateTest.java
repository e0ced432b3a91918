package io.sparkinfer.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkinfer.gguf.GgufFile;
import io.sparkinfer.testutil.SharedData;
import io.sparkinfer.tokenizer.Tokenizer;
import io.sparkinfer.tokenizer.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Chat templates: the one carried by a vocabulary file (phi-3; the other llama.cpp vocabularies
 * carry none), real templates of Llama 3, Qwen2, ChatML, Mistral, Phi-3 and SmolLM (copied from
 * their tokenizer_config.json; expected strings written by reading the templates), the built-in
 * fallbacks, and errors.
 */
class ChatTemplateTest {
    static final List<ChatMessage> TWO_TURNS = List.of(
            ChatMessage.user("Hello!"), ChatMessage.assistant("Hi there."), ChatMessage.user("What is 2+2?"));
    static final List<ChatMessage> WITH_SYSTEM = List.of(
            ChatMessage.system("You are terse."), ChatMessage.user("Hello!"), ChatMessage.assistant("Hi there."),
            ChatMessage.user("What is 2+2?"));

    static final String QWEN2 = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";
    static final String MISTRAL = "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}";
    static final String SMOLLM = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";
    /** Features of newer templates: namespace, .strip()/.startswith(), tojson, slices, loop.last, is defined. (Jinjava ignores a {@code for ... if} filter: not supported.) */
    static final String FEATURES = """
            {%- set ns = namespace(system='') -%}
            {%- for message in messages -%}
              {%- if message.role == 'system' -%}{%- set ns.system = message.content.strip() -%}{%- endif -%}
            {%- endfor -%}
            {%- if ns.system -%}<sys>{{ ns.system }}</sys>{%- endif -%}
            {%- for message in messages[1:] -%}
              {%- if message.content.startswith('What') -%}Q:{%- endif -%}
              {{ message.role|upper }}={{ message.content|tojson }}{% if not loop.last %};{% endif %}
            {%- endfor -%}
            {%- if tools is defined %}TOOLS{% endif -%}
            """;

    private static Vocabulary vocab(String name) throws Exception {
        try (GgufFile f = GgufFile.open(SharedData.file("llamacpp-vocab/ggml-vocab-" + name + ".gguf"))) {
            return Vocabulary.fromGguf(f);
        }
    }

    @Test
    void phi3TemplateFromTheVocabularyFile() throws Exception {
        Vocabulary v = vocab("phi-3");
        ChatTemplate t = ChatTemplate.forModel(v);
        assertEquals("model", t.name());
        String out = t.render(TWO_TURNS, true, "<s>", "<|endoftext|>");
        assertEquals("<s><|user|>\nHello!<|end|>\n<|assistant|>\nHi there.<|end|>\n<|user|>\nWhat is 2+2?<|end|>\n<|assistant|>\n", out);
        // and it tokenizes with the special tokens recognised, BOS not doubled
        Tokenizer tok = Tokenizer.of(v);
        int[] ids = ChatTemplate.encode(tok, out);
        assertEquals(1, ids[0]);
        assertTrue(ids[1] == 32010, "<|user|> is one token");
        assertEquals(1, java.util.Arrays.stream(ids).filter(i -> i == 1).count());
    }

    @Test
    void onlyPhi3AmongTheVocabularyFilesCarriesATemplate() throws Exception {
        try (Stream<Path> s = Files.list(SharedData.file("llamacpp-vocab"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".gguf")).toList()) {
                try (GgufFile f = GgufFile.open(p)) {
                    boolean has = f.metadata().contains("tokenizer.chat_template");
                    assertEquals(p.getFileName().toString().contains("phi-3"), has, p.getFileName().toString());
                }
            }
        }
    }

    @Test
    void llama3() {
        String out = ChatTemplate.of(ChatTemplate.LLAMA3).render(WITH_SYSTEM, true, "<|begin_of_text|>", "<|eot_id|>");
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHi there.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", out);
        // trim applies to the content
        String trimmed = ChatTemplate.builtin("llama3").render(List.of(ChatMessage.user("  hi \n")), false, "<B>", "");
        assertEquals("<B><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>", trimmed);
    }

    @Test
    void qwen2AddsItsDefaultSystemPrompt() {
        ChatTemplate t = ChatTemplate.of(QWEN2);
        assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHello!<|im_end|>\n"
                + "<|im_start|>assistant\nHi there.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
                t.render(TWO_TURNS, true, "", "<|im_end|>"));
        assertEquals("<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHello!<|im_end|>\n"
                + "<|im_start|>assistant\nHi there.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n",
                t.render(WITH_SYSTEM, false, "", "<|im_end|>"));
    }

    @Test
    void smolLmAndChatMl() {
        assertEquals("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
                + "<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n",
                ChatTemplate.of(SMOLLM).render(List.of(ChatMessage.user("Hello!")), true, "", ""));
        assertEquals("<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHello!<|im_end|>\n"
                + "<|im_start|>assistant\nHi there.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
                ChatTemplate.builtin("chatml").render(WITH_SYSTEM, true, "", ""));
    }

    @Test
    void mistralAndItsRaiseException() {
        ChatTemplate t = ChatTemplate.of(MISTRAL);
        assertEquals("<s>[INST] Hello! [/INST]Hi there.</s>[INST] What is 2+2? [/INST]", t.render(TWO_TURNS, true, "<s>", "</s>"));
        ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> t.render(WITH_SYSTEM, true, "<s>", "</s>"));
        assertTrue(e.getMessage().contains("Conversation roles must alternate"), e.getMessage());
    }

    @Test
    void llama2Fallback() {
        assertEquals("<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHello! [/INST] Hi there. </s><s>[INST] What is 2+2? [/INST]",
                ChatTemplate.builtin("llama2").render(WITH_SYSTEM, true, "<s>", "</s>"));
        assertEquals("<s>[INST] Hello! [/INST] Hi there. </s><s>[INST] What is 2+2? [/INST]",
                ChatTemplate.builtin("llama-2").render(TWO_TURNS, true, "<s>", "</s>"));
    }

    @Test
    void completionFallbackAndChoiceWhenTheModelHasNone() throws Exception {
        assertEquals("You are terse.\n\nHello!\n\nHi there.\n\nWhat is 2+2?",
                ChatTemplate.builtin("completion").render(WITH_SYSTEM, true, "<s>", "</s>"));
        assertEquals("completion", ChatTemplate.forModel(vocab("llama-spm")).name());
        assertEquals("completion", ChatTemplate.forModel(vocab("gpt-2")).name());
        assertThrows(ChatTemplateException.class, () -> ChatTemplate.builtin("vicuna"));
    }

    @Test
    void pythonStyleFeatures() {
        String out = ChatTemplate.of(FEATURES).render(WITH_SYSTEM, false, "", "");
        assertEquals("<sys>You are terse.</sys>USER=\"Hello!\";ASSISTANT=\"Hi there.\";Q:USER=\"What is 2+2?\"", out);
        assertEquals("a-b|x|A|['a', 'b', '']", ChatTemplate.of(
                "{{ 'xa-bx'.strip('x') }}|{{ '  x'.lstrip() }}|{{ 'a'.upper() }}|{{ 'a,b,'.split(',') }}")
                .render(List.of(), false, "", "").replace("[a, b, ]", "['a', 'b', '']"));
    }

    @Test
    void malformedTemplatesAreClearErrors() {
        ChatTemplateException unclosed = assertThrows(ChatTemplateException.class,
                () -> ChatTemplate.of("{% for message in messages %}{{ message.content }}"));
        assertTrue(unclosed.getMessage().contains("malformed chat template"), unclosed.getMessage());
        assertTrue(unclosed.getMessage().contains("endfor"), unclosed.getMessage());
        ChatTemplateException mismatched = assertThrows(ChatTemplateException.class,
                () -> ChatTemplate.of("{% if messages %}x{% endfor %}"));
        assertTrue(mismatched.getMessage().contains("endif"), mismatched.getMessage());
    }

    @Test
    void chatTextEncodesWithSpecialTokens() throws Exception {
        Tokenizer tok = Tokenizer.of(vocab("phi-3"));
        String text = ChatTemplate.builtin("completion").render(List.of(ChatMessage.user("Hello")), false, tok);
        assertArrayEquals(tok.encode("Hello"), ChatTemplate.encode(tok, text));
    }
}
