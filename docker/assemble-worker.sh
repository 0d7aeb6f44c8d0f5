#!/bin/sh
# Lays out the worker image's files from a built worker module (worker/target):
#   OUT/lib/       the runtime classpath, without the pytorch-native-cpu jar
#   OUT/libtorch/  libtorch 2.7.1 for cpu (from that jar; empty for other variants)
#   OUT/jni/       libdjl_torch.so for VARIANT (cpu or cu128), from the pytorch-jni jar
# Dockerfile.worker runs it in its build stage; scripts/worker-layout-check.sh runs it here, so
# the layout the image uses is tested without Docker.
set -eu
mkdir -p "$1"
out="$(cd "$1" && pwd)"
variant="${2:-cpu}"
target="$(cd "${3:-worker/target}" && pwd)"

mkdir -p "$out/lib" "$out/libtorch" "$out/jni"
cp "$target"/lib/*.jar "$out/lib/"
find "$target" -maxdepth 1 -name 'semisup-worker-*.jar' ! -name '*-tests.jar' -exec cp {} "$out/lib/" \;
native="$(ls "$out"/lib/pytorch-native-cpu-*.jar)"
jni="$(ls "$out"/lib/pytorch-jni-*.jar)"
work="$(mktemp -d)"
(
  cd "$work"
  if [ "$variant" = cpu ]; then
    jar xf "$native" pytorch/cpu/linux-x86_64
    mv pytorch/cpu/linux-x86_64/* "$out/libtorch/"
  fi
  jar xf "$jni" "jnilib/linux-x86_64/$variant/libdjl_torch.so"
  mv "jnilib/linux-x86_64/$variant/libdjl_torch.so" "$out/jni/"
)
rm -rf "$work"
# With PYTORCH_LIBRARY_PATH set DJL never reads this jar; it would only add ~450 MB.
rm "$native"
ls "$out/libtorch" "$out/jni"
