package io.sparkinfer.tasks;

import java.util.Locale;

/**
 * Pairwise LLM-as-judge with position-bias control: each pair is judged twice, answers swapped,
 * and a winner is declared only when both orders agree; the answer-length difference is reported
 * beside the verdict so length bias can be seen.
 */
public final class PairwiseJudge {
    private PairwiseJudge() {
    }

    public enum Verdict { A, B, TIE }

    /** The combined outcome for (answer1, answer2) in the caller's order. */
    public record Outcome(Verdict verdict, Verdict firstOrder, Verdict secondOrderMappedBack, boolean consistent,
                          int lengthDifferenceWords) {
    }

    public static final String DEFAULT_RUBRIC = "Judge which answer is more helpful, correct and relevant to the question. "
            + "Ignore the order of the answers and do not prefer an answer for being longer.";

    public static String prompt(String question, String answerA, String answerB, String rubric) {
        return "You are an impartial judge. " + (rubric == null || rubric.isBlank() ? DEFAULT_RUBRIC : rubric) + "\n\n"
                + "Question: " + question + "\n\n"
                + "Answer A: " + answerA + "\n\n"
                + "Answer B: " + answerB + "\n\n"
                + "Reply with exactly one of: A, B, tie.\nVerdict:";
    }

    /** Reads A / B / tie from the start of a judge's completion; anything else is a tie. */
    public static Verdict parse(String completion) {
        String s = completion == null ? "" : completion.strip().toLowerCase(Locale.ROOT);
        if (s.startsWith("tie")) {
            return Verdict.TIE;
        }
        if (s.startsWith("a")) {
            return Verdict.A;
        }
        if (s.startsWith("b")) {
            return Verdict.B;
        }
        return Verdict.TIE;
    }

    /**
     * @param first  verdict with answer1 shown as A
     * @param second verdict with answer2 shown as A (answers swapped)
     */
    public static Outcome combine(Verdict first, Verdict second, String answer1, String answer2) {
        Verdict back = switch (second) {
            case A -> Verdict.B;
            case B -> Verdict.A;
            case TIE -> Verdict.TIE;
        };
        boolean consistent = first == back;
        Verdict v = consistent ? first : Verdict.TIE;
        return new Outcome(v, first, back, consistent, words(answer1) - words(answer2));
    }

    static int words(String s) {
        return s == null || s.isBlank() ? 0 : s.strip().split("\\s+").length;
    }
}
