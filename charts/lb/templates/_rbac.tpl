{{/* A (Cluster)RoleBinding of a component's ServiceAccount:
     (dict "root" $ "kind" "ClusterRole" "name" "..." "account" "..." "namespace" "" ) */}}
{{- define "lb.binding" -}}
apiVersion: rbac.authorization.k8s.io/v1
kind: {{ .kind }}Binding
metadata:
  name: {{ .name }}
  {{- with .namespace }}
  namespace: {{ . }}
  {{- end }}
  labels:
    {{- include "lb.labels" .root | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: {{ .kind }}
  name: {{ .name }}
subjects:
  - kind: ServiceAccount
    name: {{ .account }}
    namespace: {{ .root.Release.Namespace }}
{{- end }}

{{/* The metallb.io kinds that make up the configuration, read by both components. */}}
{{- define "lb.configResources" -}}
[ipaddresspools, l2advertisements, bgpadvertisements, bgppeers, communities, bfdprofiles]
{{- end }}
