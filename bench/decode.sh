#!/usr/bin/env bash
# One core's cost of JPEG -> the 224 x 224 image infer hands the engine (decode, resize, 8-bit batch)
# against libjpeg-turbo's decode alone, with the path before (host float normalisation) and the
# ImageIO fallback, interleaved, in CPU time. Needs libturbojpeg (Debian: libturbojpeg0).
# Usage: bench/decode.sh [ROUNDS] [IMAGES_PER_ROUND] [WIDTH] [HEIGHT] [SIZE]   (defaults 7 400 500 375 224)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/one-core-java.sh"
one_core_java DecodeBench "$@"
