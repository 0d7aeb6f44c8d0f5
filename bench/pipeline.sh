#!/usr/bin/env bash
# The decode pipeline on a real S3 server (S3Proxy in the bench's JVM): WebDataset tars of 500x375
# JPEGs decoded (libjpeg-turbo) and resized to 224x224 on N threads, handed over as infer does (8-bit
# batches scored on their own thread) to a synthetic device of fixed rate (a stand-in for a GPU).
# Prints decode images/s per core (CPU time), cores per 1,000 images/s, the rate delivered against
# the device's rate, and the heap in use along a pass.
# Usage: bench/pipeline.sh [IMAGES] [TAR_FILES] [BATCH]   (defaults: 1500 6 64)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
source bench/snapshot-classes.sh
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
java -Xmx${BENCH_HEAP:-1g} -Djava.awt.headless=true \
  -Dlogback.configurationFile="$here/bench/src/main/resources/logback-bench.xml" \
  -cp "$bench_classpath" \
  dev.semisup.bench.DecodePipelineBench "${1:-1500}" "${2:-6}" "${3:-64}"
