{{/* Names shared by the controller's objects. MetalLB's names, so existing tooling finds them. */}}
{{- define "lb.controller.name" -}}
{{- printf "%s-controller" (include "lb.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "lb.webhook.service" -}}metallb-webhook-service{{- end }}
{{- define "lb.webhook.configuration" -}}metallb-webhook-configuration{{- end }}
{{- define "lb.controller.selectorLabels" -}}
{{ include "lb.selectorLabels" (dict "root" . "component" "controller") }}
{{- end }}
{{- define "lb.controller.serviceAccountName" -}}
{{ include "lb.serviceAccountName" (dict "root" . "component" "controller" "sa" .Values.controller.serviceAccount) }}
{{- end }}
{{/* The leader election Lease (the controller's --lease-name default). */}}
{{- define "lb.controller.lease" -}}metallb-controller{{- end }}
