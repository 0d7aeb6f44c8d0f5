#!/usr/bin/env bash
# Where a training step's time goes, DJL against PyTorch (Debian's python3-torch), alternating
# DJL (MomentumSgd.step), DJL (Trainer.step, for comparison) and PyTorch for ROUNDS rounds:
# batch in, forward, loss, backward, optimizer, in ms per step.
# Usage: bench/training-step.sh [ARCHITECTURE] [BATCH] [STEPS] [THREADS] [ROUNDS]   (defaults: resnet18 32 8 2 2)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
arch="${1:-resnet18}" batch="${2:-32}" steps="${3:-8}" threads="${4:-2}" rounds="${5:-2}"
cd "$here"
source bench/torch-bench-env.sh
machine_line
for round in $(seq 1 "$rounds"); do
  for optimizer in own trainer; do
    line="$(djl_java dev.semisup.bench.TrainingStepPhases "$arch" "$batch" "$steps" "$optimizer" 2>/dev/null | tail -1)"
    echo "round=$round load=$(cut -d' ' -f1 /proc/loadavg) $line"
  done
  echo "round=$round load=$(cut -d' ' -f1 /proc/loadavg) $(cd bench && /usr/bin/python3 peer_training_step.py "$arch" "$batch" "$steps" "$threads")"
done
