#!/usr/bin/env bash
# A shard's tar files read from a real S3 server (S3Proxy in the bench's JVM) through a proxy that
# caps each TCP connection at a fixed rate (one object-store connection): one stream per file, then
# ranges of 8 MiB read ahead 2, 4 and 8 at a time, as infer's pass reads them. Prints MB/s reached.
# Usage: bench/read-ahead.sh [FILES] [FILE_MIB] [CAP_MB_PER_S] [ROUNDS]   (defaults: 8 24 20 3)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
source bench/snapshot-classes.sh
java -Xmx${BENCH_HEAP:-1g} \
  -Dlogback.configurationFile="$here/bench/src/main/resources/logback-bench.xml" \
  -cp "$bench_classpath" \
  dev.semisup.bench.ReadAheadBench "${1:-8}" "${2:-24}" "${3:-20}" "${4:-3}"
