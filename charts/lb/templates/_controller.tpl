{{/* Names shared by the controller's objects. MetalLB's names, so existing tooling finds them. */}}
{{- define "lb.controller.name" -}}
{{- printf "%s-controller" (include "lb.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "lb.webhook.service" -}}metallb-webhook-service{{- end }}
{{- define "lb.webhook.configuration" -}}metallb-webhook-configuration{{- end }}
{{- define "lb.controller.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lb.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end }}
