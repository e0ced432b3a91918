#!/usr/bin/env bash
# Sourced by the Spark scripts: JDK 25, the JVM flags a Spark driver needs on it (mirrors the
# root pom's engine.jvm.args + spark.jvm.args), and the local classpath of the spark-job module.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME
SPARKINFER_JVM_ARGS="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
--add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED \
--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED \
--add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED \
-Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true \
--sun-misc-unsafe-memory-access=allow \
-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=${SPARKINFER_VECTOR_CHECKS:-0}"
# ^ vector loads skip per-load bounds checks (kernels validate shapes once per call; see engine.sh)

# Compiles engine + spark-job when needed and writes the runtime classpath (Spark included:
# it is 'provided' for clusters, but a local run needs it) to spark-job/target/classpath.txt.
sparkinfer_local_classpath() {
  local cp_file="$here/spark-job/target/classpath.txt"
  local main_class="$here/spark-job/target/classes/io/sparkinfer/spark/SparkInferMain.class"
  if [ ! -f "$cp_file" ] || [ ! -f "$main_class" ] || [ "$here/spark-job/pom.xml" -nt "$cp_file" ] \
     || [ -n "$(find "$here/spark-job/src/main" "$here/engine/src/main" -newer "$cp_file" -type f 2>/dev/null | head -1)" ]; then
    echo "building engine + spark-job ..." >&2
    (cd "$here" && mvn -B -q -pl spark-job -am compile dependency:build-classpath \
        -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=compile >&2)
  fi
  echo "$here/spark-job/target/classes:$(cat "$cp_file")"
}
