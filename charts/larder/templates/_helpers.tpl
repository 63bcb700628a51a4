{{/*
Chart name, truncated to 63 characters (DNS label limit).
*/}}
{{- define "larder.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name. Truncated to 52 characters so that suffixes such as
"-warm-<revision>" still fit in 63.
*/}}
{{- define "larder.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, as used by the chart label.
*/}}
{{- define "larder.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels (immutable on a DaemonSet: never add to these).
*/}}
{{- define "larder.selectorLabels" -}}
app.kubernetes.io/name: {{ include "larder.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "larder.labels" -}}
helm.sh/chart: {{ include "larder.chart" . }}
{{ include "larder.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Service account name.
*/}}
{{- define "larder.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "larder.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Larder image reference.
*/}}
{{- define "larder.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag | toString) }}
{{- end }}

{{/*
Port on the node: with hostNetwork the container port is the node port.
*/}}
{{- define "larder.nodePort" -}}
{{- if .Values.hostNetwork }}
{{- .Values.port }}
{{- else }}
{{- .Values.hostPort.port }}
{{- end }}
{{- end }}

{{/*
The mirror URL containerd uses: the node's IP (downward API, expanded by the
kubelet from the HOST_IP variable) and the host port; loopback only with
hostNetwork, where Larder listens in the node's own network namespace.
*/}}
{{- define "larder.mirrorEndpoint" -}}
{{- if .Values.containerdMirror.endpoint }}
{{- .Values.containerdMirror.endpoint }}
{{- else if .Values.hostNetwork }}
{{- printf "http://127.0.0.1:%v" .Values.port }}
{{- else if .Values.hostPort.enabled }}
{{- printf "http://$(HOST_IP):%v" .Values.hostPort.port }}
{{- else }}
{{- fail "containerdMirror.enabled needs hostPort.enabled, hostNetwork or containerdMirror.endpoint: containerd reaches Larder through the node" }}
{{- end }}
{{- end }}
