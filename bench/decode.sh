#!/usr/bin/env bash
# One core's rate of JPEG -> normalised 224 x 224 float tensor: libjpeg-turbo (the worker's default)
# against ImageIO, interleaved, in CPU time. Needs libturbojpeg (Debian: libturbojpeg0).
# Usage: bench/decode.sh [ROUNDS] [IMAGES_PER_ROUND] [WIDTH] [HEIGHT] [SIZE]   (defaults 7 400 500 375 224)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/one-core-java.sh"
one_core_java DecodeBench "$@"
