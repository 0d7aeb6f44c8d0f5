#!/usr/bin/env bash
# Bytes and student decode time per image when pack copies the originals against when it writes
# training-ready (shrunk, re-encoded) images. Needs libturbojpeg (Debian: libturbojpeg0).
# Usage: bench/packed-images.sh [IMAGES] [ROUNDS] [WIDTH] [HEIGHT] [SIZE]   (defaults 64 7 500 375 224)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/one-core-java.sh"
one_core_java PackedImagesBench "$@"
