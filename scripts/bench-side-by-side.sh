#!/usr/bin/env bash
# Side-by-side decode/prefill figures of sparkinfer and llama.cpp on one GGUF, taken in
# alternating rounds so that both see the same machine load (shared 2-core machines drift by
# 30% or more from minute to minute). Prints every round and the best of each side.
#
#   LLAMA_BENCH=/path/to/llama-bench scripts/bench-side-by-side.sh MODEL.gguf [rounds=3] [pp=128] [tg=64] [reps=2]
#
# reps: sparkinfer's bench keeps the best of reps runs after its warm-up. With 1, a run can still
# catch C2 recompiling the forward pass (seen with -XX:+PrintCompilation: tier-3 code of
# Model.forward 5 s into a run), which costs up to 30% of a tg figure.
#
# llama-bench is not part of this project: build llama.cpp yourself, outside this checkout.
# Threads: both sides use all cores (sparkinfer's pool, llama-bench -t $(nproc)).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
model="${1:?usage: LLAMA_BENCH=... $0 MODEL.gguf [rounds] [pp] [tg]}"
rounds="${2:-3}"; pp="${3:-128}"; tg="${4:-64}"; reps="${5:-2}"
: "${LLAMA_BENCH:?set LLAMA_BENCH to a llama-bench binary}"
threads="$(nproc)"
ours_pp=(); ours_tg=(); peer_pp=(); peer_tg=(); r_pp=(); r_tg=()
for r in $(seq 1 "$rounds"); do
  line="$("$here/scripts/engine.sh" bench --model "$model" --pp "$pp" --tg "$tg" --batch 1 --reps "$reps" 2>/dev/null | grep -E '^\| +[0-9]' | tail -1)"
  o_pp="$(echo "$line" | awk -F'|' '{gsub(/ /,"",$7); print $7}')"
  o_tg="$(echo "$line" | awk -F'|' '{gsub(/ /,"",$9); print $9}')"
  p_out="$("$LLAMA_BENCH" -m "$model" -t "$threads" -p "$pp" -n "$tg" -r 1 -o csv 2>/dev/null)"
  p_pp="$(echo "$p_out" | awk -F',' -v n="$pp" '$0 ~ "\"" n "\",\"0\"" {gsub(/"/,"",$(NF-1)); print $(NF-1)}' | tail -1)"
  p_tg="$(echo "$p_out" | awk -F',' -v n="$tg" '$0 ~ "\"0\",\"" n "\"" {gsub(/"/,"",$(NF-1)); print $(NF-1)}' | tail -1)"
  printf 'round %d: sparkinfer pp%s %s tg%s %s | llama.cpp pp%s %s tg%s %s | ratio pp %.2f tg %.2f\n' "$r" "$pp" "$o_pp" "$tg" "$o_tg" "$pp" "$p_pp" "$tg" "$p_tg" \
    "$(echo "$o_pp / $p_pp" | bc -l)" "$(echo "$o_tg / $p_tg" | bc -l)"
  r_pp+=("$(echo "$o_pp / $p_pp" | bc -l)"); r_tg+=("$(echo "$o_tg / $p_tg" | bc -l)")
  ours_pp+=("$o_pp"); ours_tg+=("$o_tg"); peer_pp+=("$p_pp"); peer_tg+=("$p_tg")
done
best() { printf '%s\n' "$@" | sort -g | tail -1; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
bo_pp="$(best "${ours_pp[@]}")"; bo_tg="$(best "${ours_tg[@]}")"
bp_pp="$(best "${peer_pp[@]}")"; bp_tg="$(best "${peer_tg[@]}")"
printf 'best: sparkinfer pp %s tg %s | llama.cpp pp %s tg %s | ratio pp %.2f tg %.2f\n' \
  "$bo_pp" "$bo_tg" "$bp_pp" "$bp_tg" "$(echo "$bo_pp / $bp_pp" | bc -l)" "$(echo "$bo_tg / $bp_tg" | bc -l)"
# The median of the same-round ratios is the steadier figure: each round's two runs share the
# machine's state of that minute, and the best-of-each-side ratio can pair different minutes.
printf 'median of same-round ratios: pp %.2f tg %.2f\n' "$(median "${r_pp[@]}")" "$(median "${r_tg[@]}")"
