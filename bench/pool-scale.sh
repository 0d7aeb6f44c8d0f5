#!/usr/bin/env bash
# The data path at scale on a real S3 server (S3Proxy in the bench's JVM): bytes and images read
# by S = 1, 2, 4 infer shards, the bytes select then reads from the store beside the bytes of the
# candidates it keeps (S = 16 and 64 too), per-shard CPU time (median of interleaved repeats), and the peak RSS of
# infer, select and pack, each in a child JVM.
# Usage: bench/pool-scale.sh [IMAGES] [TAR_FILES] [REPEATS] [CHILD_HEAP]   (defaults: 20000 50 3 256m)
# REPEATS=0 runs only the child JVMs (the peak RSS table). BENCH_CHILD_OPTS adds JVM options to the
# children; with -XX:NativeMemoryTracking=summary a snapshot of the JVM's memory by category, and the
# kernel's anonymous / file-backed split, is kept every 15 s beside the child's log (CHILD_LOG.nmt).
# BENCH_POOL_SIDE=64 stores the pool's images at 64x64 (the model takes 16x16): pack then shrinks and
# re-encodes every sampled image.
# The paper-scale row: bench/pool-scale.sh 1000000 500 3 256m  (the pool lives in the server's memory: ~1.5 GB)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
source bench/snapshot-classes.sh
export OPT_OUT_TRACKING=true DJL_OFFLINE=true OMP_NUM_THREADS=1
java -Xmx${BENCH_HEAP:-3g} -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
  -Dlogback.configurationFile="$here/bench/src/main/resources/logback-bench.xml" \
  -cp "$bench_classpath" \
  dev.semisup.bench.PoolScaleBench "${1:-20000}" "${2:-50}" "${3:-3}" "${4:-256m}"
