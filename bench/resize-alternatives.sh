#!/usr/bin/env bash
# The faster paths the worker's decode + resize could take, per core, in the same rounds:
# libjpeg-turbo's M/8 scaled decodes, the worker's resize, OpenCV's (bytedeco) area and bilinear
# resizes, and how far OpenCV's samples are from the worker's. Downloads OpenCV (~45 MB) into the
# local Maven repository on first use; the project itself does not depend on it.
# Usage: bench/resize-alternatives.sh [ROUNDS] [IMAGES_PER_ROUND] [WIDTH] [HEIGHT] [SIZE]   (defaults 5 300 500 375 224)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/one-core-java.sh"
opencv=org.bytedeco:opencv:4.10.0-1.5.11
jars=()
for artifact in org.bytedeco:javacpp:1.5.11 org.bytedeco:openblas:0.3.28-1.5.11 "$opencv"; do
  for classifier in "" linux-x86_64; do
    coordinate="$artifact:jar${classifier:+:$classifier}"
    mvn -q -B -ntp dependency:get -Dtransitive=false -Dartifact="$coordinate" >/dev/null 2>&1
    IFS=: read -r group id version <<<"$artifact"
    jars+=("$HOME/.m2/repository/${group//.//}/$id/$version/$id-$version${classifier:+-$classifier}.jar")
  done
done
opencv_cp="$(IFS=:; echo "${jars[*]}")"
classes=bench/target/resize-alternatives
mkdir -p "$classes"
javac -d "$classes" -cp "bench/target/classes:worker/target/classes:$(cat bench/target/classpath.txt):$opencv_cp" \
  bench/resize-alternatives/dev/semisup/worker/data/decode/ResizeAlternatives.java
BENCH_EXTRA_CP="$classes:$opencv_cp" one_core_java_main dev.semisup.worker.data.decode.ResizeAlternatives "$@"
