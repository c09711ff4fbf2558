{{- /* Labels shared by every template, and the spec without its empty values. */ -}}

{{- define "metrics-stack.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

{{- /*
The map given as YAML without what is unset: nil, empty strings, and lists and maps that are empty (maps after
the same pruning), so a MetricsStack holds only what a values file sets and the CRD's defaults apply to the rest.
false and 0 are kept. Lists are written whole.
*/ -}}
{{- define "metrics-stack.setFields" -}}
{{- range $key, $value := . }}
{{- if kindIs "map" $value }}
{{- $fields := include "metrics-stack.setFields" $value | trim }}
{{- if $fields }}
{{ $key }}:
  {{- $fields | nindent 2 }}
{{- end }}
{{- else if kindIs "slice" $value }}
{{- if $value }}
{{ $key }}:
  {{- toYaml $value | nindent 2 }}
{{- end }}
{{- else if kindIs "string" $value }}
{{- if $value }}
{{ $key }}: {{ $value | quote }}
{{- end }}
{{- else if not (kindIs "invalid" $value) }}
{{ $key }}: {{ toYaml $value }}
{{- end }}
{{- end }}
{{- end }}
