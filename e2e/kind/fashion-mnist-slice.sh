#!/usr/bin/env bash
# Writes a small Fashion-MNIST slice: the first TRAIN training and TEST test images (and labels)
# as gzip'd IDX files into OUT, the four names the upstream files have.
#   e2e/kind/fashion-mnist-slice.sh OUT [TRAIN=3000] [TEST=1000]
# Source: $FASHION_MNIST_DIR, else /usr/share/datasets/fashion-mnist, else the upstream site.
set -euo pipefail

out="$1"
train="${2:-3000}"
test="${3:-1000}"
upstream=http://fashion-mnist.s3-website.eu-central-1.amazonaws.com
files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)

die() { echo "fashion-mnist-slice: $*" >&2; exit 1; }

# Cuts the first N items out of a gzip'd IDX file: magic, the new count, the rest of the header,
# then N items. (The `|| true` keeps a reader that stops early from failing the pipeline.)
idx_slice() { # source.gz target.gz count header_bytes item_bytes
  local source="$1" target="$2" count="$3" header="$4" item="$5"
  {
    { gzip -dc "$source" || true; } | head -c 4
    printf '%b' "$(printf '\\0%03o\\0%03o\\0%03o\\0%03o' \
      $((count >> 24 & 255)) $((count >> 16 & 255)) $((count >> 8 & 255)) $((count & 255)))"
    { gzip -dc "$source" | tail -c +9 || true; } | head -c $((header - 8 + count * item))
  } | gzip -c > "$target"
  local size
  size=$(gzip -dc "$target" | wc -c)
  [[ $size -eq $((header + count * item)) ]] || die "$target has $size bytes, expected $((header + count * item))"
}

source_dir="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
mkdir -p "$out"
if [[ ! -f "$source_dir/${files[0]}" ]]; then
  source_dir="$out/.download"
  mkdir -p "$source_dir"
  for f in "${files[@]}"; do
    [[ -f "$source_dir/$f" ]] && continue
    echo "fashion-mnist-slice: downloading $upstream/$f" >&2
    curl -fsSL --retry 3 -o "$source_dir/$f.part" "$upstream/$f"
    mv "$source_dir/$f.part" "$source_dir/$f"
  done
fi
(( train <= 60000 && test <= 10000 )) || die "at most 60000 training and 10000 test images"
idx_slice "$source_dir/train-images-idx3-ubyte.gz" "$out/train-images-idx3-ubyte.gz" "$train" 16 784
idx_slice "$source_dir/train-labels-idx1-ubyte.gz" "$out/train-labels-idx1-ubyte.gz" "$train" 8 1
idx_slice "$source_dir/t10k-images-idx3-ubyte.gz" "$out/t10k-images-idx3-ubyte.gz" "$test" 16 784
idx_slice "$source_dir/t10k-labels-idx1-ubyte.gz" "$out/t10k-labels-idx1-ubyte.gz" "$test" 8 1
echo "fashion-mnist-slice: $train training and $test test images from $source_dir in $out" >&2
