#!/usr/bin/env bash
# Bytes and student decode time per image when pack copies the originals against when it writes
# training-ready (shrunk, re-encoded) images. Needs libturbojpeg (Debian: libturbojpeg0).
# Usage: bench/packed-images.sh [IMAGES] [ROUNDS] [WIDTH] [HEIGHT] [SIZE]   (defaults 64 7 500 375 224)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mvn -q -B -o -pl bench -am test-compile dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=compile >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u '+%F %H:%M') UTC, $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx1g -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -XX:+UseSerialGC -XX:ActiveProcessorCount=1 \
  -cp "bench/target/classes:worker/target/classes:crds/target/classes:$(cat bench/target/classpath.txt)" \
  dev.semisup.bench.PackedImagesBench "$@"
