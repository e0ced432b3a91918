package io.sparkinfer.tokenizer;

import java.util.List;
import java.util.Locale;

/**
 * The word splitter a byte-level BPE vocabulary names in {@code tokenizer.ggml.pre}: a chain of
 * stages, each splitting the segments of the one before (llama.cpp's table of regexes per
 * pre-tokenizer type). GPT-2 and Llama 3 style patterns use hand-written matchers; the rest run
 * their regexes like llama.cpp does ({@link RegexSplitter}).
 */
final class PreTokenizer {
    static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";

    private final String name;
    private final List<Splitter> stages;
    private final boolean ignoreMerges;
    private final boolean addBos;

    private PreTokenizer(String name, List<Splitter> stages, boolean ignoreMerges, boolean addBos) {
        this.name = name;
        this.stages = stages;
        this.ignoreMerges = ignoreMerges;
        this.addBos = addBos;
    }

    String name() {
        return name;
    }

    /** Whether a word that is itself a token skips the merges (Llama 3 family). */
    boolean ignoreMerges() {
        return ignoreMerges;
    }

    /** The BOS default for this family when the file does not say. */
    boolean addBosByDefault() {
        return addBos;
    }

    /** Splits codepoints into words; returns their lengths in codepoints. */
    IntList split(int[] cps) {
        IntList segments = new IntList(1);
        segments.add(cps.length);
        for (Splitter s : stages) {
            segments = s.split(cps, segments);
        }
        return segments;
    }

    /**
     * The pre-tokenizer for a {@code tokenizer.ggml.pre} value; a missing one (old conversions,
     * e.g. GPT-NeoX) means llama.cpp's "default". Unknown names are an error naming them.
     */
    static PreTokenizer forName(String pre) {
        String n = pre == null || pre.isEmpty() ? "default" : pre.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "default" -> new PreTokenizer(n, List.of(
                    new RegexSplitter("[\\p{P}\\$\\+<=>\\^~\\|]+"), new Gpt2Splitter(),
                    new NumberSplitter(true), new RegexSplitter("[0-9][0-9][0-9]")), false, false);
            case "gpt-2", "gpt2", "phi-2", "mpt", "olmo", "jais", "jina-es", "jina-de", "jina-v2-es", "jina-v2-de",
                    "jina-v1-en", "jina-v2-code", "roberta-bpe", "gigachat", "exaone4", "mellum", "a.x-4.0",
                    "trillion", "granite-docling", "modern-bert" ->
                    new PreTokenizer(n, List.of(new Gpt2Splitter()), false, false);
            case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2" ->
                    new PreTokenizer(n, List.of(new Llama3Splitter(3)), true, true);
            case "dbrx", "smaug-bpe", "chatglm-bpe", "glm4" -> new PreTokenizer(n, List.of(new Llama3Splitter(3)), false, false);
            case "qwen2", "deepseek-r1-qwen", "stablelm2", "megrez", "hunyuan" ->
                    new PreTokenizer(n, List.of(new Llama3Splitter(1)), false, false);
            case "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b" ->
                    new PreTokenizer(n, List.of(new NumberSplitter(false), new Gpt2Splitter()), false, false);
            case "falcon" -> new PreTokenizer(n, List.of(
                    new RegexSplitter("[\\p{P}\\$\\+<=>\\^~\\|`]+"), new Gpt2Splitter(),
                    new RegexSplitter("[0-9][0-9][0-9]")), false, false);
            case "deepseek-llm" -> new PreTokenizer(n, List.of(
                    new RegexSplitter("[\r\n]"),
                    new RegexSplitter("\\s?[A-Za-z\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA\u01BC-\u01BF\u01C4-\u0293\u0295-\u02AF\u0370-\u0373\u0376\u0377\u037B-\u037D\u037F\u0386\u0388-\u038A\u038C\u038E-\u03A1\u03A3-\u03F5\u03F7-\u0481\u048A-\u052F\u0531-\u0556\u10A0-\u10C5\u13A0-\u13F5\u13F8-\u13FD\u1C90-\u1CBA\u1CBD-\u1CBF\u1D00-\u1D2B\u1D6B-\u1D77\u1D79-\u1D9A\u1E00-\u1F15\u1F18-\u1F1D\u1F20-\u1F45\u1F48-\u1F4D\u1F50-\u1F57\u1F59\u1F5B\u1F5D\u1F5F-\u1F7D\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE\u1FC2-\u1FC4\u1FC6-\u1FCC\u1FD0-\u1FD3\u1FD6-\u1FDB\u1FE0-\u1FEC\u1FF2-\u1FF4\u1FF6-\u1FFC\u2102\u2107\u210A-\u2113\u2115\u2119-\u211D\u2124\u2126\u2128\u212A-\u212D\u212F-\u2134\u2139\u213C-\u213F\u2145-\u2149\u214E\u2183\u2184\u2C00-\u2C7B\u2C7E-\u2CE4\u2CEB-\u2CEE\u2CF2\u2CF3\uA640-\uA66D\uA680-\uA69B\uA722-\uA76F\uA771-\uA787\uA78B-\uA78E\uAB70-\uABBF\uFB00-\uFB06\uFB13-\uFB17\uFF21-\uFF3A\uFF41-\uFF5A\uD801\uDC00-\uD801\uDC4F\uD801\uDCB0-\uD801\uDCD3\uD801\uDCD8-\uD801\uDCFB\uD803\uDC80-\uD803\uDCB2\uD803\uDCC0-\uD803\uDCF2\uD806\uDCA0-\uD806\uDCDF\uD83A\uDD00-\uD83A\uDD43]+"),
                    new RegexSplitter("\\s?[!-/:-~\uFF01-\uFF0F\uFF1A-\uFF5E\u2018-\u201F\u3000-\u3002]+"),
                    new RegexSplitter("\\s+$"),
                    new RegexSplitter("[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+"),
                    new RegexSplitter("\\p{N}+")), false, false);
            case "deepseek-coder" -> new PreTokenizer(n, List.of(
                    new RegexSplitter("[\r\n]"),
                    new RegexSplitter("\\s?\\p{L}+"),
                    new RegexSplitter("\\s?\\p{P}+"),
                    new RegexSplitter("[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+"),
                    new RegexSplitter("\\p{N}")), false, false);
            case "poro-chat", "bloom", "gpt3-finnish" -> new PreTokenizer(n, List.of(
                    new RegexSplitter(" ?[^(\\s|.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C)]+")), false, false);
            case "viking" -> new PreTokenizer(n, List.of(
                    new RegexSplitter(" ?[^(\\s|.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C)]+"), new RegexSplitter("\\p{N}")), false, false);
            case "tekken" -> new PreTokenizer(n, List.of(new RegexSplitter(
                    "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")),
                    true, true);
            default -> throw new TokenizerException("unsupported pre-tokenizer '" + pre
                    + "' (tokenizer.ggml.pre); supported: default, gpt-2, llama3/llama-bpe, qwen2, starcoder, refact,"
                    + " command-r, smollm, deepseek-llm, deepseek-coder, falcon, mpt, olmo, dbrx, stablelm2, poro-chat,"
                    + " bloom, viking, tekken and their aliases");
        };
    }
}
