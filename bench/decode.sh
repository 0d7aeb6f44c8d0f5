#!/usr/bin/env bash
# One core's rate of JPEG -> normalised 224 x 224 float tensor: libjpeg-turbo (the worker's default)
# against ImageIO, interleaved, in CPU time. Needs libturbojpeg (Debian: libturbojpeg0).
# Usage: bench/decode.sh [ROUNDS] [IMAGES_PER_ROUND] [WIDTH] [HEIGHT] [SIZE]   (defaults 7 400 500 375 224)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mvn -q -B -o -pl bench -am test-compile dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=compile >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u '+%F %H:%M') UTC, $(java -version 2>&1 | head -1)"
java -Xmx1g -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -XX:+UseSerialGC -XX:ActiveProcessorCount=1 \
  -cp "bench/target/classes:worker/target/classes:crds/target/classes:$(cat bench/target/classpath.txt)" \
  dev.semisup.bench.DecodeBench "$@"
