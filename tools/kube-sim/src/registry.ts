// Which resource types are served, how URLs and kinds map to them, and the discovery and OpenAPI v3
// documents kubectl reads to build its REST mapping and to learn that the server validates fields.
import { apiVersionOf, builtinResources, resourceKey, type ResourceType, VERBS, type VersionInfo } from './resources.js';

export interface Resolved {
  readonly type: ResourceType;
  readonly version: VersionInfo;
  /** The type's key in the registry (`services`, `ipaddresspools.metallb.io`). */
  readonly key: string;
  /** The collection its objects live in; differs from `key` only for shared storage. */
  readonly storeKey: string;
}

/** A type seen in one of its versions (the storage version by default). */
export function resolvedFor(type: ResourceType, versionName = type.storageVersion): Resolved | undefined {
  const version = type.versions.find((v) => v.name === versionName) ?? (versionName === type.storageVersion ? type.versions[0] : undefined);
  if (!version) return undefined;
  const key = resourceKey(type.group, type.plural);
  return { type, version, key, storeKey: type.sharedStorage?.key ?? key };
}

export class Registry {
  private readonly types = new Map<string, ResourceType>();

  constructor() {
    for (const t of builtinResources()) this.types.set(resourceKey(t.group, t.plural), t);
  }

  register(type: ResourceType): void {
    this.types.set(resourceKey(type.group, type.plural), type);
  }

  unregister(key: string): void {
    this.types.delete(key);
  }

  get(key: string): ResourceType | undefined {
    return this.types.get(key);
  }

  all(): ResourceType[] {
    return [...this.types.values()];
  }

  resolve(group: string, version: string, plural: string): Resolved | undefined {
    const type = this.types.get(resourceKey(group, plural));
    return type?.versions.some((x) => x.name === version && x.served) ? resolvedFor(type, version) : undefined;
  }

  /** The type for an object's apiVersion and kind. */
  resolveKind(apiVersion: string, kind: string): Resolved | undefined {
    const slash = apiVersion.indexOf('/');
    const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
    const version = slash >= 0 ? apiVersion.slice(slash + 1) : apiVersion;
    for (const type of this.types.values()) {
      if (type.group !== group || type.kind !== kind) continue;
      if (type.versions.some((x) => x.name === version && x.served)) return resolvedFor(type, version);
    }
    return undefined;
  }

  /** Looks a type up by `plural`, `plural.group`, kind or short name, as tests name them. */
  find(name: string): ResourceType | undefined {
    const exact = this.types.get(name);
    if (exact) return exact;
    const lower = name.toLowerCase();
    for (const t of this.types.values()) {
      if (t.plural === lower || t.singular === lower || t.kind.toLowerCase() === lower || t.shortNames.includes(lower)) return t;
    }
    return undefined;
  }

  /** Groups in discovery order: built-in groups first, then CRD groups sorted by name. */
  private groups(): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const t of this.types.values()) {
      if (t.group === '') continue;
      const versions = groups.get(t.group) ?? [];
      for (const v of t.versions) if (v.served && !versions.includes(v.name)) versions.push(v.name);
      groups.set(t.group, versions);
    }
    return groups;
  }

  private preferredVersion(versions: readonly string[]): string {
    return [...versions].sort(compareVersions)[0] as string;
  }

  apiVersions(serverAddress: string): object {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  }

  apiGroup(group: string): object | undefined {
    const versions = this.groups().get(group);
    if (!versions) return undefined;
    const sorted = [...versions].sort(compareVersions);
    const preferred = this.preferredVersion(versions);
    return {
      kind: 'APIGroup',
      apiVersion: 'v1',
      name: group,
      versions: sorted.map((v) => ({ groupVersion: `${group}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${group}/${preferred}`, version: preferred },
    };
  }

  apiGroupList(): object {
    const groups = [...this.groups().keys()].map((g) => {
      const { kind: _k, apiVersion: _a, ...rest } = this.apiGroup(g) as Record<string, unknown>;
      return rest;
    });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }

  resourceList(group: string, version: string): object | undefined {
    const resources: object[] = [];
    for (const t of this.types.values()) {
      if (t.group !== group) continue;
      const v = t.versions.find((x) => x.name === version && x.served);
      if (!v) continue;
      const entry: Record<string, unknown> = { name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: [...VERBS] };
      if (t.shortNames.length) entry['shortNames'] = t.shortNames;
      if (t.categories.length) entry['categories'] = t.categories;
      resources.push(entry);
      if (v.statusSubresource) resources.push({ name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] });
    }
    if (resources.length === 0) return undefined;
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources };
  }

  /** Every served group/version, as OpenAPI v3 root paths (`api/v1`, `apis/g/v`). */
  openApiRoot(): object {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    const hash = String(this.types.size);
    const gvs = new Set<string>();
    for (const t of this.types.values()) for (const v of t.versions) if (v.served) gvs.add(t.group ? `apis/${t.group}/${v.name}` : `api/${v.name}`);
    for (const gv of [...gvs].sort()) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${hash}${gv.length}` };
    return { paths };
  }

  /**
   * A minimal OpenAPI v3 document for one group/version: a PATCH operation per kind, tagged with
   * its group-version-kind and declaring the `fieldValidation` parameter. kubectl reads exactly
   * that to decide the server validates fields; schemas are left out, so kubectl computes
   * strategic merge patches from its compiled-in types and uses merge patches for custom ones.
   */
  openApiGroupVersion(group: string, version: string): object | undefined {
    const paths: Record<string, object> = {};
    for (const t of this.types.values()) {
      if (t.group !== group || !t.versions.some((v) => v.name === version && v.served)) continue;
      const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
      const path = t.namespaced ? `${base}/namespaces/{namespace}/${t.plural}/{name}` : `${base}/${t.plural}/{name}`;
      paths[path] = {
        patch: {
          operationId: `patch${t.kind}`,
          parameters: [
            { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
            { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
            { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
          ],
          responses: {},
          'x-kubernetes-action': 'patch',
          'x-kubernetes-group-version-kind': { group, version, kind: t.kind },
        },
      };
    }
    if (Object.keys(paths).length === 0) return undefined;
    return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: {} };
  }
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first; others alphabetically last. */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number, string] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0, v];
    const stage = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stage, -Number(m[1]), -Number(m[3] ?? 0), ''];
  };
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return (ra[i] as number) - (rb[i] as number);
  return ra[3] < rb[3] ? -1 : ra[3] > rb[3] ? 1 : 0;
}
