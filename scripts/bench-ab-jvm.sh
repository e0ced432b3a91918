#!/usr/bin/env bash
# In-JVM A/B of two builds of the engine jar (io.sparkinfer.benchmarks.JarAB): each jar in its own
# class loader, the two alternating round by round in one JVM, so that both see the same minutes
# of this shared machine. Prints the medians and the second jar's speed over the first's, twice:
# A's copy loaded first, then (a line naming the jars swapped) B's (A/A runs of one jar against itself read 0.95-1.06 for the matmul and 0.95-1.2 for
# short prompts, the copy loaded second favoured more often than not: read a change only if it
# wins in both lines, by more than that).
#
#   scripts/bench-ab-jvm.sh A.jar B.jar SPEC [rounds=8] [reps=1]
#
# SPEC: pp:MODEL.gguf:N (prompt of N tokens), tg:MODEL.gguf:N (16 decode steps of N sequences),
# mat:ROWS:COLS:TYPE:THREADS:N (one matmul of random TYPE weights, N tokens). Threads for pp and tg:
# SPARKINFER_JAVA_OPTS=-Dsparkinfer.threads=1, say. Both models stay loaded: mind the memory.
# Make the jars with `mvn -B -q -pl engine package -DskipTests`, copying the jar aside before and
# after the change.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
a="${1:?usage: $0 A.jar B.jar SPEC [rounds] [reps]}"; b="${2:?B.jar}"; spec="${3:?SPEC}"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cp_file="$here/engine/target/classpath.txt"
if [ ! -f "$cp_file" ]; then
  (cd "$here" && mvn -B -q -pl engine dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null)
fi
classes="$here/benchmarks/target/classes"
if [ ! -f "$classes/io/sparkinfer/benchmarks/JarAB.class" ]; then
  (cd "$here" && mvn -B -q -pl engine,benchmarks compile >/dev/null)
fi
run() {
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 ${SPARKINFER_JAVA_OPTS:-} \
    -cp "$classes" io.sparkinfer.benchmarks.JarAB "$1" "$2" "$(cat "$cp_file")" "$classes" "$spec" "${rounds}" "${reps}" \
    2>/dev/null | grep 'speed'
}
rounds="${4:-8}"; reps="${5:-1}"
run "$a" "$b"
run "$b" "$a"   # the same A/B, loaded in the other order: its line names the jars swapped
