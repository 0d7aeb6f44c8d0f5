#!/usr/bin/env bash
# Stage transition latency of the operator against Fabric8's mock API server:
# 100 runs created at once; p50/p99 of "Job done -> next Job created", reconciles per run.
# Usage: bench/operator-transitions.sh [runs] [job-millis]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -o -pl bench -am test-compile dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=compile >/dev/null
CP="bench/target/classes:operator/target/classes:operator/target/test-classes:crds/target/classes:$(cat bench/target/classpath.txt)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "command: bench/operator-transitions.sh $*"
exec java -Xmx1g -cp "$CP" dev.semisup.bench.OperatorTransitionBench "$@"
