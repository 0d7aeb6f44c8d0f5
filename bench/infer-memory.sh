#!/usr/bin/env bash
# Memory of the infer stage over the whole 59,000-image Fashion-MNIST pool: resident set size of
# the worker sampled every half second. Flat RSS (no growth with images scored) means no native
# leak and O(classes x K) selection memory.
# Usage: bench/infer-memory.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$here"
# One teacher epoch is enough: memory, not accuracy, is measured. One shard scores the whole pool.
sed -e 's/epochs: 30/epochs: 1/' -e 's/shards: 2/shards: 1/' examples/fashion-mnist.yaml > "$work/run.yaml"
./semisup stage teacher --spec-file "$work/run.yaml" --store "$work/store" >/dev/null 2>&1
# The heap is committed and touched up front (-Xms = -Xmx, AlwaysPreTouch): growth after that is native memory.
SEMISUP_HEAP=384m SEMISUP_JAVA_OPTS="-Xms384m -XX:+AlwaysPreTouch" ./semisup stage infer --spec-file "$work/run.yaml" --store "$work/store" > "$work/infer.log" 2>&1 &
pid=$!
sleep 0.3
java_pid=$(pgrep -P "$pid" java || echo "$pid")
start=$(date +%s.%N)
echo "seconds rss_mib"
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$java_pid/status" 2>/dev/null || true)
  [ -n "$rss" ] && printf "%.1f %s\n" "$(echo "$(date +%s.%N) - $start" | bc)" "$rss"
  sleep 0.5
done | tee "$work/rss.txt"
wait "$pid"
grep -E "scored" "$work/infer.log" || true
awk 'NR>1 {n++; v[n]=$2} END {printf "samples=%d first_quarter_max=%d last_quarter_max=%d overall_max=%d MiB\n", n,
  max(v,1,int(n/4)), max(v,int(3*n/4),n), max(v,1,n)}
  function max(a,from,to,  m,i) {m=0; for(i=from;i<=to;i++) if(a[i]>m) m=a[i]; return m}' "$work/rss.txt"
