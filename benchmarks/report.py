#!/usr/bin/env python3
"""Turns MatmulBenchmark's JMH JSON (-rf json) into GFLOP/s and weight GB/s, with the fraction of
this machine's FP32 peak and memory bandwidth. Usage: report.py results.json [peak_gflops] [peak_gbs]

Per row: the JMH mean wall time, the best measurement iteration, and (runs with -p threads=1 only)
the CPU time per call of the benchmark thread. On a machine shared with other builds the best
iteration, and better still the CPU time, estimate what the kernel can do; the mean says what it
did under that load. Rates are computed from the best iteration, and from CPU time when present
(then per core: compare with peak / cores)."""
import json
import sys

# bytes per element of each weight type (block bytes / block elements)
BYTES_PER_ELEM = {"F32": 4.0, "F16": 2.0, "BF16": 2.0, "Q8_0": 34 / 32, "Q4_0": 18 / 32,
                  "Q4_K": 144 / 256, "Q6_K": 210 / 256}


def best_of(metric):
    return min(v for fork in metric["rawData"] for v in fork)


def main():
    results = json.load(open(sys.argv[1]))
    # Measured on the 2-core Zen 5 dev machine (session 2): 2 x ~220 GFLOP/s of 512-bit FMA, and
    # ~70 GB/s read with 2 threads (~39 with one). The issue text assumed 157 and 22.
    peak_gflops = float(sys.argv[2]) if len(sys.argv) > 2 else 440.0
    peak_gbs = float(sys.argv[3]) if len(sys.argv) > 3 else 70.0
    rows = []
    for r in results:
        if r["benchmark"].endswith("StreamBenchmark.readAll"):
            print(f"read ceiling (StreamBenchmark, best iteration): {2 ** 28 / (best_of(r['primaryMetric']) * 1e3):.1f} GB/s\n")
            continue
        p = r["params"]
        us, best = r["primaryMetric"]["score"], best_of(r["primaryMetric"])
        sec = r.get("secondaryMetrics", {})
        cpu_us = None
        if p.get("threads") == "1" and "cpuNanos" in sec and sec["calls"]["score"] > 0:
            cpu_us = sec["cpuNanos"]["score"] / sec["calls"]["score"] / 1e3
        n_rows, cols = map(int, p["shape"].split("x"))
        tokens = int(p["nTokens"])
        t = cpu_us if cpu_us else best
        gflops = 2.0 * n_rows * cols * tokens / (t * 1e3)
        gbs = n_rows * cols * BYTES_PER_ELEM[p["type"]] / (t * 1e3)
        rows.append((p["type"], p["shape"], tokens, p["impl"], p.get("threads", "0"), us, best, cpu_us, gflops, gbs))
    rows.sort(key=lambda x: (x[0], x[1], x[2], x[3] != "vector", x[4]))
    print("| type | rows x cols | nTokens | impl | threads | mean us/op | best us/op | cpu us/op | GFLOP/s | % FP32 peak | weights GB/s | % bandwidth |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for t, shape, tokens, impl, threads, us, best, cpu_us, gflops, gbs in rows:
        cpu = f"{cpu_us:,.0f}" if cpu_us else "-"
        print(f"| {t} | {shape} | {tokens} | {impl} | {threads} | {us:,.0f} | {best:,.0f} | {cpu} | {gflops:.1f} "
              f"| {100 * gflops / peak_gflops:.0f}% | {gbs:.1f} | {100 * gbs / peak_gbs:.0f}% |")


if __name__ == "__main__":
    main()
