#!/usr/bin/env bash
# Lints and renders the chart offline: helm lint --strict, then helm template with the default
# values and with ci/all-options-values.yaml (every option set). The rendered YAML lands in
# e2e/target/helm/{default,all-options,namespaced}.yaml and the rendered NOTES.txt next to it,
# where ChartRenderTest and RbacCoverageTest read them. Exits non-zero at the first failure.
# helm: $HELM_BIN, else .tools/helm/helm (scripts/install-helm.sh puts it there).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
chart="$repo/helm/semisup-operator"
out="$repo/e2e/target/helm"
helm="${HELM_BIN:-$repo/.tools/helm/helm}"
release=semisup
namespace=semisup

step() { echo "helm-check: $*" >&2; }
fail() { echo "helm-check: FAILED: $*" >&2; exit 1; }

[[ -x "$helm" ]] || fail "no helm at $helm (run scripts/install-helm.sh or set HELM_BIN)"
# Keep helm's caches and config inside the build, never in the user's home.
export HELM_CACHE_HOME="$repo/.tools/helm-home/cache" HELM_CONFIG_HOME="$repo/.tools/helm-home/config" \
  HELM_DATA_HOME="$repo/.tools/helm-home/data"
mkdir -p "$out" "$HELM_CACHE_HOME" "$HELM_CONFIG_HOME" "$HELM_DATA_HOME"
step "using $("$helm" version --short) at $helm"

step "checking that the chart's CRD is the committed one"
crd_name=semisupervisedruns.semisup.dev-v1.yml
reference="$repo/crds/$crd_name"
[[ -f "$reference" ]] || reference="$repo/crds/target/classes/META-INF/fabric8/$crd_name"
if [[ -f "$reference" ]]; then
  cmp -s "$reference" "$chart/crds/$crd_name" \
    || fail "$chart/crds/$crd_name differs from $reference; copy it: cp $reference $chart/crds/"
else
  step "no CRD to compare with yet (neither crds/$crd_name nor a generated one); ChartCrdTest checks it"
fi

step "helm lint --strict (default values)"
"$helm" lint --strict "$chart"
step "helm lint --strict (ci/all-options-values.yaml)"
"$helm" lint --strict -f "$chart/ci/all-options-values.yaml" "$chart"

render() { # name, extra helm args...
  local name="$1"; shift
  step "helm template $* -> e2e/target/helm/$name.yaml"
  "$helm" template "$release" "$chart" --namespace "$namespace" --include-crds "$@" > "$out/$name.yaml.tmp"
  mv "$out/$name.yaml.tmp" "$out/$name.yaml"
}
render default
render all-options -f "$chart/ci/all-options-values.yaml"
# Namespaced RBAC with one replica (no leader election) and the cluster-wide one with leader
# election: RbacCoverageTest needs both shapes of the rules.
render namespaced --set 'watchNamespaces={team-a,team-b}'
render cluster-leader-election --set replicas=2

# helm template never renders NOTES.txt; wrap it in a throw-away chart that prints it as a value.
render_notes() { # name, extra helm args...
  local name="$1"; shift
  local tmp
  tmp="$(mktemp -d)"
  cp -r "$chart" "$tmp/chart"
  { echo '{{- define "semisup.notes" -}}'; cat "$chart/templates/NOTES.txt"; echo '{{- end -}}'; } > "$tmp/chart/templates/_notes.tpl"
  rm "$tmp/chart/templates/NOTES.txt"
  printf 'notes: |\n{{ include "semisup.notes" . | indent 2 }}\n' > "$tmp/chart/templates/notes.yaml"
  step "rendering NOTES.txt $* -> e2e/target/helm/notes-$name.txt"
  "$helm" template "$release" "$tmp/chart" --namespace "$namespace" --show-only templates/notes.yaml "$@" \
    | sed -e '1,/^notes: |$/d' -e 's/^  //' > "$out/notes-$name.txt"
  rm -rf "$tmp"
  [[ -s "$out/notes-$name.txt" ]] || fail "NOTES.txt rendered empty ($name)"
}
render_notes default
render_notes minio --set minio.enabled=true

step "checking that values outside the schema are refused"
if "$helm" template "$release" "$chart" --set replicas=0 >/dev/null 2>&1; then
  fail "values.schema.json accepted replicas=0"
fi
if "$helm" template "$release" "$chart" --set notAValue=1 >/dev/null 2>&1; then
  fail "values.schema.json accepted an unknown key"
fi

step "OK: rendered into $out"
