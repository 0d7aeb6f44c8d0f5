#!/usr/bin/env bash
# Memory of the streaming student: trains one epoch on a packed dataset of N synthetic 32x32 RGB
# images (bench/.../PackedStudentData) under a 256 MiB heap, sampling the worker's resident set
# size every half second. Decoded, 150,000 such images are 439 MiB: they cannot be held in this
# heap, so the run finishes only if training streams (memory O(shuffle buffer + batch)).
# Usage: bench/student-memory.sh [IMAGES] [SHARDS] [HEAP]     (defaults: 150000 50 256m)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
images="${1:-150000}" shards="${2:-50}" heap="${3:-256m}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$here"
mvn -o -q -B -pl bench -am test-compile dependency:build-classpath -DskipTests -Dmdep.outputFile=target/classpath.txt \
  -Dmdep.includeScope=compile >/dev/null
java -cp "bench/target/classes:worker/target/classes:crds/target/classes:$(cat bench/target/classpath.txt)" \
  dev.semisup.bench.PackedStudentData "$work/store/semisup" bench "$work/data" "$images" "$shards"
cat > "$work/run.yaml" <<YAML
apiVersion: semisup.dev/v1alpha1
kind: SemiSupervisedRun
metadata: {name: student-memory}
spec:
  storage: {prefix: bench}
  data:
    classes: 10
    channels: 3
    imageSize: 32
    labeled: {uri: "file://$work/data/labeled.tar", format: tar}
    unlabeled: {uri: "file://$work/data/labeled.tar", format: tar}
    validation: {uri: "file://$work/data/validation.tar", format: tar}
  teacher: {architecture: cnn-small}
  student:
    architecture: cnn-small
    training: {epochs: 1, batchSize: 128, learningRate: 0.05, seed: 2, shuffleBuffer: 10000}
  sampling: {topK: 15000, topP: 1}
YAML
started=$(date +%s)
SEMISUP_HEAP="$heap" ./semisup stage student --spec-file "$work/run.yaml" --store "$work/store" > "$work/student.log" 2>&1 &
pid=$!
sleep 0.3
java_pid=$(pgrep -P "$pid" java || echo "$pid")
while kill -0 "$pid" 2>/dev/null; do
  awk '/VmRSS/ {print int($2/1024)}' "/proc/$java_pid/status" 2>/dev/null || true
  sleep 0.5
done > "$work/rss.txt"
status=0
wait "$pid" || status=$?
grep -E "streaming|validation accuracy|student: done|OutOfMemory|failed" "$work/student.log" | sed 's/^.* - //' || true
sort -n "$work/rss.txt" | tail -1 | awk -v n="$images" -v heap="$heap" -v s=$(( $(date +%s) - started )) -v rc=$status \
  '{printf "images=%d heap=%s exit=%d seconds=%d peak_rss_mib=%d\n", n, heap, rc, s, $1}'
