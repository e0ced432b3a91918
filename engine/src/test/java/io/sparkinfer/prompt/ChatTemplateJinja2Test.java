package io.sparkinfer.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Jinja2 behaviour that real Hugging Face chat templates rely on and Jinjava does differently by
 * default: {@code {{- -}}} trimming (Llama 3.1+), Python-formatted {@code tojson} (tool
 * definitions), the dropped final newline, dict {@code get} with a default, tuple arguments of
 * {@code startswith}/{@code endswith}; malformed templates that Jinjava only warns about; and
 * serialization for broadcasting.
 */
class ChatTemplateJinja2Test {
    private static final List<ChatMessage> CHAT = List.of(
            new ChatMessage("system", "You are a helpful assistant."),
            new ChatMessage("user", "Hello!"),
            new ChatMessage("assistant", "Hi, how can I help?"),
            new ChatMessage("user", "What is 2+2?"));

    private static String r(String src) {
        return ChatTemplate.of(src).render(CHAT, true, "<|begin_of_text|>", "<|eot_id|>");
    }

    @Test
    void dashExpressionsTrimLikeLlama31Templates() {
        String src = """
                {{- bos_token }}
                {%- if messages[0]['role'] == 'system' %}
                    {%- set system_message = messages[0]['content']|trim %}
                    {%- set messages = messages[1:] %}
                {%- else %}
                    {%- set system_message = "" %}
                {%- endif %}
                {%- if not date_string is defined %}
                    {%- set date_string = "26 Jul 2024" %}
                {%- endif %}
                {{- "<|start_header_id|>system<|end_header_id|>\\n\\n" }}
                {{- "Cutting Knowledge Date: December 2023\\n" }}
                {{- "Today Date: " + date_string + "\\n\\n" }}
                {{- system_message }}
                {{- "<|eot_id|>" }}
                {%- for message in messages %}
                    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}
                {%- endfor %}
                {%- if add_generation_prompt %}
                    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
                {%- endif %}
                """;
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\n"
                + "Today Date: 26 Jul 2024\n\nYou are a helpful assistant.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHi, how can I help?<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", r(src));
    }

    @Test
    void tojsonWritesLikePythonJsonDumps() {
        assertEquals("{\"a\": 1, \"b\": [1, 2]}", r("{{ {'a': 1, 'b': [1, 2]} | tojson }}"));
    }

    @Test
    void finalNewlineOfTheTemplateIsDropped() {
        assertEquals("X", r("X\n"));
    }

    @Test
    void dictGetWithDefault() {
        assertEquals("dflt", r("{{ messages[0].get('missing', 'dflt') }}"));
    }

    @Test
    void endTagWithoutStartIsMalformed() {
        assertThrows(ChatTemplateException.class, () -> ChatTemplate.of("{% endif %}"));
    }

    @Test
    void unclosedExpressionIsMalformed() {
        assertThrows(ChatTemplateException.class, () -> ChatTemplate.of("{{ messages[0]['content'] "));
    }

    @Test
    void unclosedForIsMalformed() {
        assertThrows(ChatTemplateException.class, () -> ChatTemplate.of("{% for message in messages %}{{ message['content'] }}"));
    }

    @Test
    void serializableForBroadcast() throws Exception {
        ChatTemplate t = ChatTemplate.builtin("llama2");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(t);
        }
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            ChatTemplate back = (ChatTemplate) in.readObject();
            assertEquals(t.render(CHAT, true, "<s>", "</s>"), back.render(CHAT, true, "<s>", "</s>"));
        }
    }

    @Test
    void filterBindsTighterThanPlus() {
        assertEquals("aSYSTEMb|x .|v", r("{{ 'a' + messages[0]['role'] | upper + 'b' }}|{{ ' x '.lstrip() }}.|{{ {'k': 'v'}['k'] }}"));
    }

    @Test
    void dictItems() {
        assertEquals("role=6;content=28;", r("{% for k, v in messages[0].items() %}{{ k }}={{ v | length }};{% endfor %}"));
    }

    @Test
    void trimBlocksAndLstripBlocks() {
        String src = "{% for message in messages %}\n    {% if message.role == 'user' %}\nU: {{ message.content }}\n    {% else %}\nA: {{ message.content }}\n    {% endif %}\n{% endfor %}\n";
        assertEquals("A: You are a helpful assistant.\nU: Hello!\nA: Hi, how can I help?\nU: What is 2+2?\n", r(src));
    }

    @Test
    void tojsonIndentAndEscapes() {
        assertEquals("{\n  \"n\": \"say \\\"hi\\\"\\n\"\n}", r("{{ {'n': 'say \"hi\"\\n'} | tojson(indent=2) }}"));
    }

    @Test
    void endswithTuple() {
        assertEquals("true", r("{{ messages[1].content.endswith(('?', '!')) }}"));
    }
}
