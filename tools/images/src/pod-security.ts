// Kubernetes' Pod Security Standards, "baseline" and "restricted" levels (the checks of
// k8s.io/pod-security-admission, policy version latest), over a Pod spec as a chart renders it.
// Each violation names the field, so a failing chart test says what to change.

interface Capabilities {
  readonly add?: readonly string[];
  readonly drop?: readonly string[];
}
interface SecurityContext {
  readonly privileged?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly capabilities?: Capabilities;
  readonly seccompProfile?: { readonly type?: string };
  readonly procMount?: string;
  readonly appArmorProfile?: { readonly type?: string };
  readonly seLinuxOptions?: { readonly type?: string; readonly user?: string; readonly role?: string };
}
interface Probe {
  readonly httpGet?: { readonly host?: string };
  readonly tcpSocket?: { readonly host?: string };
}
export interface PodContainer {
  readonly name: string;
  readonly securityContext?: SecurityContext;
  readonly ports?: ReadonlyArray<{ readonly hostPort?: number }>;
  readonly livenessProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly startupProbe?: Probe;
}
export interface PodSpec {
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  readonly securityContext?: SecurityContext & { readonly sysctls?: ReadonlyArray<{ readonly name: string }> };
  readonly volumes?: ReadonlyArray<Record<string, unknown>>;
  readonly containers: readonly PodContainer[];
  readonly initContainers?: readonly PodContainer[];
}

export type PodSecurityLevel = 'baseline' | 'restricted';

/** Capabilities baseline lets a container add (the runtime's default set). */
const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']);
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

/** Every violation of `level` in the Pod spec, as "field: reason"; empty when it complies. */
export function podSecurityViolations(spec: PodSpec, level: PodSecurityLevel): string[] {
  const out: string[] = [];
  if (spec.hostNetwork) out.push('spec.hostNetwork: host namespaces are forbidden');
  if (spec.hostPID) out.push('spec.hostPID: host namespaces are forbidden');
  if (spec.hostIPC) out.push('spec.hostIPC: host namespaces are forbidden');
  for (const sysctl of spec.securityContext?.sysctls ?? []) if (!SAFE_SYSCTLS.has(sysctl.name)) out.push(`spec.securityContext.sysctls: ${sysctl.name} is not a safe sysctl`);
  for (const [i, volume] of (spec.volumes ?? []).entries()) {
    if ('hostPath' in volume) out.push(`spec.volumes[${i}].hostPath: forbidden`);
    if (level === 'restricted') {
      const type = Object.keys(volume).find((k) => k !== 'name');
      if (type !== undefined && !RESTRICTED_VOLUMES.has(type)) out.push(`spec.volumes[${i}].${type}: volume type not allowed`);
    }
  }
  const podContext = spec.securityContext ?? {};
  const podSeccomp = podContext.seccompProfile?.type;
  if (podSeccomp === 'Unconfined') out.push('spec.securityContext.seccompProfile.type: Unconfined is forbidden');
  if (level === 'restricted' && podContext.runAsUser === 0) out.push('spec.securityContext.runAsUser: 0 is forbidden');
  const containers = [...(spec.initContainers ?? []).map((c) => ({ c, field: `spec.initContainers[${c.name}]` })), ...spec.containers.map((c) => ({ c, field: `spec.containers[${c.name}]` }))];
  for (const { c, field } of containers) {
    const sc = c.securityContext ?? {};
    if (sc.privileged) out.push(`${field}.securityContext.privileged: forbidden`);
    for (const cap of sc.capabilities?.add ?? []) {
      if (level === 'restricted' ? cap !== 'NET_BIND_SERVICE' : !BASELINE_CAPABILITIES.has(cap)) out.push(`${field}.securityContext.capabilities.add: ${cap} is not allowed`);
    }
    for (const port of c.ports ?? []) if (port.hostPort) out.push(`${field}.ports: hostPort ${port.hostPort} is forbidden`);
    if (sc.procMount !== undefined && sc.procMount !== 'Default') out.push(`${field}.securityContext.procMount: must be Default`);
    if (sc.seccompProfile?.type === 'Unconfined') out.push(`${field}.securityContext.seccompProfile.type: Unconfined is forbidden`);
    for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
      const host = probe?.httpGet?.host ?? probe?.tcpSocket?.host;
      if (host) out.push(`${field}: probe host ${host} is forbidden`);
    }
    if (level !== 'restricted') continue;
    if (sc.allowPrivilegeEscalation !== false) out.push(`${field}.securityContext.allowPrivilegeEscalation: must be false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${field}.securityContext.capabilities.drop: must include ALL`);
    if (!(sc.runAsNonRoot ?? podContext.runAsNonRoot)) out.push(`${field}.securityContext.runAsNonRoot: must be true (here or in the Pod)`);
    if (sc.runAsUser === 0) out.push(`${field}.securityContext.runAsUser: 0 is forbidden`);
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`${field}.securityContext.seccompProfile.type: must be RuntimeDefault or Localhost (here or in the Pod)`);
  }
  return out;
}
