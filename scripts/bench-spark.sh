#!/usr/bin/env bash
# Spark layer benchmark (not a test): overhead vs the engine alone, 1 vs 2 executor JVMs.
#   scripts/bench-spark.sh [--prompts 64] [--max-tokens 64] [--repeat 3] [--executors false] [--model F]
# Figures go to docs/benchmarks.md ("Spark"). local-cluster executors are launched from
# spark-job/target/bench-spark-home/jars, which the bench fills with links to the classpath.
set -euo pipefail
source "$(dirname "$0")/spark-env.sh"
cd "$here"
cp="$(sparkinfer_local_classpath)"
export SPARK_HOME="$here/spark-job/target/bench-spark-home" SPARK_SCALA_VERSION=2.13
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" $SPARKINFER_JVM_ARGS -Xmx4g -Dlog4j2.configurationFile="$here/conf/log4j2.properties" \
  -cp "$cp" io.sparkinfer.spark.SparkInferBench "$@"
