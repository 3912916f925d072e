// What lbctl knows of a cluster, whether read through the API or from a dump (`kubectl get ... -o
// yaml`, or files): the configuration objects, Services and their surroundings, and what the
// controller and speakers wrote (status objects, session states, Events). Pure: the cores take a
// snapshot and never talk to the API themselves.
import type { EndpointSlice, Event, KubeObject, Namespace, Node, Pod, Service } from '@lb/k8s-watch';

export const DEFAULT_NAMESPACE = 'metallb-system';
export const DEFAULT_SPEAKER_LABELS = 'app.kubernetes.io/component=speaker';

/** The metallb.io kinds that make up the configuration (read in the configuration namespace). */
export const CONFIG_KINDS = new Set(['IPAddressPool', 'L2Advertisement', 'BGPAdvertisement', 'BGPPeer', 'BFDProfile', 'Community']);
/** Cluster-scoped configuration. */
export const CLASS_KIND = 'MetalLoadBalancerClass';

/** frr-k8s's BGPSessionState status, which the speaker writes per node and peer. */
export interface SessionStateStatus {
  readonly bgpStatus?: string;
  readonly bfdStatus?: string;
  readonly node?: string;
  readonly peer?: string;
  readonly vrf?: string;
}

export interface StatusObject extends KubeObject {
  readonly status?: {
    readonly node?: string;
    readonly serviceName?: string;
    readonly serviceNamespace?: string;
    readonly interfaces?: ReadonlyArray<{ readonly name?: string }>;
    readonly peers?: readonly string[];
  };
}

export interface SessionStateObject extends KubeObject {
  readonly status?: SessionStateStatus;
}

export interface ConfigurationStateObject extends KubeObject {
  readonly status?: { readonly result?: string; readonly errorSummary?: string; readonly conditions?: ReadonlyArray<{ type?: string; status?: string; reason?: string; message?: string }> };
}

export interface ClusterSnapshot {
  /** Where the metallb.io configuration lives (MetalLB's namespace; the controller's --namespace may name several, comma-separated). */
  readonly namespace: string;
  readonly configNamespaces: readonly string[];
  /** Configuration objects (metallb.io kinds and Secrets in `namespace`, MetalLoadBalancerClasses). */
  readonly config: readonly KubeObject[];
  readonly services: readonly Service[];
  readonly namespaces: readonly Namespace[];
  readonly nodes: readonly Node[];
  readonly endpointSlices: readonly EndpointSlice[];
  /** Speaker Pods (selected by the speaker labels). */
  readonly speakers: readonly Pod[];
  readonly l2Statuses: readonly StatusObject[];
  readonly bgpStatuses: readonly StatusObject[];
  readonly sessionStates: readonly SessionStateObject[];
  readonly configurationStates: readonly ConfigurationStateObject[];
  readonly events: readonly Event[];
}

export interface SnapshotOptions {
  readonly namespace?: string;
  /** `key=value[,key=value]`: the labels of speaker Pods. */
  readonly speakerLabels?: string;
}

/** Parses `a=b,c=d` (the form of --ml-labels); malformed parts are ignored. */
export function parseLabelList(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

export function isSpeakerPod(pod: KubeObject, labels: Readonly<Record<string, string>>): boolean {
  const own = pod.metadata?.labels ?? {};
  return Object.entries(labels).every(([k, v]) => own[k] === v);
}

/** Sorts loose objects (a dump, files) into a snapshot. Unknown kinds are ignored. */
/** `a,b` → ['a', 'b']; empty → MetalLB's namespace. */
export function splitNamespaces(text: string | undefined): string[] {
  const list = (text ?? DEFAULT_NAMESPACE).split(',').map((s) => s.trim()).filter(Boolean);
  return list.length > 0 ? list : [DEFAULT_NAMESPACE];
}

export function snapshotFromObjects(objects: readonly unknown[], options: SnapshotOptions = {}): ClusterSnapshot {
  const speakerLabels = parseLabelList(options.speakerLabels ?? DEFAULT_SPEAKER_LABELS);
  const snapshot = emptySnapshot(options.namespace);
  const inConfig = (ns: string | undefined): boolean => snapshot.configNamespaces.includes(ns ?? (snapshot.configNamespaces[0] as string));
  for (const value of objects) {
    const object = normalize(value);
    if (!object) continue;
    const kind = object.kind ?? '';
    const ns = object.metadata?.namespace;
    if (CONFIG_KINDS.has(kind)) {
      if (inConfig(ns)) snapshot.config.push(object);
    } else if (kind === CLASS_KIND) snapshot.config.push(object);
    else if (kind === 'Secret') {
      if (ns !== undefined && inConfig(ns)) snapshot.config.push(object);
    } else if (kind === 'Service') snapshot.services.push(object as Service);
    else if (kind === 'Namespace') snapshot.namespaces.push(object as Namespace);
    else if (kind === 'Node') snapshot.nodes.push(object as Node);
    else if (kind === 'EndpointSlice') snapshot.endpointSlices.push(object as EndpointSlice);
    else if (kind === 'Pod') {
      if (isSpeakerPod(object, speakerLabels)) snapshot.speakers.push(object as Pod);
    } else if (kind === 'ServiceL2Status') snapshot.l2Statuses.push(object);
    else if (kind === 'ServiceBGPStatus') snapshot.bgpStatuses.push(object);
    else if (kind === 'BGPSessionState') snapshot.sessionStates.push(object);
    else if (kind === 'ConfigurationState') snapshot.configurationStates.push(object);
    else if (kind === 'Event') snapshot.events.push(object as Event);
  }
  return snapshot;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };

export function emptySnapshot(namespaces: string | undefined): Mutable<ClusterSnapshot> {
  const configNamespaces = splitNamespaces(namespaces);
  return {
    namespace: configNamespaces.join(','),
    configNamespaces,
    config: [],
    services: [],
    namespaces: [],
    nodes: [],
    endpointSlices: [],
    speakers: [],
    l2Statuses: [],
    bgpStatuses: [],
    sessionStates: [],
    configurationStates: [],
    events: [],
  };
}

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const dictOr = (v: unknown): Dict => (isDict(v) ? v : {});
const dicts = (v: unknown): Dict[] => (Array.isArray(v) ? v.filter(isDict) : []);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const stringMap = (v: unknown): Record<string, string> => Object.fromEntries(Object.entries(dictOr(v)).filter(([, x]) => typeof x === 'string')) as Record<string, string>;
const optional = <T>(v: T | undefined, keep: boolean): T | undefined => (keep ? v : undefined);

/**
 * A dump is user input: the fields the cores read get the shapes the API server would have given
 * them (wrong ones dropped), so that a malformed object yields an answer, never an exception. The
 * configuration kinds are left alone: compile() reports what is wrong with them.
 */
export function normalize(value: unknown): KubeObject | undefined {
  if (!isDict(value)) return undefined;
  const meta = dictOr(value['metadata']);
  const metadata = { ...meta, labels: stringMap(meta['labels']), annotations: stringMap(meta['annotations']) };
  const kind = value['kind'];
  if (typeof kind !== 'string' || CONFIG_KINDS.has(kind) || kind === CLASS_KIND || kind === 'Secret') return { ...value, metadata } as KubeObject;
  const spec = dictOr(value['spec']);
  const status = dictOr(value['status']);
  const out: Dict = { ...value, metadata, spec, status };
  if (kind === 'Service') {
    const balancer = dictOr(status['loadBalancer']);
    out['spec'] = {
      ...spec,
      ports: dicts(spec['ports']),
      ipFamilies: optional(strings(spec['ipFamilies']), Array.isArray(spec['ipFamilies'])),
      type: optional(spec['type'] as string, typeof spec['type'] === 'string'),
      loadBalancerClass: optional(spec['loadBalancerClass'] as string, typeof spec['loadBalancerClass'] === 'string'),
      externalTrafficPolicy: optional(spec['externalTrafficPolicy'] as string, typeof spec['externalTrafficPolicy'] === 'string'),
    };
    out['status'] = { ...status, loadBalancer: { ...balancer, ingress: dicts(balancer['ingress']) }, conditions: dicts(status['conditions']) };
  } else if (kind === 'Node') {
    out['spec'] = { ...spec, taints: dicts(spec['taints']) };
    out['status'] = { ...status, conditions: dicts(status['conditions']) };
  } else if (kind === 'Pod') {
    out['spec'] = { ...spec, nodeName: optional(spec['nodeName'] as string, typeof spec['nodeName'] === 'string') };
    out['status'] = { ...status, conditions: dicts(status['conditions']) };
  } else if (kind === 'EndpointSlice') {
    out['endpoints'] = dicts(value['endpoints']).map((e) => ({ ...e, conditions: dictOr(e['conditions']) }));
  } else if (kind === 'ServiceL2Status' || kind === 'ServiceBGPStatus') {
    out['status'] = { ...status, interfaces: dicts(status['interfaces']), peers: strings(status['peers']) };
  } else if (kind === 'Event') {
    out['involvedObject'] = dictOr(value['involvedObject']);
    if (typeof value['count'] !== 'number') delete out['count'];
    for (const field of ['type', 'reason', 'message', 'lastTimestamp', 'eventTime', 'firstTimestamp']) if (typeof value[field] !== 'string') delete out[field];
  }
  return out as KubeObject;
}

export function serviceKeyOf(object: KubeObject): string {
  return `${object.metadata?.namespace ?? 'default'}/${object.metadata?.name ?? ''}`;
}

/**
 * Oldest first (by creationTimestamp, then input order), as the controller compiles, so that of two
 * colliding objects the newer is blamed.
 */
export function oldestFirst<T extends KubeObject>(objects: readonly T[]): T[] {
  const created = (o: KubeObject | null | undefined): string => (typeof o?.metadata?.creationTimestamp === 'string' ? o.metadata.creationTimestamp : '');
  return objects
    .map((o, i) => [o, i] as const)
    .sort(([a, i], [b, j]) => (created(a) < created(b) ? -1 : created(a) > created(b) ? 1 : i - j))
    .map(([o]) => o);
}
