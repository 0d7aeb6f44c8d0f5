#!/usr/bin/env bash
# Runs every step of e2e/kind/tiny-run.yaml the way the worker image does, without Docker: the
# files laid out by docker/assemble-worker.sh, the launcher docker/semisup, the environment of
# Dockerfile.worker plus what the operator's Jobs set, and nothing else from this machine's
# environment. It fails if DJL needs the pytorch-native-cpu jar, writes a cache or a home
# directory (both are read-only in a pod), or a step fails. Data: a Fashion-MNIST slice.
#   scripts/worker-layout-check.sh     (MAVEN_ARGS="-o" to build offline)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo/e2e/target/worker-layout"
step() { echo "worker-layout-check: $*" >&2; }
fail() { echo "worker-layout-check: FAILED: $*" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/tmp" "$out/home" "$out/store"

step "building the worker (mvn -pl worker -am package -DskipTests)"
# shellcheck disable=SC2086 # MAVEN_ARGS holds several flags
(cd "$repo" && mvn -q -B ${MAVEN_ARGS:-} -pl worker -am package -DskipTests)

step "laying out the image's files (docker/assemble-worker.sh)"
"$repo/docker/assemble-worker.sh" "$out/build" cpu "$repo/worker/target" >/dev/null
# As the libtorch-cpu stage of Dockerfile.worker: libtorch and the JNI library in one folder.
mkdir -p "$out/opt/semisup" "$out/opt/libtorch"
mv "$out/build/lib" "$out/opt/semisup/lib"
cp "$out/build/libtorch/"* "$out/build/jni/libdjl_torch.so" "$out/opt/libtorch/"
for jar in "$out"/opt/semisup/lib/pytorch-native-*.jar; do
  [[ -e $jar ]] && fail "$(basename "$jar") left in lib/"
done

step "slicing Fashion-MNIST"
"$repo/e2e/kind/fashion-mnist-slice.sh" "$out/data" 3000 1000

# The kind manifest, reading the slice from disk and writing to a local store.
sed -e "s#s3://semisup/datasets/fashion-mnist-slice/#file://$out/data/#" \
    -e '/endpoint:/d' -e '/credentialsSecret:/d' "$repo/e2e/kind/tiny-run.yaml" > "$out/run.yaml"
shards="$(sed -n 's/^ *shards: *\([0-9]*\).*/\1/p' "$out/run.yaml")"

run_step() { # step id, extra args
  step "semisup stage $*"
  env -i PATH="/usr/local/bin:/usr/bin:/bin${JAVA_HOME:+:$JAVA_HOME/bin}" \
    SEMISUP_HOME="$out/opt/semisup" \
    PYTORCH_LIBRARY_PATH="$out/opt/libtorch" PYTORCH_FLAVOR=cpu OPT_OUT_TRACKING=true DJL_OFFLINE=true \
    DJL_CACHE_DIR="$out/tmp/djl" ENGINE_CACHE_DIR="$out/tmp/djl" HOME="$out/home" \
    OMP_NUM_THREADS=1 SEMISUP_THREADS=1 \
    JAVA_TOOL_OPTIONS="-Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1" \
    SEMISUP_RUN_NAME=tiny SEMISUP_RUN_NAMESPACE=semisup SEMISUP_TERMINATION_LOG="$out/termination-log" \
    sh "$repo/docker/semisup" stage "$@" --spec-file "$out/run.yaml" --store "$out/store" \
    >>"$out/steps.log" 2>&1 || { tail -40 "$out/steps.log" >&2; fail "semisup stage $* (log: $out/steps.log)"; }
}
run_step teacher
for ((shard = 0; shard < shards; shard++)); do run_step infer --shard "$shard"; done
run_step select
# Pack pods: packShards when the manifest sets it, else as many as infer shards (SamplingSpec).
packs="$(sed -n 's/^ *packShards: *\([0-9]*\).*/\1/p' "$out/run.yaml")"
for ((shard = 0; shard < ${packs:-$shards}; shard++)); do run_step pack --shard "$shard"; done
run_step student
run_step finetune

report="$out/store/semisup/runs/semisup/tiny/report.json"
[[ -s "$report" ]] || fail "no report at $report"
[[ -z "$(ls -A "$out/tmp/djl" 2>/dev/null)" ]] || fail "DJL wrote into its cache: $(ls -A "$out/tmp/djl")"
[[ -z "$(ls -A "$out/home")" ]] || fail "something wrote into HOME: $(ls -A "$out/home")"
grep -q "Loading native library: $out/opt/libtorch/libtorch_cpu.so" "$out/steps.log" \
  || step "(DJL's DEBUG log is off: cannot show where libtorch came from; the empty cache shows it)"
step "OK: every step ran with the image's layout; report: $(tr -d '\n' < "$report" | cut -c1-300)"
