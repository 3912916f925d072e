// The podman flags that give a container what a rendered Pod spec gives it under a kubelet: its
// user, capabilities, privilege escalation, read-only root and seccomp profile (podman's default
// profile is the runtime default), its arguments and its environment (field references resolved
// from the values a kubelet would use, passed in).

export interface ContainerSpec {
  readonly name: string;
  readonly args?: readonly string[];
  readonly env?: ReadonlyArray<{ readonly name: string; readonly value?: string; readonly valueFrom?: { readonly fieldRef?: { readonly fieldPath: string } } }>;
  readonly securityContext?: {
    readonly runAsUser?: number;
    readonly runAsGroup?: number;
    readonly allowPrivilegeEscalation?: boolean;
    readonly readOnlyRootFilesystem?: boolean;
    readonly privileged?: boolean;
    readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
    readonly seccompProfile?: { readonly type?: string };
  };
}

export interface PodSecurity {
  readonly hostNetwork?: boolean;
  readonly securityContext?: { readonly runAsUser?: number; readonly runAsGroup?: number; readonly seccompProfile?: { readonly type?: string } };
}

export type PodmanArgs = { ok: true; value: { flags: string[]; args: string[] } } | { ok: false; error: string };

/** Flags for `podman run` (before the image) and the container's arguments (after it). */
export function podmanArgs(pod: PodSecurity, container: ContainerSpec, fields: Readonly<Record<string, string>>): PodmanArgs {
  const sc = container.securityContext ?? {};
  const flags: string[] = [];
  const user = sc.runAsUser ?? pod.securityContext?.runAsUser;
  const group = sc.runAsGroup ?? pod.securityContext?.runAsGroup;
  if (user !== undefined) flags.push(`--user=${user}${group !== undefined ? `:${group}` : ''}`);
  if (sc.privileged) return { ok: false, error: `container ${container.name} is privileged: not run by this test` };
  for (const cap of sc.capabilities?.drop ?? []) flags.push(`--cap-drop=${cap}`);
  for (const cap of sc.capabilities?.add ?? []) flags.push(`--cap-add=${cap}`);
  if (sc.allowPrivilegeEscalation === false) flags.push('--security-opt=no-new-privileges');
  if (sc.readOnlyRootFilesystem) flags.push('--read-only');
  const seccomp = sc.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type;
  if (seccomp !== undefined && seccomp !== 'RuntimeDefault') return { ok: false, error: `container ${container.name}: seccomp profile ${seccomp} is not translated` };
  if (pod.hostNetwork) flags.push('--network=host');
  for (const e of container.env ?? []) {
    const path = e.valueFrom?.fieldRef?.fieldPath;
    const value = e.value ?? (path !== undefined ? fields[path] : undefined);
    if (value === undefined) return { ok: false, error: `container ${container.name}: env ${e.name} needs ${path ?? 'a value'}, not given` };
    flags.push(`--env=${e.name}=${value}`);
  }
  return { ok: true, value: { flags, args: [...(container.args ?? [])] } };
}
