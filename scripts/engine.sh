#!/usr/bin/env bash
# Runs the engine CLI (io.sparkinfer.cli.Main) with the JVM flags it needs.
# Build first: mvn -B -q -pl engine package -DskipTests
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
jar="$here/engine/target/sparkinfer-engine-0.1.0-SNAPSHOT.jar"
cp_file="$here/engine/target/classpath.txt"
if [ ! -f "$jar" ]; then
  echo "engine jar not built: run 'mvn -B -q -pl engine package -DskipTests' first" >&2
  exit 1
fi
if [ ! -f "$cp_file" ] || [ "$here/engine/pom.xml" -nt "$cp_file" ]; then
  (cd "$here" && mvn -B -q -pl engine dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null)
fi
# Vector loads skip their per-load bounds checks (the kernels validate every shape once per call;
# the checks cost 15-30% of decode and prefill, docs/benchmarks.md). SPARKINFER_VECTOR_CHECKS=2
# turns them back on, e.g. to hunt an indexing bug; the test suite always runs with them.
vector_checks="-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=${SPARKINFER_VECTOR_CHECKS:-0}"
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED "$vector_checks" \
  ${SPARKINFER_JAVA_OPTS:-} -cp "$jar:$(cat "$cp_file")" io.sparkinfer.cli.Main "$@"
