{{/* Names shared by the speaker's objects. */}}
{{- define "lb.speaker.name" -}}
{{- printf "%s-speaker" (include "lb.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "lb.speaker.selectorLabels" -}}
{{ include "lb.selectorLabels" (dict "root" . "component" "speaker") }}
{{- end }}
{{- define "lb.speaker.serviceAccountName" -}}
{{ include "lb.serviceAccountName" (dict "root" . "component" "speaker" "sa" .Values.speaker.serviceAccount) }}
{{- end }}
{{/* The membership Secret (the speaker's --ml-secret-name default, <release>-memberlist, when fullname is the release). */}}
{{- define "lb.speaker.memberlistSecret" -}}
{{- printf "%s-memberlist" (include "lb.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
