#!/usr/bin/env bash
# DJL vs PyTorch (Debian's python3-torch) on the same models, same threads and batches, the two
# sides INTERLEAVED (DJL, PyTorch, DJL, PyTorch, ...) so that a change in the shared machine's load
# hits both; prints every run and, per model, the median DJL/PyTorch ratio and its spread (min-max
# over the rounds) for training and inference, per second of wall time and per second of process
# CPU time (all threads; steadier than wall time on a loaded machine).
# Usage: bench/throughput.sh [ARCHITECTURES] [THREADS] [ROUNDS]   (defaults: "cnn-small resnet18" 2 3)
# Image counts per model: cnn-* 20,480 training / 51,200 inference (batches 128 / 256); resnet18
# 768 / 1,536 (batches 32 / 64; about 100x the work per image); override with TRAIN_IMAGES /
# INFER_IMAGES (one value for every model of the run) on a slow or loaded machine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
archs="${1:-cnn-small resnet18}"
threads="${2:-2}"
rounds="${3:-3}"
cd "$here"
source bench/torch-bench-env.sh
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
machine_line
echo "threads: $threads on both sides; rounds: $rounds; order in each round: DJL then PyTorch"
for arch in $archs; do
  case "$arch" in
    resnet*) train_batch=32 infer_batch=64 train_images="${TRAIN_IMAGES:-768}" infer_images="${INFER_IMAGES:-1536}" ;;
    *) train_batch=128 infer_batch=256 train_images="${TRAIN_IMAGES:-20480}" infer_images="${INFER_IMAGES:-51200}" ;;
  esac
  echo "== $arch: train batch $train_batch x $train_images images, infer batch $infer_batch x $infer_images images"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  for round in $(seq 1 "$rounds"); do
    line="$(djl_java dev.semisup.bench.ModelThroughput "$arch" $train_batch $infer_batch $train_images $infer_images 2>/dev/null | tail -1)"
    echo "round=$round load=$(cut -d' ' -f1 /proc/loadavg) $line" | tee -a "$results"
    line="$(/usr/bin/python3 bench/peer_throughput.py "$arch" $train_batch $infer_batch $train_images $infer_images "$threads")"
    echo "round=$round load=$(cut -d' ' -f1 /proc/loadavg) $line" | tee -a "$results"
  done
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
done
/usr/bin/python3 - "$results" <<'PY'
import statistics, sys
runs = [dict(kv.split("=", 1) for kv in line.split()) for line in open(sys.argv[1]) if line.strip()]
for arch in dict.fromkeys(r["architecture"] for r in runs):
    rounds = {}
    for r in runs:
        if r["architecture"] == arch:
            rounds.setdefault(r["round"], {})["djl" if r["engine"] == "djl" else "pytorch"] = r
    pairs = [p for p in rounds.values() if len(p) == 2]
    for what, key, target in (("training", "train_img_s", 1.0), ("inference", "infer_img_s", 1.2),
                              ("training per CPU-second", "train_img_cpu_s", 1.0),
                              ("inference per CPU-second", "infer_img_cpu_s", 1.2)):
        ratios = [float(p["djl"][key]) / float(p["pytorch"][key]) for p in pairs]
        djl = statistics.median(float(p["djl"][key]) for p in pairs)
        torch = statistics.median(float(p["pytorch"][key]) for p in pairs)
        median = statistics.median(ratios)
        print(f"{arch} {what}: DJL median {djl:.0f} img/s, PyTorch median {torch:.0f} img/s; ratio per round "
              + " ".join(f"{r:.2f}" for r in ratios)
              + f"; median {median:.2f}x (spread {min(ratios):.2f}-{max(ratios):.2f}); target >= {target}x: "
              + ("met" if median >= target else "NOT met"))
    for basis, suffix in (("wall", "img_s"), ("CPU", "img_cpu_s")):
        unfolded = [float(p["djl"]["infer_" + suffix]) / float(p["djl"]["infer_unfolded_" + suffix]) for p in pairs]
        print(f"{arch} batch-norm fold ({basis}): DJL folded / unfolded inference per round "
              + " ".join(f"{r:.2f}" for r in unfolded) + f"; median {statistics.median(unfolded):.2f}x")
        layout = [float(p["djl"]["infer_" + suffix]) / float(p["djl"]["infer_nchw_" + suffix]) for p in pairs]
        print(f"{arch} channels-last weights ({basis}): DJL folded channels-last / folded NCHW inference per round "
              + " ".join(f"{r:.2f}" for r in layout) + f"; median {statistics.median(layout):.2f}x")
PY
