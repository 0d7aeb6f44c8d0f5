#!/usr/bin/env bash
# Starts the images the way a cluster does and fails if one does not work:
#   worker:   `semisup --help`, then a whole tiny run (teacher, inference, selection, student,
#             fine-tuning) on a Fashion-MNIST slice with a pool of JPEG files, as uid 1000 on a
#             read-only root with only /tmp writable, no network and 2 GiB of memory. It must
#             load libtorch from /opt/libtorch (nothing unpacked into the DJL cache) and decode
#             the JPEGs with libjpeg-turbo (not ImageIO).
#   trainer:  a torch-ddp teacher step of that data as a group of 2 containers (the operator's
#             torchrun launch line, ranks 0 and 1, gloo over 127.0.0.1), each as uid 1000 on a
#             read-only root with only /tmp writable, on the host's network (as the e2e test), into a
#             store folder mounted in; it must write model.pt, model-card.json and _SUCCESS, and
#             the worker image's `semisup predict` must load that model.pt and measure on the test
#             images the accuracy the trainer measured.
#   operator: started with the environment the Helm chart's Deployment renders, uid 1000,
#             read-only root, /tmp writable; with no API server to reach it must log why (the
#             connection to the API server) and exit non-zero, so the kubelet restarts it. Its
#             /healthz and /readyz against a real API server are checked by the container e2e
#             test (ContainerEndToEndTest).
#
#   scripts/check-images.sh        (scripts/build-images.sh --check runs it after building)
#
# Environment: WORKER_IMAGE, OPERATOR_IMAGE, TRAINER_IMAGE, CONTAINER_ENGINE, PODMAN_FLAGS as in build-images.sh;
# HELM_BIN (else scripts/install-helm.sh installs helm under .tools/). Needs cjpeg
# (libjpeg-turbo-progs) and curl; Fashion-MNIST from /usr/share/datasets/fashion-mnist
# (dataset-fashion-mnist) or, failing that, its upstream site.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
worker_image="${WORKER_IMAGE:-localhost/semisup-worker:dev}"
operator_image="${OPERATOR_IMAGE:-localhost/semisup-operator:dev}"
trainer_image="${TRAINER_IMAGE:-localhost/semisup-trainer:dev}"
engine="${CONTAINER_ENGINE:-$(command -v podman >/dev/null && echo podman || echo docker)}"
work="$repo/target/image-check"

step() { echo "check-images: $*" >&2; }
fail() { echo "check-images: FAILED: $*" >&2; exit 1; }

engine_args=()
if [[ $engine == podman ]]; then
  # shellcheck disable=SC2206 # PODMAN_FLAGS holds several flags: split on purpose.
  engine_args=(${PODMAN_FLAGS:---runtime runc --ulimit nofile=1024:1024 --ulimit nproc=4096:4096})
fi
for tool in "$engine" cjpeg curl; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (cjpeg: apt-get install libjpeg-turbo-progs)"
done
# As a pod with the chart's securityContext: uid 1000, read-only root, /tmp an emptyDir (a
# tmpfs that allows exec: JNA loads its native library from there, as it does from an emptyDir).
pod_like=(--user 1000:1000 --read-only --tmpfs "/tmp:rw,exec,nosuid,nodev,size=1g")

containers=()
remove_containers() {
  for container in "${containers[@]}"; do "$engine" rm -f "$container" >/dev/null 2>&1 || true; done
}
trap remove_containers EXIT

rm -rf "$work"
mkdir -p "$work/data/pool"

step "worker: semisup --help"
help="$("$engine" run --rm "${engine_args[@]}" "${pod_like[@]}" --network none "$worker_image" --help 2>&1)" \
  || fail "semisup --help in $worker_image: $help"
grep -q '^Usage: semisup' <<<"$help" || fail "semisup --help in $worker_image printed: $help"

step "worker: data for a tiny run (Fashion-MNIST slice, 300 pool images as JPEG files)"
"$repo/e2e/kind/fashion-mnist-slice.sh" "$work/data/idx" 1300 200
# Pool images: training images 1000-1299 (past the labeled set's limit), each 784 bytes after the
# 16-byte IDX header, as a 28x28 grey PGM turned into a JPEG.
gzip -dc "$work/data/idx/train-images-idx3-ubyte.gz" | tail -c +17 > "$work/pixels.raw"
for ((i = 1000; i < 1300; i++)); do
  { printf 'P5\n28 28\n255\n'; dd if="$work/pixels.raw" bs=784 skip="$i" count=1 status=none; } \
    | cjpeg -quality 90 > "$work/data/pool/$i.jpg"
done
cat > "$work/data/run.yaml" <<'EOF'
apiVersion: semisup.dev/v1alpha1
kind: SemiSupervisedRun
metadata:
  name: image-check
spec:
  data:
    classes: 10
    imageSize: 28
    channels: 1
    labeled:
      uri: file:///data/idx/train-images-idx3-ubyte.gz
      labelsUri: file:///data/idx/train-labels-idx1-ubyte.gz
      format: idx
      limit: 1000
      perClass: 20
      seed: 1
    unlabeled:
      uri: file:///data/pool/
      format: folder
    validation:
      uri: file:///data/idx/t10k-images-idx3-ubyte.gz
      labelsUri: file:///data/idx/t10k-labels-idx1-ubyte.gz
      format: idx
  teacher:
    architecture: cnn-small
    training: {epochs: 1, batchSize: 32, seed: 1}
  student:
    architecture: cnn-small
    training: {epochs: 1, batchSize: 32, seed: 2}
    finetuning: {epochs: 1, batchSize: 32, seed: 3}
  sampling:
    topK: 10
    topP: 1
    shards: 1
EOF

step "worker: semisup run (read-only root, uid 1000, no network, 2 GiB)"
started=$(date +%s)
# DEBUG names the JPEG decoder chosen; the last lines list what DJL put in its cache (nothing, when
# libtorch comes from /opt/libtorch) and what the run wrote.
# shellcheck disable=SC2016 # the script runs in the container's shell, not this one.
"$engine" run --rm "${engine_args[@]}" "${pod_like[@]}" --network none --memory 2g \
  -v "$work/data:/data:ro" -e SEMISUP_LOG_LEVEL=DEBUG -e OMP_NUM_THREADS=2 --entrypoint /bin/sh "$worker_image" -c '
    semisup run /data/run.yaml --store /tmp/store || exit $?
    echo "djl cache: [$(ls -A /tmp/djl 2>/dev/null | tr "\n" " ")]"
    echo "report: $(find /tmp/store -name report.json)"' > "$work/run.log" 2>&1 \
  || { tail -40 "$work/run.log" >&2; fail "semisup run in $worker_image (log: $work/run.log)"; }
grep -q 'JPEG decoder: libjpeg-turbo' "$work/run.log" \
  || fail "the worker did not decode JPEG with libjpeg-turbo: $(grep -m1 'JPEG decoder' "$work/run.log" || echo 'no decoder line') (log: $work/run.log)"
grep -q '^djl cache: \[\]$' "$work/run.log" \
  || fail "DJL unpacked an engine instead of using /opt/libtorch: $(grep '^djl cache' "$work/run.log")"
grep -q '^report: /tmp/store/.*/report.json$' "$work/run.log" || fail "the run wrote no report.json (log: $work/run.log)"
step "worker: OK in $(( $(date +%s) - started )) s (libtorch from /opt/libtorch, JPEG by libjpeg-turbo, writes only /tmp)"

step "trainer: a torch-ddp teacher step as 2 containers (uid 1000, read-only root, gloo on 127.0.0.1)"
trainer_user="$("$engine" image inspect --format '{{.Config.User}}' "$trainer_image")"
[[ $trainer_user == 1000:1000 ]] || fail "$trainer_image runs as '$trainer_user', not 1000:1000 (runAsNonRoot)"
# The trainer reads the spec as JSON: run.yaml's, with the teacher on torch-ddp over 2 nodes.
cat > "$work/data/trainer-spec.json" <<'EOF'
{"data": {"classes": 10, "imageSize": 28, "channels": 1,
  "labeled": {"uri": "file:///data/idx/train-images-idx3-ubyte.gz",
    "labelsUri": "file:///data/idx/train-labels-idx1-ubyte.gz", "format": "idx", "limit": 1000, "perClass": 20, "seed": 1},
  "unlabeled": {"uri": "file:///data/pool/", "format": "folder"},
  "validation": {"uri": "file:///data/idx/t10k-images-idx3-ubyte.gz",
    "labelsUri": "file:///data/idx/t10k-labels-idx1-ubyte.gz", "format": "idx"}},
 "teacher": {"architecture": "cnn-small", "engine": {"type": "torch-ddp", "nodes": 2},
   "training": {"epochs": 1, "batchSize": 32, "seed": 1}},
 "student": {"architecture": "cnn-small", "training": {"epochs": 1, "batchSize": 32, "seed": 2}},
 "sampling": {"topK": 10, "topP": 1, "shards": 1}}
EOF
trainer_store="$work/trainer-store"
trainer_prefix=runs/local/image-check-ddp
mkdir -p "$trainer_store"
chmod 0777 "$trainer_store" # written by uid 1000, as a pod writes its object store
master_port=$((30000 + RANDOM % 10000))
started=$(date +%s)
rank_pids=()
for rank in 0 1; do
  container="semisup-trainer-check-$$-$rank"
  containers+=("$container")
  # The operator's launch line (PodGroup.DEFAULT_COMMAND) as the kubelet expands its $(VAR)s.
  "$engine" run --rm --name "$container" "${engine_args[@]}" "${pod_like[@]}" --network host --memory 2g \
    -v "$work/data:/data:ro" -v "$trainer_store:/store:rw" -e OMP_NUM_THREADS=1 \
    -e SEMISUP_SPEC_FILE=/data/trainer-spec.json -e SEMISUP_STORE_DIR=/store -e SEMISUP_STORE_PREFIX="$trainer_prefix" \
    "$trainer_image" torchrun --nnodes=2 --node-rank="$rank" --nproc-per-node=1 --master-addr=127.0.0.1 \
    --master-port="$master_port" -m semisup_trainer teacher > "$work/trainer-rank-$rank.log" 2>&1 &
  rank_pids+=($!)
done
for rank in 0 1; do
  wait "${rank_pids[$rank]}" || { tail -30 "$work/trainer-rank-$rank.log" >&2
    fail "rank $rank of the torch-ddp teacher in $trainer_image failed (log: $work/trainer-rank-$rank.log)"; }
done
for rank in 0 1; do
  grep -q "teacher: rank $rank of 2 on cpu" "$work/trainer-rank-$rank.log" \
    || fail "rank $rank did not train as rank $rank of 2 (log: $work/trainer-rank-$rank.log)"
done
teacher_folder="$trainer_store/$trainer_prefix/teacher"
for artifact in model.pt model-card.json _SUCCESS; do
  [[ -e $teacher_folder/$artifact ]] || fail "the trainer wrote no $artifact in $teacher_folder (logs: $work/trainer-rank-*.log)"
done
step "trainer: OK in $(( $(date +%s) - started )) s (2 ranks wrote model.pt, model-card.json, _SUCCESS)"

step "worker: semisup predict with the trainer's model.pt (read-only store, no network)"
predicted="$("$engine" run --rm "${engine_args[@]}" "${pod_like[@]}" --network none --memory 2g \
  -v "$work/data:/data:ro" -v "$trainer_store:/store:ro" "$worker_image" predict \
  --model "/store/$trainer_prefix/teacher" --labels /data/idx/t10k-labels-idx1-ubyte.gz \
  /data/idx/t10k-images-idx3-ubyte.gz 2>&1)" \
  || fail "semisup predict in $worker_image could not use the trainer's model: $predicted"
echo "$predicted" > "$work/predict.log"
# The same 200 test images, so the worker's libtorch must agree with the trainer's PyTorch.
trained="$(sed -n 's/.*teacher: validation accuracy \([0-9.]*\) on 200 images.*/\1/p' "$work/trainer-rank-0.log")"
predicted_accuracy="$(sed -n 's/^accuracy \([0-9.]*\) (.* of 200 labeled images)$/\1/p' <<<"$predicted")"
[[ -n $trained && $trained == "$predicted_accuracy" ]] \
  || fail "the trainer measured accuracy '$trained' on the test images, semisup predict '$predicted_accuracy' with its model.pt (logs: $work/trainer-rank-0.log, $work/predict.log)"
step "worker: OK (predicts with the trainer's model.pt: accuracy $predicted_accuracy, as the trainer measured)"

step "operator: the environment the chart's Deployment renders"
helm_bin="${HELM_BIN:-$(bash "$repo/scripts/install-helm.sh")}"
port=$((20000 + RANDOM % 10000))
"$helm_bin" template semisup "$repo/helm/semisup-operator" --namespace semisup --set "operator.httpPort=$port" \
  --show-only templates/deployment.yaml > "$work/deployment.yaml"
# `- name: X` followed by `value: "..."` (helm's quote); OPERATOR_NAMESPACE comes from the
# downward API, so it is set below as the kubelet would.
awk '/^ *- name: / { name = $3; next }
     name != "" && /^ *value: / { sub(/^ *value: /, ""); gsub(/^"|"$/, ""); print name "=" $0 }
     { name = "" }' "$work/deployment.yaml" > "$work/operator.env"
grep -q "^HTTP_PORT=$port$" "$work/operator.env" || fail "no HTTP_PORT in the rendered env: $(cat "$work/operator.env")"
grep -q '^WATCH_NAMESPACES=' "$work/operator.env" || fail "no WATCH_NAMESPACES in the rendered env: $(cat "$work/operator.env")"
echo "OPERATOR_NAMESPACE=semisup" >> "$work/operator.env"
# No API server: port 1 on this machine, where nothing listens.
echo "KUBERNETES_MASTER=https://127.0.0.1:1" >> "$work/operator.env"

step "operator: start (read-only root, uid 1000, no API server to reach)"
name="semisup-operator-check-$$"
containers+=("$name")
"$engine" run -d --name "$name" "${engine_args[@]}" "${pod_like[@]}" --network host --memory 512m \
  --env-file "$work/operator.env" "$operator_image" >/dev/null
# An operator that cannot start must exit, so the kubelet restarts it (and the pod shows why)
# instead of keeping a live /healthz over a process that will never reconcile.
exit_code=""
for ((second = 0; second < 120; second++)); do
  [[ "$("$engine" inspect --format '{{.State.Running}}' "$name")" == true ]] || {
    exit_code="$("$engine" inspect --format '{{.State.ExitCode}}' "$name")"; break; }
  sleep 1
done
"$engine" logs "$name" > "$work/operator.log" 2>&1
[[ -n $exit_code ]] || fail "the operator kept running for 120 s though it cannot reach an API server (log: $work/operator.log)"
[[ $exit_code != 0 ]] || fail "the operator exited 0 though it could not start (log: $work/operator.log)"
grep -q 'java.net.ConnectException' "$work/operator.log" \
  || fail "the operator did not report the unreachable API server (log: $work/operator.log)"
grep -q 'semisup operator could not start' "$work/operator.log" \
  || fail "the operator did not say it could not start (log: $work/operator.log)"
grep -q 'Picked up JAVA_TOOL_OPTIONS: .*-Djava.io.tmpdir=/tmp' "$work/operator.log" \
  || fail "the chart's JAVA_TOOL_OPTIONS did not reach the JVM (log: $work/operator.log)"
watched="$(sed -n 's/^WATCH_NAMESPACES=//p' "$work/operator.env")"
grep -q "Registered reconciler: .* for namespace(s): \[$watched\]" "$work/operator.log" \
  || fail "the operator does not watch the chart's WATCH_NAMESPACES=$watched (log: $work/operator.log)"
if grep -E -m1 'Read-only file system|AccessDeniedException' "$work/operator.log"; then
  fail "the operator tried to write outside /tmp (log: $work/operator.log)"
fi
step "operator: OK (API server unreachable: logged and exited $exit_code)"
