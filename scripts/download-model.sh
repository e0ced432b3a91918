#!/usr/bin/env bash
# Downloads a GGUF model from a model hub into ./models (for users with internet; tests never
# call it). The URL comes from a template, so any hub or mirror works:
#
#   scripts/download-model.sh                                   # the default below
#   scripts/download-model.sh REPO FILE [REVISION]
#   MODEL_URL_TEMPLATE='https://mirror.example/{repo}/{revision}/{file}' scripts/download-model.sh REPO FILE
#   HF_TOKEN=...  for gated repositories (sent as a bearer token)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="${1:-Qwen/Qwen2.5-0.5B-Instruct-GGUF}"
file="${2:-qwen2.5-0.5b-instruct-q8_0.gguf}"
rev="${3:-main}"
template="${MODEL_URL_TEMPLATE:-https://huggingface.co/{repo}/resolve/{revision}/{file}}"
url="${template//\{repo\}/$repo}"; url="${url//\{revision\}/$rev}"; url="${url//\{file\}/$file}"
mkdir -p "$here/models"
out="$here/models/$file"
auth=()
[ -n "${HF_TOKEN:-}" ] && auth=(-H "Authorization: Bearer $HF_TOKEN")
echo "downloading $url -> $out" >&2
curl -fL --retry 3 -C - "${auth[@]}" -o "$out.part" "$url"
mv "$out.part" "$out"
echo "$out"
