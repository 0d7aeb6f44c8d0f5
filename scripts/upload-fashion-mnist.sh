#!/usr/bin/env bash
# Uploads Fashion-MNIST (or a slice of it) into the chart's MinIO, through a short-lived mc pod
# that reads the credentials from the chart's Secret (nothing secret leaves the cluster).
#
#   scripts/upload-fashion-mnist.sh [--namespace semisup] [--context CTX] [--base semisup]
#                                   [--secret semisup-minio] [--bucket semisup] [--prefix datasets/fashion-mnist]
#                                   [--slice TRAIN TEST | --from DIR] [--keep-pod]
#
# --namespace is the chart's namespace (where MinIO runs); --base the chart's base name (release
# "semisup" -> Service and Secret "semisup-minio"); --secret when minio.credentialsSecret is set.
# --slice uploads only the first TRAIN/TEST images (default prefix then datasets/fashion-mnist-slice);
# --from uploads the four files found in DIR as they are (e.g. a slice made beforehand).
# --keep-pod leaves the pod "semisup-mc" running for more `kubectl exec semisup-mc -- mc ...`
# (alias "store"). Data: $FASHION_MNIST_DIR, else /usr/share/datasets/fashion-mnist, else upstream.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
namespace=semisup
context=""
base=semisup
secret=""
bucket=semisup
prefix=""
slice=()
from=""
keep_pod=false
pod=semisup-mc
mc_image="${MC_IMAGE:-quay.io/minio/mc:RELEASE.2025-04-16T18-13-26Z}"
files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
upstream=http://fashion-mnist.s3-website.eu-central-1.amazonaws.com

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit "${1:-0}"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n|--namespace) namespace="$2"; shift 2 ;;
    --context) context="$2"; shift 2 ;;
    --base) base="$2"; shift 2 ;;
    --secret) secret="$2"; shift 2 ;;
    --bucket) bucket="$2"; shift 2 ;;
    --prefix) prefix="$2"; shift 2 ;;
    --slice) slice=("$2" "$3"); shift 3 ;;
    --from) from="$2"; shift 2 ;;
    --keep-pod) keep_pod=true; shift ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
  esac
done
secret="${secret:-$base-minio}"
if [[ -z $prefix ]]; then
  prefix=datasets/fashion-mnist
  [[ ${#slice[@]} -eq 0 && -z $from ]] || prefix=datasets/fashion-mnist-slice
fi

kubectl="$(command -v kubectl || true)"
[[ -n $kubectl ]] || kubectl="$repo/.tools/kubectl/kubectl"
[[ -x $kubectl ]] || { echo "kubectl not found (scripts/install-helm.sh installs one into .tools/)" >&2; exit 1; }
k() { "$kubectl" ${context:+--context "$context"} -n "$namespace" "$@"; }

work="$(mktemp -d)"
cleanup() {
  rm -rf "$work"
  if [[ $keep_pod != true ]]; then k delete pod "$pod" --ignore-not-found --wait=false >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

if [[ -n $from ]]; then
  data="$from"
elif [[ ${#slice[@]} -gt 0 ]]; then
  "$repo/e2e/kind/fashion-mnist-slice.sh" "$work/data" "${slice[0]}" "${slice[1]}"
  data="$work/data"
else
  data="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
  if [[ ! -f "$data/${files[0]}" ]]; then
    data="$work/data"
    mkdir -p "$data"
    for f in "${files[@]}"; do
      echo "downloading $upstream/$f"
      curl -fsSL --retry 3 -o "$data/$f" "$upstream/$f"
    done
  fi
fi

for f in "${files[@]}"; do
  [[ -s "$data/$f" ]] || { echo "missing $data/$f" >&2; exit 1; }
done

echo "starting pod $pod ($mc_image) in namespace $namespace"
k delete pod "$pod" --ignore-not-found >/dev/null
k apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $pod
  labels:
    app.kubernetes.io/part-of: semisup
    app.kubernetes.io/component: mc
spec:
  automountServiceAccountToken: false
  restartPolicy: Never
  securityContext:
    runAsNonRoot: true
    runAsUser: 1000
    runAsGroup: 1000
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: mc
      image: $mc_image
      command: ["/bin/sh", "-c", "sleep 7200"]
      env:
        - name: ACCESS_KEY
          valueFrom:
            secretKeyRef: {name: $secret, key: accessKey}
        - name: SECRET_KEY
          valueFrom:
            secretKeyRef: {name: $secret, key: secretKey}
        - name: MC_HOST_store
          value: http://\$(ACCESS_KEY):\$(SECRET_KEY)@$base-minio.$namespace.svc:9000
        - name: MC_CONFIG_DIR
          value: /tmp/.mc
      resources:
        requests: {cpu: 10m, memory: 32Mi}
        limits: {memory: 256Mi}
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities: {drop: [ALL]}
      volumeMounts:
        - {name: tmp, mountPath: /tmp}
  volumes:
    - name: tmp
      emptyDir: {}
YAML
k wait --for=condition=Ready "pod/$pod" --timeout=180s >/dev/null

echo "uploading to s3://$bucket/$prefix/"
for f in "${files[@]}"; do
  echo "  $f ($(wc -c < "$data/$f") bytes)"
  k exec -i "$pod" -- mc pipe --quiet "store/$bucket/$prefix/$f" < "$data/$f" >/dev/null
done
k exec "$pod" -- mc ls "store/$bucket/$prefix/"
