// `lbctl plan -f NEW-CONFIG`: what applying a configuration would do to the live cluster. The
// controller is replayed under the new configuration (every Service re-takes its addresses, those
// that cannot are decided again, then the pending ones in key order) and compared with what the
// Services show now; layer 2 and BGP coverage are compared node by node. Pure.
import { formatIssue, type CompiledConfig, type CompiledPool } from '@lb/config-schema';
import { matchesAnySelector, type Labels } from '@lb/labels';
import type { KubeObject, Service } from '@lb/k8s-watch';
import { compileObjects, currentAddresses, replay, type AllocationOptions, type Outcome } from './allocation.js';
import { POOL_ANNOTATION, announcersOf } from './explain.js';
import { EXCLUDE_FROM_LB_LABEL } from './nodes.js';
import { serviceKeyOf, type ClusterSnapshot } from './snapshot.js';
import { overlay } from './validate.js';

export interface ServiceChange {
  readonly service: string;
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly poolBefore: string | null;
  readonly poolAfter: string | null;
  /** Why it loses its addresses or stays without. */
  readonly reason?: string;
}

export interface AnnouncementMove {
  readonly service: string;
  readonly protocol: 'layer2' | 'bgp';
  readonly nodesBefore: readonly string[];
  readonly nodesAfter: readonly string[];
  /** Nodes announcing it now (status objects) that could no longer. */
  readonly announcersLost: readonly string[];
}

export interface Plan {
  /** The new configuration does not compile: nothing would change (the webhook refuses it). */
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  readonly lose: readonly ServiceChange[];
  readonly change: readonly ServiceChange[];
  readonly gain: readonly ServiceChange[];
  /** Same addresses, pool renamed. */
  readonly repool: readonly ServiceChange[];
  readonly stillPending: readonly ServiceChange[];
  readonly moves: readonly AnnouncementMove[];
  readonly unchanged: number;
}

export interface PlanOptions extends AllocationOptions {
  /** The files are the whole configuration (live objects they do not name are deleted), rather than applied on top. */
  readonly prune?: boolean;
}

export function planChange(snapshot: ClusterSnapshot, files: readonly unknown[], options: PlanOptions = {}): Plan {
  const newObjects = options.prune ? keepSecrets(snapshot.config, files) : overlay(snapshot.config, files);
  const compiled = compileObjects(newObjects, snapshot);
  const empty = { lose: [], change: [], gain: [], repool: [], stillPending: [], moves: [], unchanged: 0 };
  if (!compiled.ok) return { ...empty, errors: compiled.error.issues.map(formatIssue), warnings: compiled.warnings.map(formatIssue) };
  const oldCompiled = compileObjects(snapshot.config, snapshot);
  const after = replay(compiled.value, snapshot, options);
  const plan = { ...empty, lose: [] as ServiceChange[], change: [] as ServiceChange[], gain: [] as ServiceChange[], repool: [] as ServiceChange[], stillPending: [] as ServiceChange[], moves: [] as AnnouncementMove[] };
  for (const service of snapshot.services) {
    const key = serviceKeyOf(service);
    const outcome = after.outcomes.get(key);
    const before = currentAddresses(service);
    if (!outcome) continue;
    const poolBefore = service.metadata?.annotations?.[POOL_ANNOTATION] ?? null;
    const assigned = outcome.kind === 'assigned' ? outcome : undefined;
    const entry: ServiceChange = { service: key, before, after: assigned?.addresses ?? [], poolBefore, poolAfter: assigned?.pool ?? null, ...(assigned ? {} : { reason: reasonOf(outcome) }) };
    if (before.length > 0 && !assigned) plan.lose.push(entry);
    else if (before.length > 0 && assigned && !sameSet(before, assigned.addresses)) plan.change.push(entry);
    else if (before.length === 0 && assigned) plan.gain.push(entry);
    else if (before.length === 0 && outcome.kind === 'refused') plan.stillPending.push(entry);
    else if (assigned && poolBefore !== null && poolBefore !== assigned.pool) plan.repool.push(entry);
    else plan.unchanged++;
    if (assigned && before.length > 0 && oldCompiled.ok) {
      plan.moves.push(...announcementMoves(snapshot, service, oldCompiled.value, compiled.value, assigned.pool));
    }
  }
  return { ...plan, errors: [], warnings: compiled.warnings.map(formatIssue) };
}

/** With --prune the Secrets (BGP passwords) stay: they are not configuration one writes in these files. */
function keepSecrets(live: readonly KubeObject[], files: readonly unknown[]): unknown[] {
  return [...live.filter((o) => o.kind === 'Secret'), ...files];
}

function reasonOf(outcome: Outcome): string {
  if (outcome.kind === 'refused') return `${outcome.error.kind}: ${outcome.error.message}`;
  if (outcome.kind === 'assigned') return '';
  return outcome.message;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Nodes that may announce the Service under a pool's advertisements (node selectors and exclusions only). */
function coveringNodes(pool: CompiledPool | undefined, protocol: 'layer2' | 'bgp', service: Service, nodes: ClusterSnapshot['nodes']): string[] {
  if (!pool) return [];
  const labels = (service.metadata?.labels ?? {}) as Labels;
  const announcements = (protocol === 'layer2' ? pool.l2 : pool.bgp).filter((a) => a.serviceSelectors.length === 0 || matchesAnySelector(a.serviceSelectors, labels));
  const out: string[] = [];
  for (const node of nodes) {
    const nodeLabels = (node.metadata?.labels ?? {}) as Labels;
    if (Object.hasOwn(nodeLabels, EXCLUDE_FROM_LB_LABEL)) continue;
    if (announcements.some((a) => a.nodeSelectors.length === 0 || matchesAnySelector(a.nodeSelectors, nodeLabels))) out.push(node.metadata?.name ?? '');
  }
  return out.sort();
}

function poolHolding(config: CompiledConfig, service: Service, fallback: string): CompiledPool | undefined {
  const named = service.metadata?.annotations?.[POOL_ANNOTATION] ?? fallback;
  return config.pools.find((p) => p.name === named);
}

function announcementMoves(snapshot: ClusterSnapshot, service: Service, before: CompiledConfig, after: CompiledConfig, poolAfter: string): AnnouncementMove[] {
  const out: AnnouncementMove[] = [];
  const oldPool = poolHolding(before, service, poolAfter);
  const newPool = after.pools.find((p) => p.name === poolAfter);
  const announcers = announcersOf(snapshot, service.metadata?.namespace ?? 'default', service.metadata?.name ?? '');
  for (const protocol of ['layer2', 'bgp'] as const) {
    const nodesBefore = coveringNodes(oldPool, protocol, service, snapshot.nodes);
    const nodesAfter = coveringNodes(newPool, protocol, service, snapshot.nodes);
    if (sameSet(nodesBefore, nodesAfter)) continue;
    const announcersLost = announcers.filter((a) => a.protocol === protocol && !nodesAfter.includes(a.node)).map((a) => a.node);
    out.push({ service: serviceKeyOf(service), protocol, nodesBefore, nodesAfter, announcersLost });
  }
  return out;
}
