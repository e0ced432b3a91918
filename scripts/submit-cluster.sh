#!/usr/bin/env bash
# Submits the Spark job to a cluster with spark-submit.
#
#   scripts/submit-cluster.sh MASTER COMMAND [--key value ...]
#     MASTER   spark://host:7077 (standalone) | yarn | k8s://https://host:port (Kubernetes)
#     COMMAND  generate | summarize | classify | score
#     flags    any job option (see conf/generate-stories.properties): --input, --output, --model ...
#
# Environment:
#   SPARK_HOME        a Spark 4.2 (Scala 2.13) install running on JDK 25 (required)
#   MODEL             local path of the model file; shipped to every executor with --files and
#                     opened there by name (SparkFiles), so no shared file system is needed.
#                     Leave unset when --model names a path every node can read.
#   TOKENIZER         llama2.c tokenizer.bin to ship likewise (llama2.c checkpoints only)
#   DEPLOY_MODE       client (default) | cluster (in cluster mode pass options as flags, or ship
#                     the config file with EXTRA_FILES and name it by its bare file name)
#   EXECUTORS         number of executors (default 2); EXECUTOR_CORES (default 4): the engine of
#                     each executor uses exactly these cores (spark.sparkinfer.threads); one replica per executor
#   EXECUTOR_MEMORY   default 8g: weights are memory-mapped (page cache), the heap holds the KV cache
#   K8S_IMAGE         the container image (Kubernetes; it must hold Spark 4.2 on JDK 25)
#   EXTRA_FILES       more comma-separated files for --files
#   SPARK_SUBMIT_OPTS extra spark-submit arguments, e.g. "--queue batch"
#
# Example (YARN, model shipped, output a Hive table):
#   MODEL=models/qwen2.5-0.5b-instruct-q8_0.gguf EXECUTORS=8 EXECUTOR_CORES=8 \
#     scripts/submit-cluster.sh yarn generate --model qwen2.5-0.5b-instruct-q8_0.gguf \
#       --input db.prompts --input-format table --id-col id --text-col prompt --output-table db.completions
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
if [ $# -lt 2 ]; then
  sed -n '2,30p' "$0" >&2
  exit 1
fi
: "${SPARK_HOME:?set SPARK_HOME to a Spark 4.2 install}"
master="$1"; cmd="$2"; shift 2
jar="$(ls "$here"/spark-job/target/sparkinfer-spark-job-*-all.jar 2>/dev/null | head -1 || true)"
if [ -z "$jar" ]; then
  (cd "$here" && mvn -B -q -pl spark-job -am package -DskipTests)
  jar="$(ls "$here"/spark-job/target/sparkinfer-spark-job-*-all.jar | head -1)"
fi
cores="${EXECUTOR_CORES:-4}"
files="${MODEL:-}"
[ -n "${TOKENIZER:-}" ] && files="${files:+$files,}$TOKENIZER"
[ -n "${EXTRA_FILES:-}" ] && files="${files:+$files,}$EXTRA_FILES"
jvm="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=${SPARKINFER_VECTOR_CHECKS:-0}"
args=(--master "$master" --deploy-mode "${DEPLOY_MODE:-client}"
  --class io.sparkinfer.spark.SparkInferMain
  --properties-file "$here/conf/spark-defaults.conf"
  --num-executors "${EXECUTORS:-2}" --executor-cores "$cores" --executor-memory "${EXECUTOR_MEMORY:-8g}"
  --conf "spark.executor.instances=${EXECUTORS:-2}"
  --conf "spark.driver.extraJavaOptions=$jvm"
  --conf "spark.executor.extraJavaOptions=$jvm"
  --conf "spark.sparkinfer.threads=$cores")
[ -n "$files" ] && args+=(--files "$files")
if [[ "$master" == k8s://* ]]; then
  : "${K8S_IMAGE:?set K8S_IMAGE for Kubernetes}"
  args+=(--conf "spark.kubernetes.container.image=$K8S_IMAGE")
fi
# shellcheck disable=SC2086
exec "$SPARK_HOME/bin/spark-submit" "${args[@]}" ${SPARK_SUBMIT_OPTS:-} "$jar" "$cmd" "$@"
