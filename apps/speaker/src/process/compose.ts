// The pure half of the process: what the adapters' inputs (API caches, the membership view) mean
// for this node. The adapters in this folder only carry the results to sockets and the API.
import { type CompiledConfig } from '@lb/config-schema';
import { L2Election, type Announcement, type L2Decision } from '../election/elect.js';
import { announcementDiff } from '../election/diff.js';
import { type EndpointSliceResource, type NodeResource, type ServiceResource } from '../election/resources.js';
import { announcementEvents, desiredL2Statuses, type AnnouncementEvent, type DesiredL2Status } from '../election/status.js';
import { type MemberAddress, type MembershipView } from '../membership/types.js';

/** The API side as the informers hold it. */
export interface ApiSnapshot {
  /** The last valid configuration; undefined until one compiled. */
  readonly config: CompiledConfig | undefined;
  readonly services: readonly ServiceResource[];
  readonly endpointSlices: readonly EndpointSliceResource[];
  readonly nodes: readonly NodeResource[];
}

export interface SpeakerSettings {
  readonly node: string;
  readonly lbClass?: string | undefined;
  readonly ignoreExcludeLB?: boolean;
}

/** What to do after a decision replaced the previous one. */
export interface Layer2Actions {
  readonly decision: L2Decision;
  readonly announce: readonly Announcement[];
  readonly withdraw: readonly string[];
  readonly events: readonly AnnouncementEvent[];
  readonly statuses: ReadonlyMap<string, DesiredL2Status>;
}

/**
 * The speaker's layer 2 state: API snapshot + membership view → what this node announces, what
 * changes on the wire, which statuses and events to write. Holds the election (which caches the
 * API-only work) and the previous decision.
 */
export class Layer2Composer {
  private readonly election: L2Election;
  private decision: L2Decision;
  private configured = false;

  constructor(private readonly settings: SpeakerSettings) {
    this.election = new L2Election(settings.node);
    this.decision = { node: settings.node, announcements: [], services: new Map() };
  }

  get current(): L2Decision {
    return this.decision;
  }

  /** The API side changed. Without a valid configuration nothing is announced. */
  setApi(snapshot: ApiSnapshot): void {
    this.configured = snapshot.config !== undefined;
    if (!snapshot.config) return;
    this.election.setInputs({
      config: snapshot.config,
      services: snapshot.services,
      endpointSlices: snapshot.endpointSlices,
      nodes: snapshot.nodes,
      ...(this.settings.lbClass !== undefined ? { lbClass: this.settings.lbClass } : {}),
      ...(this.settings.ignoreExcludeLB ? { ignoreExcludeLB: true } : {}),
    });
  }

  /** Decides again with `view` and returns what changed since the last decision. */
  decide(view: MembershipView): Layer2Actions {
    const next: L2Decision = this.configured ? this.election.decide(view) : { node: this.settings.node, announcements: [], services: new Map() };
    const previous = this.decision;
    this.decision = next;
    const { announce, withdraw } = announcementDiff(previous, next);
    return { decision: next, announce, withdraw, events: announcementEvents(previous, next), statuses: desiredL2Statuses(next) };
  }

  /** Everything withdrawn (shutdown): the actions that take this node off the LAN. */
  withdrawAll(): Layer2Actions {
    const previous = this.decision;
    const next: L2Decision = { node: this.settings.node, announcements: [], services: previous.services };
    this.decision = next;
    return { decision: next, announce: [], withdraw: previous.announcements.map((a) => a.ip), events: [], statuses: new Map() };
  }
}

export interface PodResource {
  readonly metadata?: { readonly name?: string; readonly deletionTimestamp?: string };
  readonly spec?: { readonly nodeName?: string };
  readonly status?: { readonly podIP?: string; readonly podIPs?: ReadonlyArray<{ readonly ip?: string }> };
}

export interface NodeWithAddresses extends NodeResource {
  readonly status?: NodeResource['status'] & { readonly addresses?: ReadonlyArray<{ readonly type: string; readonly address: string }> };
}

/**
 * The members to expect, for the membership core: the speaker Pods (host network, so the pod IP is
 * the node's) on `port`. With no speaker Pod at all (speakers run outside Kubernetes, as in the
 * lab) every Node's first InternalIP stands in.
 */
export function expectedMembers(pods: readonly PodResource[], nodes: readonly NodeWithAddresses[], port: number): MemberAddress[] {
  const members = new Map<string, string>();
  for (const pod of pods) {
    const name = pod.spec?.nodeName;
    const ip = pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip;
    if (!name || !ip || pod.metadata?.deletionTimestamp) continue;
    members.set(name, joinHostPort(ip, port));
  }
  if (pods.length === 0) {
    for (const node of nodes) {
      const name = node.metadata?.name;
      const ip = internalIP(node);
      if (name && ip) members.set(name, joinHostPort(ip, port));
    }
  }
  return [...members].map(([name, address]) => ({ name, address })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The Node's first InternalIP, IPv4 preferred (what MetalLB takes for METALLB_HOST's default). */
export function internalIP(node: NodeWithAddresses | undefined): string | undefined {
  const internal = (node?.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address);
  return internal.find((a) => !a.includes(':')) ?? internal[0];
}

export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function splitHostPort(address: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(address);
  if (!match) return undefined;
  return { host: (match[1] ?? match[2]) as string, port: Number(match[3]) };
}

/** An existing status object (ServiceL2Status, ServiceBGPStatus) of this node, as listed from the API. */
export interface ExistingL2Status {
  readonly name: string;
  /** namespace/name of its Service, from its labels; undefined if they are missing. */
  readonly service: string | undefined;
  /** The object's status; not needed when statusJson is given (the writer keeps only that). */
  readonly status?: unknown;
  /** canonicalJson(status ?? {}) when already known (the writer keeps what it wrote), to spare the work per pass. */
  readonly statusJson?: string;
}

/** What a per-Service status object should say; DesiredL2Status and DesiredBgpStatus are both one. */
export interface DesiredServiceStatus {
  readonly service: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly status: object;
}

export interface StatusActions<D extends DesiredServiceStatus = DesiredL2Status> {
  readonly create: readonly D[];
  /** Object name and the status it should have. */
  readonly update: ReadonlyArray<{ readonly name: string; readonly desired: D }>;
  readonly delete: readonly string[];
}

/**
 * JSON with every object's keys sorted. The API server returns a custom resource's fields in an
 * order of its own (a real one sorts them; kube-sim follows the schema), so a status compared in
 * the order it was written would differ from the same status listed back (`interfaces` after
 * `serviceNamespace`, `peers` after `node`), and every Service would be written again after each
 * restart.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]])) : v,
  );
}

/** A desired status's canonical JSON, once per object: the BGP side hands over the same objects while unchanged. */
const statusJsons = new WeakMap<object, string>();

export function statusJson(status: object): string {
  let json = statusJsons.get(status);
  if (json === undefined) {
    json = canonicalJson(status);
    statusJsons.set(status, json);
  }
  return json;
}

/** The writes that turn this node's status objects into `desired`: one object per Service, no duplicates. */
export function statusActions<D extends DesiredServiceStatus = DesiredL2Status>(existing: readonly ExistingL2Status[], desired: ReadonlyMap<string, D>): StatusActions<D> {
  const seen = new Set<string>();
  const update: Array<{ name: string; desired: D }> = [];
  const remove: string[] = [];
  for (const object of [...existing].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const want = object.service !== undefined ? desired.get(object.service) : undefined;
    if (!want || seen.has(want.service)) {
      remove.push(object.name);
      continue;
    }
    seen.add(want.service);
    if ((object.statusJson ?? canonicalJson(object.status ?? {})) !== statusJson(want.status)) update.push({ name: object.name, desired: want });
  }
  const create = [...desired.values()].filter((d) => !seen.has(d.service));
  return { create, update, delete: remove };
}
