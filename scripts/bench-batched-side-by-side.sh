#!/usr/bin/env bash
# Side-by-side batched decode of sparkinfer and llama.cpp on one GGUF: B sequences of pp prompt
# tokens, then tg decode steps of all B at once; the figure compared is S_TG (generated tokens
# per second over all sequences), as llama-batched-bench prints it. Rounds alternate the two
# sides so that both see the same machine load (shared 2-core machines drift by 30% or more
# from minute to minute): read the same-round ratios, and their median.
#
#   LLAMA_BATCHED_BENCH=/path/to/llama-batched-bench scripts/bench-batched-side-by-side.sh MODEL.gguf [rounds=2] [batch=8] [pp=16] [tg=32]
#
# llama-batched-bench is not part of this project: build llama.cpp yourself, outside this checkout.
# Threads: both sides use all cores (sparkinfer's pool, -t $(nproc)).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
model="${1:?usage: LLAMA_BATCHED_BENCH=... $0 MODEL.gguf [rounds] [batch] [pp] [tg]}"
rounds="${2:-2}"; batch="${3:-8}"; pp="${4:-16}"; tg="${5:-32}"
: "${LLAMA_BATCHED_BENCH:?set LLAMA_BATCHED_BENCH to a llama-batched-bench binary}"
threads="$(nproc)"
# The context of earlier sessions' runs (1024), or what the sequences need if more.
ctx=$(( (pp + tg) * batch > 1024 ? (pp + tg) * batch : 1024 ))
# Both tools print a markdown row "| PP | TG | B | N_KV | T_PP | S_PP | T_TG | S_TG | ..."; S_TG is column 9.
s_tg() { grep -E "^\| +$pp +\| +$tg +\| +$batch +\|" | tail -1 | awk -F'|' '{gsub(/ /,"",$9); print $9}'; }
ratios=()
for r in $(seq 1 "$rounds"); do
  ours="$("$here/scripts/engine.sh" bench --model "$model" --pp "$pp" --tg "$tg" --batch "$batch" --reps 2 2>/dev/null | s_tg)"
  peer="$("$LLAMA_BATCHED_BENCH" -m "$model" -c "$ctx" -b 512 -ub 512 -npp "$pp" -ntg "$tg" -npl "$batch" -t "$threads" 2>/dev/null | s_tg)"
  ratio="$(echo "$ours / $peer" | bc -l)"
  ratios+=("$ratio")
  printf 'round %d: batch %d S_TG sparkinfer %s | llama.cpp %s | ratio %.2f\n' "$r" "$batch" "$ours" "$peer" "$ratio"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
printf 'median of same-round ratios: %.2f\n' "$(median "${ratios[@]}")"
