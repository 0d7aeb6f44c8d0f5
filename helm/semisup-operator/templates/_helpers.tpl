{{/* Chart name, for the app.kubernetes.io/name label. */}}
{{- define "semisup.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Base of every resource name: the release name when it already says "semisup" (a trailing
"-operator" dropped, so release "semisup-operator" gives "semisup-operator", not
"semisup-operator-operator"), else "<release>-semisup".
*/}}
{{- define "semisup.base" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains "semisup" .Release.Name -}}
{{- .Release.Name | trimSuffix "-operator" | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-semisup" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "semisup.operator.fullname" -}}
{{- printf "%s-operator" (include "semisup.base" .) -}}
{{- end -}}

{{- define "semisup.minio.fullname" -}}
{{- printf "%s-minio" (include "semisup.base" .) -}}
{{- end -}}

{{- define "semisup.minio.secretName" -}}
{{- default (include "semisup.minio.fullname" .) .Values.minio.credentialsSecret -}}
{{- end -}}

{{- define "semisup.operator.serviceAccountName" -}}
{{- default (include "semisup.operator.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "semisup.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object. */}}
{{- define "semisup.labels" -}}
helm.sh/chart: {{ include "semisup.chart" . }}
app.kubernetes.io/name: {{ include "semisup.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: semisup
{{- end -}}

{{/* Selector labels; call with (dict "ctx" $ "component" "operator"). Never change them: selectors are immutable. */}}
{{- define "semisup.selectorLabels" -}}
app.kubernetes.io/name: {{ include "semisup.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "semisup.componentLabels" -}}
{{ include "semisup.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The operator's ServiceAccount as the subject of a binding. */}}
{{- define "semisup.operator.subjects" -}}
- kind: ServiceAccount
  name: {{ include "semisup.operator.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
{{- end -}}

{{/* true when the operator runs leader election: asked for, or more than one replica. */}}
{{- define "semisup.leaderElection" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicas) 1) -}}true{{- else -}}false{{- end -}}
{{- end -}}

{{/* Namespaces where runs live and the worker ServiceAccount is needed, as a JSON list. */}}
{{- /* The namespaces the operator watches, as JSON: [] with watchAllNamespaces, else
watchNamespaces, else the release namespace alone (the default: a namespaced install). */ -}}
{{- define "semisup.watchedNamespaces" -}}
{{- if .Values.watchAllNamespaces -}}
{{- list | toJson -}}
{{- else if .Values.watchNamespaces -}}
{{- .Values.watchNamespaces | uniq | toJson -}}
{{- else -}}
{{- list .Release.Namespace | toJson -}}
{{- end -}}
{{- end -}}

{{- define "semisup.workerNamespaces" -}}
{{- $namespaces := include "semisup.watchedNamespaces" . | fromJsonArray -}}
{{- if not $namespaces -}}
{{- $namespaces = list .Release.Namespace -}}
{{- end -}}
{{- concat $namespaces .Values.worker.serviceAccount.extraNamespaces | uniq | toJson -}}
{{- end -}}

{{- /* What runs may ask for (OperatorConfig ALLOWED_*): the values, else the chart's own worker
image, worker ServiceAccount and (when it installs one) MinIO. */ -}}
{{- define "semisup.allowedImages" -}}
{{- $worker := .Values.worker.image.repository -}}
{{- $trainer := .Values.trainer.image.repository -}}
{{- default (list (printf "%s:*" $worker) (printf "%s@*" $worker) (printf "%s:*" $trainer) (printf "%s@*" $trainer)) .Values.policy.allowedImages | uniq | join "," -}}
{{- end -}}

{{- define "semisup.allowedServiceAccounts" -}}
{{- default (list .Values.worker.serviceAccount.name) .Values.policy.allowedServiceAccounts | uniq | join "," -}}
{{- end -}}

{{- define "semisup.allowedEndpoints" -}}
{{- $chartMinio := list -}}
{{- if .Values.minio.enabled -}}
{{- $minio := include "semisup.minio.fullname" . -}}
{{- $port := .Values.minio.service.port -}}
{{- $chartMinio = list (printf "http://%s.%s.svc:%v" $minio .Release.Namespace $port) (printf "http://%s.%s:%v" $minio .Release.Namespace $port) (printf "http://%s.%s.svc.cluster.local:%v" $minio .Release.Namespace $port) -}}
{{- end -}}
{{- default $chartMinio .Values.policy.allowedEndpoints | uniq | join "," -}}
{{- end -}}

{{- define "semisup.trainer.image" -}}
{{- printf "%s:%s" .Values.trainer.image.repository (default .Chart.AppVersion .Values.trainer.image.tag) -}}
{{- end -}}

{{- define "semisup.operator.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/*
The restricted Pod Security Standard, for every container of the chart: no root, no privilege
escalation, no capabilities, a read-only root filesystem, the runtime's default seccomp profile.
*/}}
{{- define "semisup.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Pod-level half of the same; call with (dict "user" 1000 "group" 1000 "fsGroup" <int or nil>). */}}
{{- define "semisup.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .user }}
runAsGroup: {{ .group }}
{{- if .fsGroup }}
fsGroup: {{ .fsGroup }}
fsGroupChangePolicy: OnRootMismatch
{{- end }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
What the operator does in a namespace where runs live; one list, so the ClusterRole (all
namespaces) and each Role (watchNamespaces) grant exactly the same. Keep it in step with
e2e/recorded/operator-api-requests.txt (RbacCoverageTest checks it).
*/}}
{{- define "semisup.operator.namespacedRules" -}}
# Runs: the primary resource (informer; the error path reads the latest copy); patch adds and
# removes the operator's finalizer (storage.cleanup on deletion).
- apiGroups: ["semisup.dev"]
  resources: ["semisupervisedruns"]
  verbs: ["get", "list", "watch", "patch"]
# The status is replaced with the resourceVersion the reconcile read (StatusRecorder).
- apiGroups: ["semisup.dev"]
  resources: ["semisupervisedruns/status"]
  verbs: ["update"]
# Jobs carry an owner reference to their run with blockOwnerDeletion, which the API server
# allows only to whoever may update the owner's finalizers.
- apiGroups: ["semisup.dev"]
  resources: ["semisupervisedruns/finalizers"]
  verbs: ["update"]
# One Job per step (Indexed for sharded steps); get asks the API server about a Job the cache
# lacks or a 409 on create (adopted only with the run's controller owner UID). Never changed or
# deleted: a retry makes a new Job, garbage collection removes them with their run.
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create"]
# The headless Service of a torch-ddp step's pod group (the pods' host names); get asks about one
# on a 409 at create (adopted only with the run's controller owner UID). Never changed or deleted:
# garbage collection removes them with their run.
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "create"]
# Pods of the steps' Jobs, from an informer (list, watch): why they do not start (Unschedulable,
# ImagePullBackOff); a list confirms "no pod at all" and finds a failed one's termination message.
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
# Object store credentials named by spec.storage.credentialsSecret (progress.json, run.json), from
# an informer (list, watch: every Secret of the watched namespaces is in the operator's memory);
# get asks the API server about one the informer has not delivered yet.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch"]
# An event that repeats one already sent raises its count (patch), as Kubernetes' own recorder does.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end -}}
