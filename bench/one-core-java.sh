# Sourced by the single-core benchmarks (decode.sh, packed-images.sh): builds the bench module and
# runs one of its mains on one core with a serial GC, so CPU time per image is comparable between runs.
# Usage: source bench/one-core-java.sh; one_core_java MainClass [args...]
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mvn -q -B -o -pl bench -am test-compile dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=compile >/dev/null

one_core_java() {
  local main="$1"
  shift
  one_core_java_main "dev.semisup.bench.$main" "$@"
}

# As one_core_java, for a main outside the bench's package; BENCH_EXTRA_CP goes first on the classpath.
one_core_java_main() {
  local main="$1"
  shift
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u '+%F %H:%M') UTC, $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  java -Xmx1g -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -XX:+UseSerialGC -XX:ActiveProcessorCount=1 \
    -cp "${BENCH_EXTRA_CP:+$BENCH_EXTRA_CP:}bench/target/classes:worker/target/classes:crds/target/classes:$(cat bench/target/classpath.txt)" \
    "$main" "$@"
}
