#!/usr/bin/env bash
# Where the training step's time goes below the phases of bench/training-step.sh: the same step,
# DJL (libtorch 2.7.1) against PyTorch (Debian's python3-torch 1.13), with oneDNN's verbose log on
# both sides, split into oneDNN's primitives (convolutions, reorders, by pass) and everything
# outside oneDNN (batch-norm, ReLU, additions, autograd, the optimizer). ROUNDS alternate the sides.
# The verbose log costs a little time per primitive on both sides. The rounds' logs are then set
# side by side per primitive and problem, pooled over the rounds (onednn_compare.py). Then one
# more round under each side's profiler: every aten operator's self time per step (warm-up steps
# included).
# Usage: bench/training-kernels.sh [ARCHITECTURE] [BATCH] [STEPS] [THREADS] [ROUNDS]   (defaults: resnet18 32 4 2 2)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
arch="${1:-resnet18}" batch="${2:-32}" steps="${3:-4}" threads="${4:-2}" rounds="${5:-2}"
cd "$here"
source bench/torch-bench-env.sh
logs="$(mktemp -d)" djl_trace="$(mktemp --suffix=.json)" peer_trace="$(mktemp --suffix=.json)"
trap 'rm -rf "$logs" "$djl_trace" "$peer_trace"' EXIT
machine_line
echo "$arch, batch $batch, $steps steps after 5 of warm-up, $threads threads"
for round in $(seq 1 "$rounds"); do
  ONEDNN_VERBOSE=1 djl_java dev.semisup.bench.TrainingStepPhases "$arch" "$batch" "$steps" own >"$logs/djl-$round.log" 2>/dev/null
  echo "round=$round load=$(cut -d' ' -f1 /proc/loadavg) $(/usr/bin/python3 bench/onednn_split.py "$logs/djl-$round.log" 5)"
  (cd bench && DNNL_VERBOSE=1 /usr/bin/python3 peer_training_step.py "$arch" "$batch" "$steps" "$threads") >"$logs/pytorch-$round.log" 2>&1
  echo "round=$round load=$(cut -d' ' -f1 /proc/loadavg) $(/usr/bin/python3 bench/onednn_split.py "$logs/pytorch-$round.log" 5)"
done
echo "per primitive and problem, over the $rounds rounds:"
/usr/bin/python3 bench/onednn_compare.py 5 "$(ls "$logs"/djl-*.log | paste -sd,)" "$(ls "$logs"/pytorch-*.log | paste -sd,)"
djl_java dev.semisup.bench.TrainingStepProfile "$djl_trace" "$arch" "$batch" "$steps" own 2>/dev/null | tail -1
(cd bench && /usr/bin/python3 peer_training_profile.py "$peer_trace" "$arch" "$batch" "$steps" "$threads")
/usr/bin/python3 bench/op_selftime.py "$djl_trace" "$peer_trace" "$((steps + 5))"
