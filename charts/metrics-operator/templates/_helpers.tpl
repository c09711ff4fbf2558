{{- /* Names and labels shared by every template. */ -}}

{{- define "metrics-operator.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{- define "metrics-operator.serviceAccountName" -}}
{{- default (include "metrics-operator.fullname" .) .Values.serviceAccount.name -}}
{{- end }}

{{- define "metrics-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "metrics-operator.labels" -}}
{{ include "metrics-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}
