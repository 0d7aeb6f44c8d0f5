#!/usr/bin/env bash
# Does pack's training-ready resize cost accuracy? The demo's recipe on a pool of JPEGs larger than
# pack's short side: Fashion-MNIST's 60,000 training images upscaled to 64x64 grey JPEGs (the
# model takes 28x28, so pack shrinks each sampled image to 32 and re-encodes it), 3 seeds, the
# student trained on the packed images against the same run with the originals
# (sampling.packShortSide: 0). Each seed's teacher and index are shared by both variants.
# Usage: bench/packed-accuracy.sh [DIR]   (default /tmp/semisup-packed-accuracy; resumable)
# Needs /usr/bin/python3 with Pillow (Debian: python3-pil) to write the pool.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$(mkdir -p "${1:-/tmp/semisup-packed-accuracy}" && cd "${1:-/tmp/semisup-packed-accuracy}" && pwd)"
mkdir -p "$dir/pool"
[ -f "$dir/pool/part-00005.tar" ] || /usr/bin/python3 "$here/bench/fashion-mnist-jpeg-pool.py" "$dir/pool"
# The demo's manifest with the JPEG pool (every training image: the labeled ones are in it too).
awk -v pool="file://$dir/pool/" '
      /^    unlabeled:/ { print; print "      uri: " pool; print "      format: tar"; skip = 1; next }
      skip && /^    [a-z]/ { skip = 0 }
      skip { next }
      { sub(/name: fashion-mnist$/, "name: fm-jpeg64"); print }' "$here/examples/fashion-mnist.yaml" > "$dir/fm-jpeg64.yaml"
cat > "$dir/grid.yaml" <<GRID
name: packed-accuracy
base: fm-jpeg64.yaml
seeds: [1, 2, 3]
set: {data.validateEveryEpochs: 10}
variants:
  - name: packed
  - name: originals
    set: {sampling.packShortSide: 0}
GRID
cd "$here"
./semisup experiment "$dir/grid.yaml" --dir "$dir/experiment"
cat "$dir/experiment/summary.md"
