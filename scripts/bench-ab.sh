#!/usr/bin/env bash
# A/B of two builds of the engine jar on one model, for kernel changes: runs `bench` with jar A,
# then jar B, then B, then A, ... (each pair in both orders) and prints one line per run.
#
#   scripts/bench-ab.sh A.jar B.jar MODEL.gguf [pairs=2] [pp=64] [tg=64] [batch=1] [reps=2]
#
# Why both orders: on the shared 2-core machines the second run of a pair was measurably
# favoured or penalised for minutes at a time (session 4: a change "lost" 5% in A-then-B order
# and won 4% in B-then-A). Read a change as a gain only if it wins in both orders.
# Make the jars with `mvn -B -q -pl engine package -DskipTests` and copy
# engine/target/sparkinfer-engine-*.jar aside before and after the change.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
a="${1:?usage: $0 A.jar B.jar MODEL.gguf [pairs] [pp] [tg] [batch] [reps]}"
b="${2:?B.jar}"; model="${3:?MODEL.gguf}"
pairs="${4:-2}"; pp="${5:-64}"; tg="${6:-64}"; batch="${7:-1}"; reps="${8:-2}"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cp_file="$here/engine/target/classpath.txt"
if [ ! -f "$cp_file" ]; then
  (cd "$here" && mvn -B -q -pl engine dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null)
fi
run() {
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 ${SPARKINFER_JAVA_OPTS:-} \
    -cp "$1:$(cat "$cp_file")" io.sparkinfer.cli.Main bench --model "$model" --pp "$pp" --tg "$tg" \
    --batch "$batch" --reps "$reps" 2>/dev/null | grep -E '^\| +[0-9]' | tail -1
}
echo "|  jar |    PP |    TG |    B |   N_KV |   T_PP s |  S_PP t/s |   T_TG s |  S_TG t/s |"
for p in $(seq 1 "$pairs"); do
  if [ $((p % 2)) -eq 1 ]; then order="A B"; else order="B A"; fi
  for side in $order; do
    jar="$a"; [ "$side" = B ] && jar="$b"
    echo "|    $side $(run "$jar")"
  done
done
