// `lbctl explain service NS/NAME`: the whole decision about one Service, from a snapshot. What it
// asks, each pool with why it was chosen or refused (the allocator's own typed refusals, replayed
// against every other Service's addresses), the advertisements covering its addresses, the nodes
// that may announce them and why each other may not, who announces them now (the speakers' status
// objects and session states), and the Events recorded about it. Pure.
import { formatIssue, parseServiceAnnotations, type CompiledPool } from '@lb/config-schema';
import { type AllocationRequest, type Allocator } from '@lb/ipam';
import { matchesAnySelector, type Labels } from '@lb/labels';
import type { Event, Service } from '@lb/k8s-watch';
import { compileObjects, currentAddresses, decide, replay, routeOf, type AllocationOptions, type Outcome } from './allocation.js';
import { bgpEligibility, endpointNodes, l2Eligibility, type NodeVerdict } from './nodes.js';
import { serviceKeyOf, type ClusterSnapshot, type StatusObject } from './snapshot.js';

export const POOL_ANNOTATION = 'metallb.io/ip-allocated-from-pool';

export type Verdict =
  | 'assigned'
  | 'pending'
  | 'not-found'
  | 'not-load-balancer'
  | 'not-ours'
  | 'invalid-service'
  | 'invalid-configuration'
  | 'no-configuration';

export interface PoolConsideration {
  readonly pool: string;
  readonly families: readonly string[];
  /** chosen: gives the addresses; holds: the Service's addresses are in it; could: would serve if asked; refused; skipped: not a candidate at all. */
  readonly verdict: 'chosen' | 'holds' | 'could' | 'refused' | 'skipped';
  /** The allocator's refusal kind (PoolExhausted, PoolNotAllowed, ...), when refused. */
  readonly kind?: string;
  readonly reason: string;
}

export interface AnnouncementCoverage {
  readonly protocol: 'layer2' | 'bgp';
  readonly source: string;
  readonly selectsService: boolean;
}

export interface Announcer {
  readonly protocol: 'layer2' | 'bgp';
  readonly node: string;
  readonly interfaces?: readonly string[];
  readonly peers?: ReadonlyArray<{ readonly peer: string; readonly bgp: string; readonly bfd?: string }>;
}

export interface EventSummary {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly count: number;
  readonly last: string;
  readonly source: string;
}

export interface Explanation {
  readonly service: string;
  readonly verdict: Verdict;
  /** One sentence: the answer to "why has my Service no IP?" (or which addresses it has). */
  readonly summary: string;
  readonly asks: {
    readonly type: string;
    readonly loadBalancerClass: string | null;
    readonly className: string | null;
    readonly ipFamilyPolicy: string;
    readonly ipFamilies: readonly string[];
    readonly ports: readonly string[];
    readonly externalTrafficPolicy: string;
    readonly annotations: Readonly<Record<string, string>>;
    readonly requestedPool: string | null;
    readonly requestedIPs: readonly string[];
    readonly sharingKey: string | null;
    readonly warnings: readonly string[];
  } | null;
  readonly addresses: readonly string[];
  readonly pool: string | null;
  /** What the controller wrote (conditions) about its last decision. */
  readonly controller: readonly string[];
  readonly configuration: { readonly valid: boolean; readonly errors: readonly string[] };
  readonly pools: readonly PoolConsideration[];
  readonly announcements: readonly AnnouncementCoverage[];
  readonly nodes: ReadonlyArray<{ readonly protocol: 'layer2' | 'bgp'; readonly verdicts: readonly NodeVerdict[] }>;
  readonly announcers: readonly Announcer[];
  readonly events: readonly EventSummary[];
}

export interface ExplainOptions extends AllocationOptions {
  readonly ignoreExcludeLB?: boolean;
  /** Events shown, newest last (default 10). */
  readonly maxEvents?: number;
}

const SHARED_IP = 'metallb.io/allow-shared-ip';
const MAX_EVENTS = 10;

export function explainService(snapshot: ClusterSnapshot, key: string, options: ExplainOptions = {}): Explanation {
  const service = snapshot.services.find((s) => serviceKeyOf(s) === key);
  const base = emptyExplanation(key);
  if (!service) return { ...base, verdict: 'not-found', summary: `no Service ${key}` };
  const addresses = currentAddresses(service);
  const annotations = service.metadata?.annotations ?? {};
  const withService = { ...base, asks: asksOf(service), addresses, pool: annotations[POOL_ANNOTATION] ?? null, controller: conditionsOf(service) };
  if (service.spec?.type !== 'LoadBalancer') {
    return { ...withService, verdict: 'not-load-balancer', summary: `type is ${service.spec?.type ?? 'ClusterIP'}, not LoadBalancer: no external address is given` };
  }

  const compiled = compileObjects(snapshot.config, snapshot);
  if (!compiled.ok) {
    const errors = compiled.error.issues.map(formatIssue);
    const configuration = { valid: false, errors };
    const summary =
      addresses.length > 0
        ? `has ${addresses.join(', ')}; but the configuration is invalid (${errors.length} error(s)): the controller keeps running on the last valid one`
        : `the configuration is invalid (${errors.length} error(s)), so nothing new is handed out until it is fixed: ${errors[0] ?? ''}`;
    return { ...withService, configuration, verdict: addresses.length > 0 ? 'assigned' : 'invalid-configuration', summary };
  }
  const config = compiled.value;
  if (config.pools.length === 0) {
    return { ...withService, verdict: 'no-configuration', summary: `no IPAddressPool in namespace ${snapshot.namespace}: nothing to hand out (is --namespace the controller's?)` };
  }

  const route = routeOf(service, config, snapshot, options);
  const asks = withService.asks && route.ok ? { ...withService.asks, className: route.value.className ?? null } : withService.asks;
  if (!route.ok) {
    const verdict = route.error.kind === 'not-ours' ? 'not-ours' : 'invalid-service';
    const summary = route.error.kind === 'not-ours' ? `not this load balancer's Service: ${route.error.message}` : `the Service is refused: ${route.error.message}`;
    return { ...withService, asks, verdict, summary, events: eventsOf(snapshot.events, service, options) };
  }

  // Every other Service holding what it holds now; this one decided against them.
  const others = replay(config, snapshot, options, key, 'restore');
  const allocator = others.allocator;
  let outcome: Outcome;
  const held = addresses.length > 0 ? allocator.assign(route.value.request, addresses) : undefined;
  if (held?.ok) outcome = { kind: 'assigned', pool: held.value.pool, addresses: held.value.addresses };
  else outcome = decide(allocator, route);
  const keeps = held?.ok === true;
  const chosenPool = outcome.kind === 'assigned' ? outcome.pool : undefined;
  if (outcome.kind === 'assigned') allocator.release(key);
  const pools = config.pools.map((pool) => considerPool(pool, route.value, chosenPool, keeps, allocator, key));

  const pool = chosenPool !== undefined ? config.pools.find((p) => p.name === chosenPool) : undefined;
  const labels = (service.metadata?.labels ?? {}) as Labels;
  const announcements = pool ? coverage(pool, labels) : [];
  const ns = service.metadata?.namespace ?? 'default';
  const name = service.metadata?.name ?? '';
  const local = service.spec?.externalTrafficPolicy === 'Local' ? endpointNodes(snapshot.endpointSlices, ns, name).nodes : undefined;
  const eligibilityInput = { nodes: snapshot.nodes, speakers: snapshot.speakers, localEndpointNodes: local, ...(options.ignoreExcludeLB ? { ignoreExcludeLB: true } : {}) };
  const nodes: Array<{ protocol: 'layer2' | 'bgp'; verdicts: NodeVerdict[] }> = [];
  if (pool) {
    const l2 = pool.l2.filter((a) => a.serviceSelectors.length === 0 || matchesAnySelector(a.serviceSelectors, labels));
    const bgp = pool.bgp.filter((a) => a.serviceSelectors.length === 0 || matchesAnySelector(a.serviceSelectors, labels));
    if (l2.length > 0) nodes.push({ protocol: 'layer2', verdicts: l2Eligibility(l2, eligibilityInput) });
    if (bgp.length > 0) nodes.push({ protocol: 'bgp', verdicts: bgpEligibility(bgp, config.peers, eligibilityInput) });
  }
  const announcers = announcersOf(snapshot, ns, name);
  const events = eventsOf(snapshot.events, service, options);
  const result = { ...withService, asks, pools, announcements, nodes, announcers, events, pool: withService.pool ?? chosenPool ?? null };

  if (outcome.kind === 'refused') {
    const { kind, message } = outcome.error;
    const summary = addresses.length > 0 ? `its addresses ${addresses.join(', ')} cannot be kept: ${kind}: ${message}` : `pending: ${kind}: ${message}`;
    return { ...result, verdict: 'pending', summary };
  }
  if (outcome.kind !== 'assigned') return { ...result, verdict: 'invalid-service', summary: outcome.message };
  if (addresses.length === 0) {
    return { ...result, verdict: 'pending', summary: `pending, though pool ${outcome.pool} could give it ${outcome.addresses.join(', ')} now: is the controller running (and its --lb-class, --namespace the same as here)?` };
  }
  return { ...result, verdict: 'assigned', summary: `has ${addresses.join(', ')} from pool ${outcome.pool}; ${announcedSummary(result.announcements, nodes, announcers)}` };
}

function emptyExplanation(key: string): Explanation {
  return {
    service: key,
    verdict: 'not-found',
    summary: '',
    asks: null,
    addresses: [],
    pool: null,
    controller: [],
    configuration: { valid: true, errors: [] },
    pools: [],
    announcements: [],
    nodes: [],
    announcers: [],
    events: [],
  };
}

function asksOf(service: Service): NonNullable<Explanation['asks']> {
  const spec = service.spec ?? {};
  const annotations = service.metadata?.annotations ?? {};
  const parsed = parseServiceAnnotations(annotations);
  const interesting = Object.fromEntries(Object.entries(annotations).filter(([k]) => k.startsWith('metallb.') || k.startsWith('network.deckhouse.io/')).sort());
  const requestedIPs = [...(parsed.value.loadBalancerIPs ?? []), ...(spec.loadBalancerIP ? [spec.loadBalancerIP] : [])];
  return {
    type: spec.type ?? 'ClusterIP',
    loadBalancerClass: spec.loadBalancerClass ?? null,
    className: null,
    ipFamilyPolicy: spec.ipFamilyPolicy ?? 'SingleStack',
    ipFamilies: spec.ipFamilies ?? [],
    ports: (spec.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`),
    externalTrafficPolicy: spec.externalTrafficPolicy ?? 'Cluster',
    annotations: interesting,
    requestedPool: parsed.value.addressPool ?? null,
    requestedIPs,
    sharingKey: parsed.value.sharingKey ?? annotations[SHARED_IP] ?? null,
    warnings: parsed.issues.map((i) => `${i.annotation}: ${i.message}`),
  };
}

function conditionsOf(service: Service): string[] {
  return (service.status?.conditions ?? []).map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`);
}

/**
 * One pool's verdict for the Service: the allocator asked for exactly this pool (and the request
 * given back at once), so the refusal is the allocator's own.
 */
function considerPool(
  pool: CompiledPool,
  request: { readonly request: AllocationRequest; readonly className: string | undefined },
  chosen: string | undefined,
  keeps: boolean,
  allocator: Allocator,
  key: string,
): PoolConsideration {
  const base = { pool: pool.name, families: pool.families };
  if (pool.name === chosen) return { ...base, verdict: keeps ? 'holds' : 'chosen', reason: keeps ? 'holds the Service\'s addresses' : 'gives the addresses' };
  const asked = request.request.requestedPool;
  if (request.className !== undefined) {
    if (pool.className !== request.className) return { ...base, verdict: 'skipped', reason: `the Service takes its addresses from MetalLoadBalancerClass ${request.className}` };
  } else {
    if (pool.className !== undefined) return { ...base, verdict: 'skipped', kind: 'PoolReserved', reason: `reserved for MetalLoadBalancerClass ${pool.className}; set spec.loadBalancerClass to use it` };
    if (asked !== undefined && asked !== pool.name) return { ...base, verdict: 'skipped', reason: `the Service asks for pool ${asked}` };
  }
  const requestedIPs = request.request.requestedIPs ?? [];
  const trial = allocator.allocate(requestedIPs.length > 0 ? request.request : { ...request.request, requestedPool: pool.name });
  if (trial.ok) {
    allocator.release(key);
    if (requestedIPs.length > 0 && trial.value.pool !== pool.name) return { ...base, verdict: 'skipped', kind: 'AddressNotInRequestedPool', reason: `does not contain ${requestedIPs.join(', ')}` };
    if (asked === undefined && pool.spec.autoAssign === false && requestedIPs.length === 0) {
      return { ...base, verdict: 'skipped', reason: `autoAssign is false: used only when asked for by name (metallb.io/address-pool: ${pool.name})` };
    }
    return { ...base, verdict: 'could', reason: `could give ${trial.value.addresses.join(', ')}` };
  }
  if (requestedIPs.length > 0 && trial.error.kind === 'AddressNotInAnyPool') return { ...base, verdict: 'skipped', kind: trial.error.kind, reason: `does not contain ${requestedIPs.join(', ')}` };
  const holders =
    trial.error.holders && trial.error.holders.length > 0
      ? ` (held by ${trial.error.holders.join(', ')})`
      : trial.error.kind === 'PoolExhausted'
        ? ` (${allocator.servicesPerPool().get(pool.name) ?? 0} Service(s) hold its addresses)`
        : '';
  return { ...base, verdict: 'refused', kind: trial.error.kind, reason: `${trial.error.message}${holders}` };
}

function coverage(pool: CompiledPool, labels: Labels): AnnouncementCoverage[] {
  const out: AnnouncementCoverage[] = [];
  const name = (source: { kind: string; name: string; namespace?: string }): string => `${source.kind} ${source.namespace ? `${source.namespace}/` : ''}${source.name}`;
  for (const a of pool.l2) out.push({ protocol: 'layer2', source: name(a.source), selectsService: a.serviceSelectors.length === 0 || matchesAnySelector(a.serviceSelectors, labels) });
  for (const a of pool.bgp) out.push({ protocol: 'bgp', source: name(a.source), selectsService: a.serviceSelectors.length === 0 || matchesAnySelector(a.serviceSelectors, labels) });
  return out;
}

function belongsTo(status: StatusObject, namespace: string, name: string): boolean {
  const labels = status.metadata?.labels ?? {};
  const ns = status.status?.serviceNamespace ?? labels['metallb.io/service-namespace'];
  const n = status.status?.serviceName ?? labels['metallb.io/service-name'];
  return ns === namespace && n === name;
}

export function announcersOf(snapshot: ClusterSnapshot, namespace: string, name: string): Announcer[] {
  const out: Announcer[] = [];
  for (const s of snapshot.l2Statuses) {
    if (!belongsTo(s, namespace, name)) continue;
    const interfaces = (s.status?.interfaces ?? []).map((i) => i.name ?? '').filter(Boolean);
    out.push({ protocol: 'layer2', node: s.status?.node ?? s.metadata?.labels?.['metallb.io/node'] ?? '?', interfaces });
  }
  for (const s of snapshot.bgpStatuses) {
    if (!belongsTo(s, namespace, name)) continue;
    const node = s.status?.node ?? s.metadata?.labels?.['metallb.io/node'] ?? '?';
    const peers = (s.status?.peers ?? []).map((peer) => {
      const state = snapshot.sessionStates.find((x) => x.status?.node === node && (x.status.peer === peer || x.metadata?.labels?.['frrk8s.metallb.io/peer'] === peer));
      return { peer, bgp: state?.status?.bgpStatus ?? 'unknown (no session state)', ...(state?.status?.bfdStatus ? { bfd: state.status.bfdStatus } : {}) };
    });
    out.push({ protocol: 'bgp', node, peers });
  }
  return out.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
}

function announcedSummary(announcements: readonly AnnouncementCoverage[], nodes: ReadonlyArray<{ protocol: string; verdicts: readonly NodeVerdict[] }>, announcers: readonly Announcer[]): string {
  if (!announcements.some((a) => a.selectsService)) return 'but no L2Advertisement or BGPAdvertisement covers it: nobody announces it';
  const eligible = nodes.flatMap((n) => n.verdicts.filter((v) => v.refusals.length === 0).map((v) => v.node));
  if (eligible.length === 0) return 'but no node may announce it (see the nodes below)';
  if (announcers.length === 0) return `${new Set(eligible).size} node(s) may announce it, but no speaker reports announcing it`;
  return `announced by ${announcers.map((a) => `${a.node} (${a.protocol})`).join(', ')}`;
}

function eventTime(e: Event): string {
  return e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? '';
}

function eventsOf(events: readonly Event[], service: Service, options: ExplainOptions): EventSummary[] {
  const ns = service.metadata?.namespace ?? 'default';
  const name = service.metadata?.name;
  return events
    .filter((e) => e.involvedObject?.kind === 'Service' && e.involvedObject.name === name && (e.involvedObject.namespace ?? e.metadata?.namespace) === ns)
    .sort((a, b) => (eventTime(a) < eventTime(b) ? -1 : eventTime(a) > eventTime(b) ? 1 : 0))
    .slice(-(options.maxEvents ?? MAX_EVENTS))
    .map((e) => ({
      type: e.type ?? 'Normal',
      reason: e.reason ?? '',
      message: e.message ?? '',
      count: e.count ?? e.series?.count ?? 1,
      last: eventTime(e),
      source: e.reportingComponent || e.source?.component || '',
    }));
}

