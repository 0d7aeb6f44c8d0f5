#!/usr/bin/env bash
# The decode pipeline on a real S3 server (S3Proxy in the bench's JVM): WebDataset tars of 500x375
# JPEGs decoded and resized to 224x224 on N threads, feeding a synthetic consumer of fixed rate (a
# stand-in for a GPU). Prints decode images/s per core (CPU time), the rate delivered against the
# consumer's rate, and the heap in use along a pass.
# Usage: bench/pipeline.sh [IMAGES] [TAR_FILES] [BATCH]   (defaults: 1500 6 64)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mvn -o -q -B -pl bench -am test-compile dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=compile >/dev/null
# A snapshot of the classes: a build during the run must not swap them under the JVM.
classes="$(mktemp -d)"
trap 'rm -rf "$classes"' EXIT
for module in bench/target/classes worker/target/classes worker/target/test-classes crds/target/classes; do
  mkdir -p "$classes/$module" && cp -r "$module/." "$classes/$module/"
done
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u '+%F %H:%M') UTC"
java -Xmx${BENCH_HEAP:-1g} -Djava.awt.headless=true \
  -Dlogback.configurationFile="$here/bench/src/main/resources/logback-bench.xml" \
  -cp "$classes/bench/target/classes:$classes/worker/target/classes:$classes/worker/target/test-classes:$classes/crds/target/classes:$(cat bench/target/classpath.txt)" \
  dev.semisup.bench.DecodePipelineBench "${1:-1500}" "${2:-6}" "${3:-64}"
