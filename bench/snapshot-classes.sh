# Sourced by the bench scripts: builds the bench and what it needs, then copies their classes to a
# temporary folder (removed on exit) so that a build during a long run cannot swap them under the
# JVM. Sets $bench_classpath and prints the machine line.
mvn -o -q -B -pl bench -am test-compile dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=compile >/dev/null
classes="$(mktemp -d)"
trap 'rm -rf "$classes"' EXIT
for module in bench/target/classes worker/target/classes worker/target/test-classes crds/target/classes; do
  mkdir -p "$classes/$module" && cp -r "$module/." "$classes/$module/"
done
bench_classpath="$classes/bench/target/classes:$classes/worker/target/classes:$classes/worker/target/test-classes:$classes/crds/target/classes:$(cat bench/target/classpath.txt)"
# getconf, not nproc: nproc honours OMP_NUM_THREADS, which the scripts may set.
echo "machine: $(getconf _NPROCESSORS_ONLN) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u '+%F %H:%M') UTC"
