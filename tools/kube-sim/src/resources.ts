// What kube-sim serves: the built-in resource types and the types CRDs declare, with everything
// discovery, printing, patching and validation need to know about each.
import { type StructuralSchema } from '@lb/structural-schema';
import { type StrategyTable } from './patch.js';
import { ageColumn, type Column, type KubeObject, nameColumn, printerColumn } from './table.js';

export interface VersionInfo {
  readonly name: string;
  readonly served: boolean;
  readonly schema?: StructuralSchema;
  readonly columns: readonly Column[];
  readonly statusSubresource: boolean;
}

export interface ResourceType {
  readonly group: string;
  readonly versions: readonly VersionInfo[];
  readonly storageVersion: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly namespaced: boolean;
  /** Whether spec changes bump metadata.generation (CRs, CRDs, webhook configurations). */
  readonly hasGeneration: boolean;
  /** How lists merge in a strategic merge patch; absent for custom resources (not supported). */
  readonly strategic?: StrategyTable;
  /** Field selectors beyond metadata.name and metadata.namespace. */
  readonly extraFieldSelectors: readonly string[];
  /** `label` (RFC 1123 label) or `subdomain` name rules. */
  readonly nameRule: 'label' | 'subdomain';
  /** The CRD that declared this type, if any. */
  readonly crdName?: string;
  /** Set when objects live in another type's collection, converted on the way in and out. */
  readonly sharedStorage?: SharedStorage;
}

/** One collection seen through two APIs (events.k8s.io/v1 Events are core/v1 Events underneath). */
export interface SharedStorage {
  /** The store key of the collection (`events`). */
  readonly key: string;
  toStorage(obj: Record<string, unknown>): Record<string, unknown>;
  fromStorage(obj: Record<string, unknown>): Record<string, unknown>;
  /** This API's field-selector names → the stored type's (`regarding.name` → `involvedObject.name`). */
  readonly fieldAliases: Readonly<Record<string, string>>;
}

/** events.k8s.io/v1 field → core/v1 field, for the fields that were renamed. */
const EVENT_RENAMES: ReadonlyArray<readonly [string, string]> = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
  ['reportingController', 'reportingComponent'],
];

function renameFields(obj: Record<string, unknown>, apiVersion: string, pairs: ReadonlyArray<readonly [string, string]>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...obj, apiVersion };
  for (const [from, to] of pairs) {
    delete out[from];
    if (obj[from] !== undefined) out[to] = obj[from];
  }
  return out;
}

const eventsStorage: SharedStorage = {
  key: 'events',
  toStorage: (obj) => renameFields(obj, 'v1', EVENT_RENAMES),
  fromStorage: (obj) => renameFields(obj, 'events.k8s.io/v1', EVENT_RENAMES.map(([a, b]) => [b, a] as const)),
  fieldAliases: {
    'regarding.kind': 'involvedObject.kind',
    'regarding.name': 'involvedObject.name',
    'regarding.namespace': 'involvedObject.namespace',
    'regarding.uid': 'involvedObject.uid',
  },
};

export const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

export function resourceKey(group: string, plural: string): string {
  return group ? `${plural}.${group}` : plural;
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

function get(obj: unknown, ...path: string[]): unknown {
  let v = obj;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

function col(name: string, cell: Column['cell'], opts: { type?: string; priority?: number; description?: string } = {}): Column {
  return { name, type: opts.type ?? 'string', description: opts.description ?? name, priority: opts.priority ?? 0, cell };
}

/** An integer column read from `path`, 0 when absent (replica counts and the like). */
function countCol(name: string, ...path: string[]): Column {
  return col(name, (o) => Number(get(o, ...path) ?? 0), { type: 'integer' });
}

const none = (s: string): string => (s === '' ? '<none>' : s);

function servicePorts(obj: KubeObject): string {
  const ports = (get(obj, 'spec', 'ports') as Array<Record<string, unknown>> | undefined) ?? [];
  if (ports.length === 0) return '<none>';
  return ports.map((p) => `${String(p['port'])}${p['nodePort'] ? `:${String(p['nodePort'])}` : ''}/${String(p['protocol'] ?? 'TCP')}`).join(',');
}

function externalIPs(obj: KubeObject): string {
  const ingress = (get(obj, 'status', 'loadBalancer', 'ingress') as Array<Record<string, unknown>> | undefined) ?? [];
  const fromStatus = ingress.map((i) => String(i['ip'] ?? i['hostname'] ?? '')).filter(Boolean);
  const spec = (get(obj, 'spec', 'externalIPs') as string[] | undefined) ?? [];
  const all = [...fromStatus, ...spec];
  if (all.length > 0) return all.join(',');
  return get(obj, 'spec', 'type') === 'LoadBalancer' ? '<pending>' : '<none>';
}

function selectorString(sel: unknown): string {
  if (!sel || typeof sel !== 'object') return '<none>';
  const parts = Object.entries(sel as Record<string, string>).map(([k, v]) => `${k}=${v}`);
  return none(parts.join(','));
}

function nodeStatus(obj: KubeObject): string {
  const conditions = (get(obj, 'status', 'conditions') as Array<Record<string, unknown>> | undefined) ?? [];
  const ready = conditions.find((c) => c['type'] === 'Ready');
  const state = ready?.['status'] === 'True' ? 'Ready' : ready?.['status'] === 'False' ? 'NotReady' : 'Unknown';
  return get(obj, 'spec', 'unschedulable') === true ? `${state},SchedulingDisabled` : state;
}

function nodeRoles(obj: KubeObject): string {
  const roles = Object.keys(obj.metadata?.labels ?? {})
    .filter((l) => l.startsWith('node-role.kubernetes.io/'))
    .map((l) => l.slice('node-role.kubernetes.io/'.length));
  return none(roles.sort().join(','));
}

function podReady(obj: KubeObject): string {
  const containers = (get(obj, 'spec', 'containers') as unknown[] | undefined) ?? [];
  const statuses = (get(obj, 'status', 'containerStatuses') as Array<Record<string, unknown>> | undefined) ?? [];
  return `${statuses.filter((s) => s['ready'] === true).length}/${containers.length}`;
}

function countKeys(...maps: unknown[]): number {
  return maps.reduce<number>((n, m) => n + (m && typeof m === 'object' ? Object.keys(m).length : 0), 0);
}

function endpointSlicePorts(obj: KubeObject): string {
  const ports = (get(obj, 'ports') as Array<Record<string, unknown>> | undefined) ?? [];
  return ports.length === 0 ? '<unset>' : ports.map((p) => String(p['port'] ?? '')).join(',');
}

function endpointSliceEndpoints(obj: KubeObject): string {
  const eps = (get(obj, 'endpoints') as Array<Record<string, unknown>> | undefined) ?? [];
  const addrs = eps.flatMap((e) => (e['addresses'] as string[] | undefined) ?? []);
  if (addrs.length === 0) return '<unset>';
  return addrs.length > 3 ? `${addrs.slice(0, 3).join(',')} + ${addrs.length - 3} more...` : addrs.join(',');
}

const objectMetaStrategy: StrategyTable = {
  'metadata.finalizers': {},
  'metadata.ownerReferences': { mergeKey: 'uid' },
};

const podSpecStrategy = (prefix: string): StrategyTable => ({
  [`${prefix}.containers`]: { mergeKey: 'name' },
  [`${prefix}.initContainers`]: { mergeKey: 'name' },
  [`${prefix}.containers[].ports`]: { mergeKey: 'containerPort' },
  [`${prefix}.containers[].env`]: { mergeKey: 'name' },
  [`${prefix}.containers[].volumeMounts`]: { mergeKey: 'mountPath' },
  [`${prefix}.initContainers[].env`]: { mergeKey: 'name' },
  [`${prefix}.initContainers[].volumeMounts`]: { mergeKey: 'mountPath' },
  [`${prefix}.volumes`]: { mergeKey: 'name' },
  [`${prefix}.imagePullSecrets`]: { mergeKey: 'name' },
});

interface BuiltinSpec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  shortNames?: string[];
  categories?: string[];
  namespaced: boolean;
  status?: boolean;
  generation?: boolean;
  columns: Column[];
  strategic?: StrategyTable;
  fieldSelectors?: string[];
  nameRule?: 'label' | 'subdomain';
  sharedStorage?: SharedStorage;
}

function builtin(s: BuiltinSpec): ResourceType {
  return {
    group: s.group,
    versions: [{ name: s.version, served: true, columns: s.columns, statusSubresource: s.status ?? false }],
    storageVersion: s.version,
    kind: s.kind,
    listKind: `${s.kind}List`,
    plural: s.plural,
    singular: s.kind.toLowerCase(),
    shortNames: s.shortNames ?? [],
    categories: s.categories ?? [],
    namespaced: s.namespaced,
    hasGeneration: s.generation ?? false,
    strategic: { ...objectMetaStrategy, ...s.strategic },
    extraFieldSelectors: s.fieldSelectors ?? [],
    nameRule: s.nameRule ?? 'subdomain',
    ...(s.sharedStorage ? { sharedStorage: s.sharedStorage } : {}),
  };
}

const eventColumns: Column[] = [
  col('Last Seen', (o, now) => {
    const t = (get(o, 'lastTimestamp') ?? get(o, 'eventTime') ?? get(o, 'deprecatedLastTimestamp') ?? o.metadata?.creationTimestamp) as string | undefined;
    return t ? `${Math.floor((now - Date.parse(t)) / 1000)}s` : '<unknown>';
  }),
  col('Type', (o) => get(o, 'type') ?? ''),
  col('Reason', (o) => get(o, 'reason') ?? ''),
  col('Object', (o) => {
    const ref = (get(o, 'involvedObject') ?? get(o, 'regarding')) as Record<string, unknown> | undefined;
    return ref ? `${String(ref['kind'] ?? '').toLowerCase()}/${String(ref['name'] ?? '')}` : '';
  }),
  col('Message', (o) => get(o, 'message') ?? get(o, 'note') ?? ''),
];

/** The built-in types, in the order discovery lists them. */
export function builtinResources(): ResourceType[] {
  return [
    builtin({
      group: '',
      version: 'v1',
      kind: 'Namespace',
      plural: 'namespaces',
      shortNames: ['ns'],
      namespaced: false,
      status: true,
      nameRule: 'label',
      columns: [nameColumn, col('Status', (o) => get(o, 'status', 'phase') ?? ''), ageColumn],
      strategic: { 'status.conditions': { mergeKey: 'type' } },
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Node',
      plural: 'nodes',
      shortNames: ['no'],
      namespaced: false,
      status: true,
      columns: [
        nameColumn,
        col('Status', nodeStatus),
        col('Roles', nodeRoles),
        ageColumn,
        col('Version', (o) => get(o, 'status', 'nodeInfo', 'kubeletVersion') ?? ''),
        col('Internal-IP', (o) => {
          const addrs = (get(o, 'status', 'addresses') as Array<Record<string, string>> | undefined) ?? [];
          return addrs.find((a) => a['type'] === 'InternalIP')?.['address'] ?? '<none>';
        }, { priority: 1 }),
      ],
      strategic: { 'status.conditions': { mergeKey: 'type' }, 'status.addresses': { mergeKey: 'type' }, 'spec.podCIDRs': {} },
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Service',
      plural: 'services',
      shortNames: ['svc'],
      categories: ['all'],
      namespaced: true,
      status: true,
      nameRule: 'label',
      columns: [
        nameColumn,
        col('Type', (o) => get(o, 'spec', 'type') ?? 'ClusterIP'),
        col('Cluster-IP', (o) => none(String(get(o, 'spec', 'clusterIP') ?? ''))),
        col('External-IP', externalIPs),
        col('Port(s)', servicePorts),
        ageColumn,
        col('Selector', (o) => selectorString(get(o, 'spec', 'selector')), { priority: 1 }),
      ],
      strategic: { 'spec.ports': { mergeKey: 'port' }, 'status.conditions': { mergeKey: 'type' } },
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Pod',
      plural: 'pods',
      shortNames: ['po'],
      categories: ['all'],
      namespaced: true,
      status: true,
      columns: [
        nameColumn,
        col('Ready', podReady),
        col('Status', (o) => get(o, 'status', 'phase') ?? 'Pending'),
        col('Restarts', (o) => ((get(o, 'status', 'containerStatuses') as Array<Record<string, number>> | undefined) ?? []).reduce((n, s) => n + (s['restartCount'] ?? 0), 0), { type: 'integer' }),
        ageColumn,
        col('IP', (o) => none(String(get(o, 'status', 'podIP') ?? '')), { priority: 1 }),
        col('Node', (o) => none(String(get(o, 'spec', 'nodeName') ?? '')), { priority: 1 }),
      ],
      strategic: { ...podSpecStrategy('spec'), 'status.conditions': { mergeKey: 'type' } },
      fieldSelectors: ['spec.nodeName', 'status.phase'],
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Secret',
      plural: 'secrets',
      namespaced: true,
      columns: [nameColumn, col('Type', (o) => get(o, 'type') ?? ''), col('Data', (o) => countKeys(get(o, 'data')), { type: 'integer' }), ageColumn],
      fieldSelectors: ['type'],
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
      plural: 'configmaps',
      shortNames: ['cm'],
      namespaced: true,
      columns: [nameColumn, col('Data', (o) => countKeys(get(o, 'data'), get(o, 'binaryData')), { type: 'integer' }), ageColumn],
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Endpoints',
      plural: 'endpoints',
      shortNames: ['ep'],
      namespaced: true,
      columns: [nameColumn, ageColumn],
      strategic: { subsets: {} },
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Event',
      plural: 'events',
      shortNames: ['ev'],
      namespaced: true,
      columns: eventColumns,
      fieldSelectors: ['involvedObject.kind', 'involvedObject.name', 'involvedObject.namespace', 'involvedObject.uid', 'reason', 'type'],
    }),
    builtin({
      group: 'events.k8s.io',
      version: 'v1',
      kind: 'Event',
      plural: 'events',
      shortNames: ['ev'],
      namespaced: true,
      columns: eventColumns,
      fieldSelectors: ['regarding.kind', 'regarding.name', 'regarding.namespace', 'regarding.uid', 'reason', 'type'],
      sharedStorage: eventsStorage,
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'ServiceAccount',
      plural: 'serviceaccounts',
      shortNames: ['sa'],
      namespaced: true,
      columns: [nameColumn, col('Secrets', (o) => ((get(o, 'secrets') as unknown[] | undefined) ?? []).length, { type: 'integer' }), ageColumn],
      strategic: { secrets: { mergeKey: 'name' } },
    }),
    builtin({
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      plural: 'deployments',
      shortNames: ['deploy'],
      categories: ['all'],
      namespaced: true,
      status: true,
      generation: true,
      columns: [
        nameColumn,
        col('Ready', (o) => `${Number(get(o, 'status', 'readyReplicas') ?? 0)}/${Number(get(o, 'spec', 'replicas') ?? 1)}`),
        countCol('Up-to-date', 'status', 'updatedReplicas'),
        countCol('Available', 'status', 'availableReplicas'),
        ageColumn,
      ],
      strategic: podSpecStrategy('spec.template.spec'),
    }),
    builtin({
      group: 'apps',
      version: 'v1',
      kind: 'DaemonSet',
      plural: 'daemonsets',
      shortNames: ['ds'],
      categories: ['all'],
      namespaced: true,
      status: true,
      generation: true,
      columns: [
        nameColumn,
        countCol('Desired', 'status', 'desiredNumberScheduled'),
        countCol('Current', 'status', 'currentNumberScheduled'),
        countCol('Ready', 'status', 'numberReady'),
        ageColumn,
      ],
      strategic: podSpecStrategy('spec.template.spec'),
    }),
    builtin({
      group: 'discovery.k8s.io',
      version: 'v1',
      kind: 'EndpointSlice',
      plural: 'endpointslices',
      namespaced: true,
      generation: true,
      columns: [nameColumn, col('AddressType', (o) => get(o, 'addressType') ?? ''), col('Ports', endpointSlicePorts), col('Endpoints', endpointSliceEndpoints), ageColumn],
    }),
    builtin({
      group: 'coordination.k8s.io',
      version: 'v1',
      kind: 'Lease',
      plural: 'leases',
      namespaced: true,
      columns: [nameColumn, col('Holder', (o) => get(o, 'spec', 'holderIdentity') ?? ''), ageColumn],
    }),
    // RBAC and PodDisruptionBudgets are stored only (nothing is enforced), so that charts apply whole.
    ...(['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'] as const).map((kind) =>
      builtin({
        group: 'rbac.authorization.k8s.io',
        version: 'v1',
        kind,
        plural: `${kind.toLowerCase()}s`,
        namespaced: kind.startsWith('Role'),
        columns: [nameColumn, ageColumn],
      }),
    ),
    builtin({
      group: 'policy',
      version: 'v1',
      kind: 'PodDisruptionBudget',
      plural: 'poddisruptionbudgets',
      shortNames: ['pdb'],
      namespaced: true,
      status: true,
      generation: true,
      columns: [nameColumn, ageColumn],
    }),
    builtin({
      group: 'apiextensions.k8s.io',
      version: 'v1',
      kind: 'CustomResourceDefinition',
      plural: 'customresourcedefinitions',
      shortNames: ['crd', 'crds'],
      categories: ['api-extensions'],
      namespaced: false,
      status: true,
      generation: true,
      columns: [nameColumn, col('Created At', (o) => o.metadata?.creationTimestamp ?? '', { type: 'date' })],
      strategic: { 'status.conditions': { mergeKey: 'type' } },
    }),
    builtin({
      group: 'admissionregistration.k8s.io',
      version: 'v1',
      kind: 'ValidatingWebhookConfiguration',
      plural: 'validatingwebhookconfigurations',
      categories: ['api-extensions'],
      namespaced: false,
      generation: true,
      columns: [nameColumn, col('Webhooks', (o) => ((get(o, 'webhooks') as unknown[] | undefined) ?? []).length, { type: 'integer' }), ageColumn],
      strategic: { webhooks: { mergeKey: 'name' } },
    }),
  ];
}

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: StructuralSchema };
  subresources?: { status?: unknown };
  additionalPrinterColumns?: Array<{ name: string; type: string; jsonPath: string; description?: string; priority?: number; format?: string }>;
}

export interface CrdSpec {
  group: string;
  scope: string;
  names: { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  versions: CrdVersion[];
}

/** The type a CustomResourceDefinition declares. Assumes the CRD passed validateCrd. */
export function resourceFromCrd(name: string, spec: CrdSpec): ResourceType {
  const storage = spec.versions.find((v) => v.storage) ?? spec.versions[0];
  return {
    group: spec.group,
    versions: spec.versions.map((v) => {
      const columns = v.additionalPrinterColumns?.length ? [nameColumn, ...v.additionalPrinterColumns.map(printerColumn)] : [nameColumn, ageColumn];
      const info: VersionInfo = { name: v.name, served: v.served !== false, columns, statusSubresource: v.subresources?.status !== undefined };
      return v.schema?.openAPIV3Schema ? { ...info, schema: v.schema.openAPIV3Schema } : info;
    }),
    storageVersion: storage?.name ?? '',
    kind: spec.names.kind,
    listKind: spec.names.listKind ?? `${spec.names.kind}List`,
    plural: spec.names.plural,
    singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
    shortNames: spec.names.shortNames ?? [],
    categories: spec.names.categories ?? [],
    namespaced: spec.scope === 'Namespaced',
    hasGeneration: true,
    extraFieldSelectors: [],
    nameRule: 'subdomain',
    crdName: name,
  };
}
