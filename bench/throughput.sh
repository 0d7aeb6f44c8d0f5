#!/usr/bin/env bash
# DJL vs PyTorch (Debian's python3-torch) on the demo's model, same threads and batches, one run.
# Usage: bench/throughput.sh [ARCHITECTURE] [THREADS]      (defaults: cnn-small 2)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
arch="${1:-cnn-small}"
threads="${2:-2}"
train_batch=128 infer_batch=256 train_images=20480 infer_images=51200
cd "$here"
mvn -q -B -pl bench -am test-compile dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=compile >/dev/null
export OPT_OUT_TRACKING=true DJL_OFFLINE=true OMP_NUM_THREADS="$threads"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
java -Xmx2g -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "bench/target/classes:worker/target/classes:crds/target/classes:$(cat bench/target/classpath.txt)" \
  dev.semisup.bench.ModelThroughput "$arch" $train_batch $infer_batch $train_images $infer_images 2>/dev/null
/usr/bin/python3 bench/peer_throughput.py "$arch" $train_batch $infer_batch $train_images $infer_images "$threads"
