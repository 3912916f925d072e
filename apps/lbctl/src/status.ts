// `lbctl status`: one screen about the whole installation. Pools with addresses used and free per
// family (counted from the Services' addresses, as the controller counts them), the configuration's
// state (ours and what the controller reported), speakers alive per node, BGP sessions and layer 2
// owners per node. Pure.
import { formatIssue } from '@lb/config-schema';
import { Allocator } from '@lb/ipam';
import { compileObjects, currentAddresses, routeOf } from './allocation.js';
import { aliveSpeakerNodes } from './nodes.js';
import { serviceKeyOf, type ClusterSnapshot } from './snapshot.js';

export interface PoolUsage {
  readonly pool: string;
  readonly family: string;
  readonly used: number;
  /** Addresses in the pool's ranges; a string since IPv6 pools exceed Number (bigint in JSON is not portable). */
  readonly total: string;
  readonly free: string;
}

export interface ClusterStatus {
  readonly namespace: string;
  readonly configuration: {
    readonly valid: boolean;
    readonly errors: readonly string[];
    /** The controller's ConfigurationState (result and summary), when it wrote one. */
    readonly controller: string | null;
  };
  readonly pools: readonly PoolUsage[];
  readonly services: { readonly loadBalancer: number; readonly assigned: number; readonly pending: number };
  readonly speakers: ReadonlyArray<{ readonly node: string; readonly alive: boolean; readonly l2Services: number; readonly bgpServices: number }>;
  readonly sessions: ReadonlyArray<{ readonly node: string; readonly peer: string; readonly bgp: string; readonly bfd: string | null; readonly vrf: string | null }>;
}

export function clusterStatus(snapshot: ClusterSnapshot): ClusterStatus {
  const compiled = compileObjects(snapshot.config, snapshot);
  const state = snapshot.configurationStates.find((s) => s.metadata?.name === 'controller') ?? snapshot.configurationStates[0];
  const controller = state?.status?.result ? `${state.status.result}${state.status.errorSummary ? `: ${state.status.errorSummary}` : ''}` : null;
  const configuration = { valid: compiled.ok, errors: compiled.ok ? [] : compiled.error.issues.map(formatIssue), controller };

  let lb = 0;
  let assigned = 0;
  const pools: PoolUsage[] = [];
  const allocator = new Allocator();
  const applied = compiled.ok ? allocator.setPools(compiled.value.poolSpecs) : undefined;
  for (const service of snapshot.services) {
    if (service.spec?.type !== 'LoadBalancer') continue;
    lb++;
    const held = currentAddresses(service);
    if (held.length === 0) continue;
    assigned++;
    if (!compiled.ok || !applied?.ok) continue;
    const route = routeOf(service, compiled.value, snapshot);
    // A Service whose addresses no longer fit its request still holds them until the controller acts.
    const request = route.ok ? route.value.request : { service: serviceKeyOf(service) };
    if (!allocator.assign(request, held).ok) allocator.assign({ service: serviceKeyOf(service) }, held);
  }
  if (applied?.ok) {
    for (const s of allocator.statistics()) if (s.total > 0n) pools.push({ pool: s.pool, family: s.family, used: s.inUse, total: s.total.toString(), free: s.free.toString() });
  }

  const alive = aliveSpeakerNodes(snapshot.speakers);
  const perNode = (list: ClusterSnapshot['l2Statuses'], node: string): number => list.filter((s) => (s.status?.node ?? s.metadata?.labels?.['metallb.io/node']) === node).length;
  const nodeNames = new Set([...snapshot.nodes.map((n) => n.metadata?.name ?? ''), ...snapshot.speakers.map((p) => p.spec?.nodeName ?? '').filter(Boolean)]);
  const speakers = [...nodeNames].sort().map((node) => ({ node, alive: alive.has(node), l2Services: perNode(snapshot.l2Statuses, node), bgpServices: perNode(snapshot.bgpStatuses, node) }));
  const sessions = snapshot.sessionStates
    .map((s) => ({
      node: s.status?.node ?? s.metadata?.labels?.['frrk8s.metallb.io/node'] ?? '?',
      peer: s.status?.peer ?? s.metadata?.labels?.['frrk8s.metallb.io/peer'] ?? '?',
      bgp: s.status?.bgpStatus ?? 'unknown',
      bfd: s.status?.bfdStatus ?? null,
      vrf: s.status?.vrf || null,
    }))
    .sort((a, b) => (a.node + a.peer < b.node + b.peer ? -1 : 1));
  return { namespace: snapshot.namespace, configuration, pools, services: { loadBalancer: lb, assigned, pending: lb - assigned }, speakers, sessions };
}
