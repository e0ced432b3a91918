package io.sparkinfer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkinfer.gguf.GgufValue;
import io.sparkinfer.gguf.GgufWriter;
import io.sparkinfer.kernels.Kernels;
import io.sparkinfer.kernels.KernelsProvider;
import io.sparkinfer.kernels.ScalarKernels;
import io.sparkinfer.tensor.GGMLType;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * qwen2 (q/k/v biases, NEOX RoPE), qwen3 (per-head q/k RMSNorm, head dim apart from dim/heads) and
 * llama with GQA and an untied classifier, each checked on a tiny random model against a direct
 * double-precision implementation of the Hugging Face formulas written independently here.
 */
class QwenArchitecturesTest {
    static final int DIM = 32, HIDDEN = 48, LAYERS = 2, HEADS = 4, KV_HEADS = 2, VOCAB = 40;
    static final int[] TOKENS = {3, 17, 5, 39, 0, 22, 8};

    @TempDir
    Path tmp;

    record Tiny(String arch, int headDim, boolean bias, boolean qkNorm, boolean neox, Map<String, float[]> w) {
    }

    private Tiny build(String arch, int headDim, boolean bias, boolean qkNorm, boolean neox, Path out) {
        SplittableRandom rnd = new SplittableRandom(arch.hashCode());
        Map<String, float[]> w = new HashMap<>();
        Map<String, long[]> dims = new java.util.LinkedHashMap<>();
        int q = HEADS * headDim, kv = KV_HEADS * headDim;
        dims.put("token_embd.weight", new long[] {DIM, VOCAB});
        for (int l = 0; l < LAYERS; l++) {
            String p = "blk." + l + ".";
            dims.put(p + "attn_norm.weight", new long[] {DIM});
            dims.put(p + "attn_q.weight", new long[] {DIM, q});
            dims.put(p + "attn_k.weight", new long[] {DIM, kv});
            dims.put(p + "attn_v.weight", new long[] {DIM, kv});
            if (bias) {
                dims.put(p + "attn_q.bias", new long[] {q});
                dims.put(p + "attn_k.bias", new long[] {kv});
                dims.put(p + "attn_v.bias", new long[] {kv});
            }
            if (qkNorm) {
                dims.put(p + "attn_q_norm.weight", new long[] {headDim});
                dims.put(p + "attn_k_norm.weight", new long[] {headDim});
            }
            dims.put(p + "attn_output.weight", new long[] {q, DIM});
            dims.put(p + "ffn_norm.weight", new long[] {DIM});
            dims.put(p + "ffn_gate.weight", new long[] {DIM, HIDDEN});
            dims.put(p + "ffn_up.weight", new long[] {DIM, HIDDEN});
            dims.put(p + "ffn_down.weight", new long[] {HIDDEN, DIM});
        }
        dims.put("output_norm.weight", new long[] {DIM});
        dims.put("output.weight", new long[] {DIM, VOCAB});
        GgufWriter gw = new GgufWriter()
                .put("general.architecture", GgufValue.string(arch))
                .put(arch + ".embedding_length", GgufValue.uint32(DIM))
                .put(arch + ".feed_forward_length", GgufValue.uint32(HIDDEN))
                .put(arch + ".block_count", GgufValue.uint32(LAYERS))
                .put(arch + ".attention.head_count", GgufValue.uint32(HEADS))
                .put(arch + ".attention.head_count_kv", GgufValue.uint32(KV_HEADS))
                .put(arch + ".attention.key_length", GgufValue.uint32(headDim))
                .put(arch + ".context_length", GgufValue.uint32(64))
                .put(arch + ".rope.freq_base", GgufValue.float32(1000f))
                .put(arch + ".attention.layer_norm_rms_epsilon", GgufValue.float32(1e-6f));
        dims.forEach((name, d) -> {
            int n = (int) (d.length == 1 ? d[0] : d[0] * d[1]);
            float[] v = new float[n];
            boolean norm = name.contains("norm");
            for (int i = 0; i < n; i++) {
                v[i] = norm ? (float) (1 + 0.2 * rnd.nextGaussian()) : (float) (0.3 * rnd.nextGaussian());
            }
            w.put(name, v);
            gw.addTensor(name, GGMLType.F32, d, MemorySegment.ofArray(v));
        });
        gw.write(out);
        return new Tiny(arch, headDim, bias, qkNorm, neox, w);
    }

    @Test
    void qwen2MatchesReference() {
        check(build("qwen2", DIM / HEADS, true, false, true, tmp.resolve("qwen2.gguf")), tmp.resolve("qwen2.gguf"));
    }

    @Test
    void qwen3MatchesReference() {
        check(build("qwen3", 16, false, true, true, tmp.resolve("qwen3.gguf")), tmp.resolve("qwen3.gguf"));
    }

    @Test
    void llamaWithGqaAndUntiedOutputMatchesReference() {
        check(build("llama", DIM / HEADS, false, false, false, tmp.resolve("llama.gguf")), tmp.resolve("llama.gguf"));
    }

    private void check(Tiny t, Path file) {
        double[][] expected = reference(t);
        for (Kernels k : new Kernels[] {new ScalarKernels(), KernelsProvider.get()}) {
            try (LoadedModel m = LoadedModel.open(file, k)) {
                int n = TOKENS.length;
                int[] pos = new int[n], slots = new int[n];
                boolean[] want = new boolean[n];
                for (int i = 0; i < n; i++) {
                    pos[i] = i;
                    want[i] = true;
                }
                float[] logits = m.model().forward(new ForwardBatch(TOKENS, pos, slots, want), m.model().newKvCache(1, 16));
                for (int i = 0; i < n; i++) {
                    for (int v = 0; v < VOCAB; v++) {
                        assertEquals(expected[i][v], logits[i * VOCAB + v], 2e-3 * (1 + Math.abs(expected[i][v])),
                                t.arch() + "/" + k.name() + " token " + i + " logit " + v);
                    }
                }
            }
        }
    }

    /** The model in double precision, straight from the formulas. */
    private static double[][] reference(Tiny t) {
        int n = TOKENS.length, hd = t.headDim(), q = HEADS * hd, kvd = KV_HEADS * hd;
        Map<String, float[]> w = t.w();
        double[][] x = new double[n][DIM];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < DIM; d++) {
                x[i][d] = w.get("token_embd.weight")[TOKENS[i] * DIM + d];
            }
        }
        for (int l = 0; l < LAYERS; l++) {
            String p = "blk." + l + ".";
            double[][] qs = new double[n][], ks = new double[n][], vs = new double[n][];
            for (int i = 0; i < n; i++) {
                double[] h = rms(x[i], w.get(p + "attn_norm.weight"), 1e-6);
                qs[i] = lin(w.get(p + "attn_q.weight"), h, q, t.bias() ? w.get(p + "attn_q.bias") : null);
                ks[i] = lin(w.get(p + "attn_k.weight"), h, kvd, t.bias() ? w.get(p + "attn_k.bias") : null);
                vs[i] = lin(w.get(p + "attn_v.weight"), h, kvd, t.bias() ? w.get(p + "attn_v.bias") : null);
                for (int hh = 0; hh < HEADS; hh++) {
                    headTransform(qs[i], hh * hd, hd, i, t, t.qkNorm() ? w.get(p + "attn_q_norm.weight") : null);
                }
                for (int hh = 0; hh < KV_HEADS; hh++) {
                    headTransform(ks[i], hh * hd, hd, i, t, t.qkNorm() ? w.get(p + "attn_k_norm.weight") : null);
                }
            }
            for (int i = 0; i < n; i++) {
                double[] att = new double[q];
                for (int hh = 0; hh < HEADS; hh++) {
                    int kvh = hh / (HEADS / KV_HEADS);
                    double[] s = new double[i + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        for (int d = 0; d < hd; d++) {
                            s[j] += qs[i][hh * hd + d] * ks[j][kvh * hd + d];
                        }
                        s[j] /= Math.sqrt(hd);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= i; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int j = 0; j <= i; j++) {
                        for (int d = 0; d < hd; d++) {
                            att[hh * hd + d] += s[j] / sum * vs[j][kvh * hd + d];
                        }
                    }
                }
                double[] o = lin(w.get(p + "attn_output.weight"), att, DIM, null);
                for (int d = 0; d < DIM; d++) {
                    x[i][d] += o[d];
                }
                double[] h = rms(x[i], w.get(p + "ffn_norm.weight"), 1e-6);
                double[] g = lin(w.get(p + "ffn_gate.weight"), h, HIDDEN, null);
                double[] u = lin(w.get(p + "ffn_up.weight"), h, HIDDEN, null);
                for (int d = 0; d < HIDDEN; d++) {
                    g[d] = g[d] / (1 + Math.exp(-g[d])) * u[d];
                }
                double[] down = lin(w.get(p + "ffn_down.weight"), g, DIM, null);
                for (int d = 0; d < DIM; d++) {
                    x[i][d] += down[d];
                }
            }
        }
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            out[i] = lin(w.get("output.weight"), rms(x[i], w.get("output_norm.weight"), 1e-6), VOCAB, null);
        }
        return out;
    }

    private static void headTransform(double[] v, int off, int hd, int pos, Tiny t, float[] norm) {
        if (norm != null) {
            double[] seg = java.util.Arrays.copyOfRange(v, off, off + hd);
            double[] r = rms(seg, norm, 1e-6);
            System.arraycopy(r, 0, v, off, hd);
        }
        int half = hd / 2;
        for (int i = 0; i < half; i++) {
            double angle = pos * Math.pow(1000.0, -2.0 * i / hd);
            int a = t.neox() ? off + i : off + 2 * i;
            int b = t.neox() ? off + i + half : off + 2 * i + 1;
            double x0 = v[a], x1 = v[b];
            v[a] = x0 * Math.cos(angle) - x1 * Math.sin(angle);
            v[b] = x0 * Math.sin(angle) + x1 * Math.cos(angle);
        }
    }

    private static double[] rms(double[] x, float[] w, double eps) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double inv = 1 / Math.sqrt(ss / x.length + eps);
        double[] o = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            o[i] = x[i] * inv * w[i];
        }
        return o;
    }

    private static double[] lin(float[] w, double[] x, int rows, float[] bias) {
        double[] o = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = bias == null ? 0 : bias[r];
            for (int c = 0; c < x.length; c++) {
                s += w[r * x.length + c] * x[c];
            }
            o[r] = s;
        }
        return o;
    }
}
