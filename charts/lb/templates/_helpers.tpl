{{/* Chart name, overridable. */}}
{{- define "lb.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects, at most 63 characters. */}}
{{- define "lb.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "lb.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "lb.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* Labels every object carries. */}}
{{- define "lb.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "lb.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of one component: (dict "root" $ "component" "controller"). */}}
{{- define "lb.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lb.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* An image reference: (dict "root" $ "image" .Values.controller.image). */}}
{{- define "lb.image" -}}
{{ printf "%s:%s" .image.repository (.image.tag | default .root.Chart.AppVersion) | quote }}
{{- end }}

{{/* The ServiceAccount of a component: (dict "root" $ "component" "controller" "sa" .Values.controller.serviceAccount). */}}
{{- define "lb.serviceAccountName" -}}
{{- if .sa.create }}
{{- default (printf "%s-%s" (include "lb.fullname" .root) .component | trunc 63 | trimSuffix "-") .sa.name }}
{{- else }}
{{- default "default" .sa.name }}
{{- end }}
{{- end }}

{{/* A probe from its values: (dict "probe" .Values.controller.livenessProbe "handler" (dict ...)). */}}
{{- define "lb.probe" -}}
{{- toYaml .handler }}
failureThreshold: {{ .probe.failureThreshold }}
initialDelaySeconds: {{ .probe.initialDelaySeconds }}
periodSeconds: {{ .probe.periodSeconds }}
successThreshold: {{ .probe.successThreshold }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
{{- end }}

{{/* The kube-rbac-proxy sidecar serving /metrics over TLS with TokenReview and SubjectAccessReview:
     (dict "root" $ "tlsSecret" "...") */}}
{{- define "lb.metricsProxy" -}}
- name: kube-rbac-proxy
  image: {{ printf "%s:%s" .root.Values.prometheus.rbacProxy.repository .root.Values.prometheus.rbacProxy.tag | quote }}
  imagePullPolicy: {{ .root.Values.prometheus.rbacProxy.pullPolicy }}
  args:
    - --logtostderr
    - --secure-listen-address=:{{ .root.Values.prometheus.secureMetricsPort }}
    - --upstream=http://127.0.0.1:{{ .root.Values.prometheus.metricsPort }}/
    - --ignore-paths=/healthz,/readyz
    {{- if .tlsSecret }}
    - --tls-cert-file=/etc/metrics/tls.crt
    - --tls-private-key-file=/etc/metrics/tls.key
    {{- end }}
  ports:
    - name: metricshttps
      containerPort: {{ .root.Values.prometheus.secureMetricsPort }}
  resources:
    requests:
      cpu: 10m
      memory: 32Mi
    limits:
      memory: 64Mi
  securityContext:
    {{- include "lb.containerSecurityContext" (dict) | nindent 4 }}
  {{- if .tlsSecret }}
  volumeMounts:
    - name: metrics-certs
      mountPath: /etc/metrics
      readOnly: true
  {{- end }}
{{- end }}

{{/* A container's security context: no privilege escalation, read-only root, every capability
     dropped but those in .add; .escalate only for file capabilities (the speaker), seccomp RuntimeDefault (Pod Security "restricted"). */}}
{{- define "lb.containerSecurityContext" -}}
allowPrivilegeEscalation: {{ .escalate | default false }}
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
  {{- with .add }}
  add: {{ toJson . }}
  {{- end }}
seccompProfile:
  type: RuntimeDefault
{{- end }}
