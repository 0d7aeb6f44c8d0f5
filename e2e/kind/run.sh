#!/usr/bin/env bash
# End-to-end on a real cluster: kind + both images + the chart with its MinIO + a tiny
# Fashion-MNIST run that has to reach status.phase=Succeeded. Needs docker, kind, curl or a local
# copy of Fashion-MNIST; helm and kubectl come from .tools/ (scripts/install-helm.sh) or PATH.
#
#   e2e/kind/run.sh                 # whole flow, deletes the cluster at the end
#   KEEP_CLUSTER=1 e2e/kind/run.sh  # keep it for a look around afterwards
#
# After the run succeeds, faults a cluster has are injected, each checked by what the run shows
# (docs in e2e/README.md): an unschedulable pod, bad input (a missing pool: the first step's
# preflight exits 2, which fails the Job at once through its podFailurePolicy), a Job deleted
# before its outcome was read, and a same-name run re-created on the first one's artifacts. SKIP_FAULTS=1 leaves them out.
#
# Environment: E2E_TIMEOUT (seconds to wait for the run, default 1800), FASHION_MNIST_DIR (folder
# with the four *-ubyte.gz files; default /usr/share/datasets/fashion-mnist, else downloaded),
# TRAIN_IMAGES / TEST_IMAGES (slice size, default 3000 / 1000), KIND_NODE_IMAGE (kindest/node:...).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cluster=semisup-e2e
context="kind-$cluster"
namespace=semisup
release=semisup
run=tiny
timeout="${E2E_TIMEOUT:-1800}"
train_images="${TRAIN_IMAGES:-3000}"
test_images="${TEST_IMAGES:-1000}"
worker_image=semisup-worker:e2e
operator_image=semisup-operator:e2e
work="$(mktemp -d)"
cluster_created=false

step() { printf '\n==> %s\n' "$*"; }
die() { printf '\nE2E FAILED: %s\n' "$*" >&2; exit 1; }

find_tool() { # name, repo-local path
  if [[ -x "$repo/$2" ]]; then echo "$repo/$2"; elif command -v "$1" >/dev/null; then command -v "$1"; fi
}

k() { "$kubectl" --context "$context" -n "$namespace" "$@"; }

diagnostics() {
  echo "---- SemiSupervisedRuns"
  k get ssr -o yaml || true
  echo "---- Jobs and pods"
  k get jobs,pods -o wide || true
  for job in $(k get jobs -o name 2>/dev/null); do
    echo "---- logs of $job"
    k logs "$job" --all-containers --tail=200 || true
  done
  echo "---- operator logs"
  k logs deployment/semisup-operator --tail=300 || true
  echo "---- events"
  k get events --sort-by=.lastTimestamp | tail -50 || true
}

finish() {
  local status=$?
  if [[ $status -ne 0 && $cluster_created == true ]]; then
    step "diagnostics (exit status $status)"
    diagnostics
  fi
  if [[ $cluster_created == true && "${KEEP_CLUSTER:-}" != 1 ]]; then
    step "deleting kind cluster $cluster"
    kind delete cluster --name "$cluster" || true
  fi
  rm -rf "$work"
  if [[ $status -eq 0 ]]; then
    printf '\nE2E PASSED\n'
  else
    printf '\nE2E FAILED (exit status %s)\n' "$status" >&2
  fi
}
trap finish EXIT

step "checking tools"
command -v docker >/dev/null || die "docker is needed"
command -v kind >/dev/null || die "kind is needed (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)"
helm="$(find_tool helm .tools/helm/helm)"
kubectl="$(find_tool kubectl .tools/kubectl/kubectl)"
if [[ -z $helm || -z $kubectl ]]; then
  echo "helm or kubectl missing: installing them into .tools/"
  "$repo/scripts/install-helm.sh" >/dev/null
  helm="$repo/.tools/helm/helm"
  kubectl="$repo/.tools/kubectl/kubectl"
fi
docker version --format 'docker {{.Server.Version}}'
kind version
"$helm" version --short
"$kubectl" version --client | head -1

step "preparing a Fashion-MNIST slice ($train_images training, $test_images test images)"
"$repo/e2e/kind/fashion-mnist-slice.sh" "$work/slice" "$train_images" "$test_images"

step "creating kind cluster $cluster"
if kind get clusters 2>/dev/null | grep -qx "$cluster"; then
  echo "a cluster named $cluster exists from an earlier run: deleting it"
  kind delete cluster --name "$cluster"
fi
cluster_created=true
kind create cluster --name "$cluster" --wait 180s ${KIND_NODE_IMAGE:+--image "$KIND_NODE_IMAGE"}

step "building $worker_image (Dockerfile.worker)"
DOCKER_BUILDKIT=1 docker build -f "$repo/Dockerfile.worker" -t "$worker_image" "$repo"
step "building $operator_image (Dockerfile.operator)"
DOCKER_BUILDKIT=1 docker build -f "$repo/Dockerfile.operator" -t "$operator_image" "$repo"

step "loading both images into the cluster"
kind load docker-image --name "$cluster" "$worker_image" "$operator_image"

step "helm install $release (minio.enabled=true) into namespace $namespace"
"$helm" install "$release" "$repo/helm/semisup-operator" \
  --kube-context "$context" --namespace "$namespace" --create-namespace \
  --set image.repository=semisup-operator --set image.tag=e2e --set image.pullPolicy=Never \
  --set minio.enabled=true --set minio.persistence.size=2Gi \
  --set worker.image.repository=semisup-worker \
  --wait --timeout 10m
k rollout status deployment/semisup-operator --timeout=180s
k rollout status deployment/semisup-minio --timeout=180s

step "uploading the slice to s3://semisup/datasets/fashion-mnist-slice/ (scripts/upload-fashion-mnist.sh)"
# --keep-pod: the mc pod stays for reading the report at the end.
"$repo/scripts/upload-fashion-mnist.sh" --context "$context" --namespace "$namespace" \
  --from "$work/slice" --keep-pod

step "applying e2e/kind/tiny-run.yaml"
k apply -f "$repo/e2e/kind/tiny-run.yaml"

step "waiting up to ${timeout}s for $run to reach Succeeded"
deadline=$((SECONDS + timeout))
last=""
while true; do
  phase="$(k get ssr "$run" -o jsonpath='{.status.phase}')"
  now="$(k get ssr "$run" -o jsonpath='{.status.phase} {.status.stage} {.status.progress}')"
  if [[ "$now" != "$last" ]]; then
    printf '  %s  %s\n' "$(date -u +%H:%M:%S)" "$now"
    last="$now"
  fi
  case "$phase" in
    Succeeded) break ;;
    Failed) die "run $run Failed: $(k get ssr "$run" -o jsonpath='{.status.conditions}')" ;;
  esac
  if (( SECONDS > deadline )); then
    die "run $run did not succeed within ${timeout}s (last: $now)"
  fi
  sleep 10
done

step "result"
k get ssr -o wide
final="$(k get ssr "$run" -o jsonpath='{.status.metrics.finalAccuracy}')"
[[ -n "$final" ]] || die "status.metrics.finalAccuracy is empty"
report="$(k get ssr "$run" -o jsonpath='{.status.artifacts.report}')"
report="${report:-s3://semisup/runs/$namespace/$run/report.json}"
echo "report: $report"
k exec semisup-mc -- mc cat "store/${report#s3://}"
echo
echo "final accuracy: $final"

[[ "${SKIP_FAULTS:-}" == 1 ]] && exit 0

# A variant of the tiny run: e2e/kind/variants/<name>.sed applied to tiny-run.yaml (a sed script,
# so ExampleManifestSchemaTest makes the same manifest and checks it against the CRD and SpecValidator).
variant() { # name
  local file="$work/$1.yaml"
  sed -f "$repo/e2e/kind/variants/$1.sed" "$repo/e2e/kind/tiny-run.yaml" > "$file"
  k apply -f "$file"
}

# Waits until the run's condition has the reason: run, condition type, reason, seconds.
expect_condition() {
  local name="$1" type="$2" reason="$3" wait="$4" deadline=$((SECONDS + $4)) got=""
  while (( SECONDS < deadline )); do
    got="$(k get ssr "$name" -o jsonpath="{.status.conditions[?(@.type==\"$type\")].reason}")"
    [[ "$got" == "$reason" ]] && { echo "  $name: $type reason $reason"; return 0; }
    sleep 5
  done
  die "$name: condition $type has reason '${got}', not $reason, after ${wait}s"
}

step "fault: a pod no node can take (nodeSelector nobody matches) is reported, not Running forever"
variant unschedulable
expect_condition unschedulable Progressing Unschedulable 180
k delete ssr unschedulable --wait=true

step "fault: bad input (a missing pool, found by the first step's preflight) fails the Job at once (exit 2, podFailurePolicy)"
variant bad-input
expect_condition bad-input Failed StepFailed "$timeout"
failed_job="bad-input-$(k get ssr bad-input -o jsonpath='{.status.stage}')"
failed_pods="$(k get job "$failed_job" -o jsonpath='{.status.failed}')"
reason="$(k get job "$failed_job" -o jsonpath='{.status.conditions[?(@.type=="Failed")].reason}')"
[[ "$reason" == PodFailurePolicy ]] || die "$failed_job failed with reason '$reason', not PodFailurePolicy"
# retries: 1 in tiny-run.yaml: bad input retried would show two failed pods.
(( failed_pods <= 1 )) || die "$failed_job retried bad input: $failed_pods failed pods"
k delete ssr bad-input --wait=true

step "fault: a Job deleted before its outcome was read fails the step as JobLost, never re-run silently"
variant lost
until k get job lost-teacher >/dev/null 2>&1; do sleep 2; done
k delete job lost-teacher --cascade=foreground --wait=true
expect_condition lost Failed JobLost 180
k get job lost-teacher >/dev/null 2>&1 && die "lost-teacher was created again"
k delete ssr lost --wait=true

step "fault: the same name re-created on the first run's artifacts is refused"
if k exec semisup-mc -- mc stat "store/semisup/runs/$namespace/$run/run.json" >/dev/null 2>&1; then
  k delete ssr "$run" --wait=true
  k apply -f "$repo/e2e/kind/tiny-run.yaml"
  expect_condition "$run" Failed PrefixOwnedByAnotherRun 120
  k get job "$run-teacher" >/dev/null 2>&1 && die "the re-created $run started a Job on the old artifacts"
else
  echo "  SKIP: this worker build writes no run.json (the worker side of the run marker)"
fi

step "every fault showed as expected"
