#!/usr/bin/env python3
"""Turns MatmulBenchmark's JMH JSON (-rf json) into GFLOP/s and weight GB/s, with the fraction of
this machine's FP32 peak and memory bandwidth. Usage: report.py results.json [peak_gflops] [peak_gbs]

Two times per row: the JMH mean, and the best measurement iteration. On a machine shared with
other builds the best iteration is the better estimate of what the kernel can do; the mean says
what it did under load."""
import json
import sys

# bytes per element of each weight type (block bytes / block elements)
BYTES_PER_ELEM = {"F32": 4.0, "F16": 2.0, "BF16": 2.0, "Q8_0": 34 / 32, "Q4_0": 18 / 32,
                  "Q4_K": 144 / 256, "Q6_K": 210 / 256}

def main():
    results = json.load(open(sys.argv[1]))
    peak_gflops = float(sys.argv[2]) if len(sys.argv) > 2 else 157.0
    peak_gbs = float(sys.argv[3]) if len(sys.argv) > 3 else 22.0
    rows = []
    for r in results:
        if r["benchmark"].endswith("StreamBenchmark.readAll"):
            best = min(v for fork in r["primaryMetric"]["rawData"] for v in fork)
            print(f"read ceiling (StreamBenchmark, best iteration): {2 ** 28 / (best * 1e3):.1f} GB/s\n")
            continue
        p = r["params"]
        if r["primaryMetric"]["scoreUnit"] != "us/op":
            continue
        us = r["primaryMetric"]["score"]
        best = min(v for fork in r["primaryMetric"]["rawData"] for v in fork)
        n_rows, cols = map(int, p["shape"].split("x"))
        tokens = int(p["nTokens"])
        gflops = 2.0 * n_rows * cols * tokens / (best * 1e3)
        gbs = n_rows * cols * BYTES_PER_ELEM[p["type"]] / (best * 1e3)
        rows.append((p["type"], p["shape"], tokens, p["impl"], us, best, gflops, gbs))
    rows.sort(key=lambda x: (x[0], x[1], x[2], x[3] != "vector"))
    print("| type | rows x cols | nTokens | impl | mean us/op | best us/op | GFLOP/s (best) | % FP32 peak | weights GB/s (best) | % bandwidth |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for t, shape, tokens, impl, us, best, gflops, gbs in rows:
        print(f"| {t} | {shape} | {tokens} | {impl} | {us:,.0f} | {best:,.0f} | {gflops:.1f} | {100 * gflops / peak_gflops:.0f}% "
              f"| {gbs:.1f} | {100 * gbs / peak_gbs:.0f}% |")

if __name__ == "__main__":
    main()
