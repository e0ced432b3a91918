#!/usr/bin/env bash
# Runs the Spark job on this machine: Spark local[*], stories260K from ../shared/data, the
# prompts in conf/stories-prompts.jsonl, a Parquet table under ./out/stories (resumable: a
# second run skips the ids already there). Builds first if needed.
#
#   scripts/run-local.sh                                  # generate, conf/generate-stories.properties
#   scripts/run-local.sh generate --max-tokens 32 --output out/short
#   scripts/run-local.sh score --conf conf/score-stories.properties
#   scripts/run-local.sh generate --conf my.properties --master 'local[4]'
set -euo pipefail
source "$(dirname "$0")/spark-env.sh"
cd "$here"
cmd="${1:-generate}"
[ $# -gt 0 ] && shift
conf_args=()
if [[ " $* " != *" --conf "* && " $* " != *" --config "* ]]; then
  case "$cmd" in
    score) conf_args=(--conf conf/score-stories.properties) ;;
    *) conf_args=(--conf conf/generate-stories.properties) ;;
  esac
fi
cp="$(sparkinfer_local_classpath)"
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" $SPARKINFER_JVM_ARGS ${SPARKINFER_JAVA_OPTS:--Xmx4g} \
  -Dlog4j2.configurationFile="$here/conf/log4j2.properties" \
  -cp "$cp" io.sparkinfer.spark.SparkInferMain "$cmd" "${conf_args[@]}" "$@"
