#!/usr/bin/env bash
# The semi-supervised gain, honestly: runs a manifest with three seeds (the labeled subset's and
# every training seed shifted together) and prints teacher vs final accuracy, mean and spread.
# Usage: bench/demo-gain.sh [MANIFEST] [SEEDS...]     (defaults: examples/fashion-mnist.yaml 1 2 3)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
manifest="${1:-examples/fashion-mnist.yaml}"
shift || true
seeds=("${@:-1 2 3}")
[ $# -eq 0 ] && seeds=(1 2 3)
work="${DEMO_GAIN_DIR:-$(mktemp -d)}"
cd "$here"
results="$work/results.txt"
: > "$results"
for seed in "${seeds[@]}"; do
  # seed: N -> seed: N + 10 * (s - 1), so each seed gives another labeled subset and other weights.
  awk -v s="$seed" '{ if (match($0, /seed: [0-9]+/)) { n = substr($0, RSTART + 6, RLENGTH - 6); sub(/seed: [0-9]+/, "seed: " (n + 10 * (s - 1))) } print }' \
    "$manifest" > "$work/seed-$seed.yaml"
  ./semisup run "$work/seed-$seed.yaml" --store "$work/store-$seed" --fresh > "$work/seed-$seed.log" 2>&1
  report=$(find "$work/store-$seed" -name report.json | head -1)
  python3 - "$report" "$seed" >> "$results" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(sys.argv[2], r.get("teacherAccuracy"), r.get("studentAccuracy"), r.get("finalAccuracy"),
      r.get("sampledImages"), r.get("pseudoLabelPrecision"))
PY
  tail -1 "$results"
done
python3 - "$results" "$manifest" <<'PY'
import statistics as st, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
def col(i): return [100 * float(r[i]) for r in rows if r[i] != "None"]
teacher, final = col(1), col(3)
gain = [f - t for f, t in zip(final, teacher)]
def fmt(v): return f"{st.mean(v):.2f} ± {st.stdev(v):.2f}" if len(v) > 1 else f"{v[0]:.2f}"
print(f"{sys.argv[2]}: seeds={len(rows)} teacher={fmt(teacher)} final={fmt(final)} gain={fmt(gain)} "
      f"precision={fmt(col(5)) if col(5) else '-'}")
PY
