package io.sparkinfer.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PromptBuilderTest {
    private final PromptBuilder sentiment = PromptBuilder.instruction("Classify the sentiment as positive or negative.")
            .withLabels("Review", "Sentiment")
            .withExample("A delight from start to finish.", "positive")
            .withExample("Dull and far too long.", "negative");

    @Test
    void fewShotPlainText() {
        assertEquals("""
                Classify the sentiment as positive or negative.

                Review: A delight from start to finish.
                Sentiment: positive

                Review: Dull and far too long.
                Sentiment: negative

                Review: I loved it.
                Sentiment:""", sentiment.build("I loved it."));
    }

    @Test
    void fewShotAsChatTurns() {
        assertEquals(List.of(ChatMessage.system("Classify the sentiment as positive or negative."),
                ChatMessage.user("A delight from start to finish."), ChatMessage.assistant("positive"),
                ChatMessage.user("Dull and far too long."), ChatMessage.assistant("negative"),
                ChatMessage.user("I loved it.")), sentiment.messages("I loved it."));
        String chat = ChatTemplate.builtin("chatml").render(sentiment.messages("I loved it."), true, "", "");
        assertEquals("<|im_start|>system\nClassify the sentiment as positive or negative.<|im_end|>\n"
                + "<|im_start|>user\nA delight from start to finish.<|im_end|>\n<|im_start|>assistant\npositive<|im_end|>\n"
                + "<|im_start|>user\nDull and far too long.<|im_end|>\n<|im_start|>assistant\nnegative<|im_end|>\n"
                + "<|im_start|>user\nI loved it.<|im_end|>\n<|im_start|>assistant\n", chat);
    }

    @Test
    void zeroShotChainOfThoughtInTwoSteps() {
        PromptBuilder cot = PromptBuilder.instruction("").withLabels("Q", "A").withChainOfThought(true);
        String first = cot.build("If I have 3 apples and eat one, how many are left?");
        assertEquals("Q: If I have 3 apples and eat one, how many are left?\nA: Let's think step by step.", first);
        String second = PromptBuilder.answerExtraction(first, " I had 3 and ate 1, so 3 - 1 = 2.\n");
        assertEquals(first + " I had 3 and ate 1, so 3 - 1 = 2. Therefore, the answer is", second);
        assertEquals(ChatMessage.user("Why?\n\nLet's think step by step."), cot.messages("Why?").getLast());
        assertEquals("<|im_start|>assistant\nIt is 2. Therefore, the answer is",
                PromptBuilder.answerExtraction("<|im_start|>assistant\n", "It is 2."));
    }
}
