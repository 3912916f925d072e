// Which nodes may announce a Service's addresses, and for every other node the reason it may not:
// the rules the speaker applies (MetalLB's), kept here as explanations rather than decisions.
import { type BgpAnnouncement, type CompiledPeer, type L2Announcement, type Toleration } from '@lb/config-schema';
import { matchesAnySelector, type Labels } from '@lb/labels';
import type { EndpointSlice, Node, Pod } from '@lb/k8s-watch';

export const EXCLUDE_FROM_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const CLASS_KIND = 'MetalLoadBalancerClass';

export type NodeRefusal =
  | { readonly kind: 'network-unavailable'; readonly message: string }
  | { readonly kind: 'excluded'; readonly message: string }
  | { readonly kind: 'not-selected'; readonly message: string }
  | { readonly kind: 'taint'; readonly message: string }
  | { readonly kind: 'no-local-endpoint'; readonly message: string }
  | { readonly kind: 'no-peer'; readonly message: string }
  | { readonly kind: 'speaker-not-alive'; readonly message: string };

export interface NodeVerdict {
  readonly node: string;
  /** Empty: the node may announce. */
  readonly refusals: readonly NodeRefusal[];
  /** BGP: the peers this node would announce to. */
  readonly peers?: readonly string[];
}

export interface EligibilityInput {
  readonly nodes: readonly Node[];
  readonly speakers: readonly Pod[];
  /** Serving endpoints' nodes, when externalTrafficPolicy is Local; undefined for Cluster. */
  readonly localEndpointNodes: ReadonlySet<string> | undefined;
  readonly ignoreExcludeLB?: boolean;
}

/** MetalLB's rule: ready (absent counts as ready), or serving while terminating. */
function canServe(conditions: { ready?: boolean; serving?: boolean } | undefined): boolean {
  if (conditions?.ready === undefined || conditions.ready) return true;
  return conditions.serving === true;
}

/** Nodes holding an endpoint of the Service that can serve. */
export function endpointNodes(slices: readonly EndpointSlice[], namespace: string, name: string): { any: boolean; nodes: Set<string> } {
  const nodes = new Set<string>();
  let any = false;
  for (const slice of slices) {
    if ((slice.metadata?.namespace ?? 'default') !== namespace || slice.metadata?.labels?.[SERVICE_NAME_LABEL] !== name) continue;
    for (const endpoint of slice.endpoints ?? []) {
      if (!canServe(endpoint.conditions)) continue;
      any = true;
      if (endpoint.nodeName) nodes.add(endpoint.nodeName);
    }
  }
  return { any, nodes };
}

/** Nodes with a speaker Pod that runs and is ready. */
export function aliveSpeakerNodes(speakers: readonly Pod[]): Set<string> {
  const out = new Set<string>();
  for (const pod of speakers) {
    const node = pod.spec?.nodeName;
    if (!node || pod.metadata?.deletionTimestamp) continue;
    const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (pod.status?.phase === 'Running' && ready) out.add(node);
  }
  return out;
}

function tolerates(toleration: Toleration, taint: { key: string; value?: string; effect: string }): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  const operator = toleration.operator || 'Equal';
  if (operator === 'Exists') return !toleration.key || toleration.key === taint.key;
  return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
}

/** Refusals every protocol shares: the node itself, its endpoints, its speaker. */
function commonRefusals(node: Node, input: EligibilityInput, alive: ReadonlySet<string>): NodeRefusal[] {
  const name = node.metadata?.name ?? '';
  const out: NodeRefusal[] = [];
  if (node.status?.conditions?.some((c) => c.type === 'NetworkUnavailable' && c.status === 'True')) {
    out.push({ kind: 'network-unavailable', message: 'condition NetworkUnavailable is True' });
  }
  if (!input.ignoreExcludeLB && Object.hasOwn(node.metadata?.labels ?? {}, EXCLUDE_FROM_LB_LABEL)) {
    out.push({ kind: 'excluded', message: `labelled ${EXCLUDE_FROM_LB_LABEL}` });
  }
  if (input.localEndpointNodes && !input.localEndpointNodes.has(name)) {
    out.push({ kind: 'no-local-endpoint', message: 'externalTrafficPolicy is Local and no ready endpoint runs here' });
  }
  if (!alive.has(name)) out.push({ kind: 'speaker-not-alive', message: 'no running and ready speaker Pod on this node' });
  return out;
}

const sourceName = (a: { source: { kind: string; name: string } }): string => `${a.source.kind} ${a.source.name}`;

export function l2Eligibility(announcements: readonly L2Announcement[], input: EligibilityInput): NodeVerdict[] {
  const alive = aliveSpeakerNodes(input.speakers);
  return input.nodes.map((node) => {
    const labels = (node.metadata?.labels ?? {}) as Labels;
    const refusals = commonRefusals(node, input, alive);
    const selecting = announcements.filter((a) => a.nodeSelectors.length === 0 || matchesAnySelector(a.nodeSelectors, labels));
    if (selecting.length === 0) {
      refusals.push({ kind: 'not-selected', message: `not selected by the nodeSelectors of ${announcements.map(sourceName).join(', ')}` });
    } else {
      const classOnes = selecting.filter((a) => a.source.kind === CLASS_KIND);
      const taints = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
      if (classOnes.length > 0 && classOnes.length === selecting.length) {
        const blocking = taints.filter((t) => !classOnes.some((a) => a.tolerations.some((tol) => tolerates(tol, { key: t.key, effect: t.effect, ...(t.value !== undefined ? { value: t.value } : {}) }))));
        if (blocking.length > 0) refusals.push({ kind: 'taint', message: `taint ${blocking.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ')} not tolerated by ${classOnes.map(sourceName).join(', ')}` });
      }
    }
    return { node: node.metadata?.name ?? '', refusals };
  });
}

export function bgpEligibility(announcements: readonly BgpAnnouncement[], peers: readonly CompiledPeer[], input: EligibilityInput): NodeVerdict[] {
  const alive = aliveSpeakerNodes(input.speakers);
  return input.nodes.map((node) => {
    const labels = (node.metadata?.labels ?? {}) as Labels;
    const refusals = commonRefusals(node, input, alive);
    const selecting = announcements.filter((a) => a.nodeSelectors.length === 0 || matchesAnySelector(a.nodeSelectors, labels));
    const reachable = new Set<string>();
    if (selecting.length === 0) {
      refusals.push({ kind: 'not-selected', message: `not selected by the nodeSelectors of ${announcements.map(sourceName).join(', ')}` });
    } else {
      for (const a of selecting) {
        for (const peer of peers) {
          if (a.peers.length > 0 && !a.peers.includes(peer.name)) continue;
          if (peer.nodeSelectors.length > 0 && !matchesAnySelector(peer.nodeSelectors, labels)) continue;
          reachable.add(peer.name);
        }
      }
      if (reachable.size === 0) refusals.push({ kind: 'no-peer', message: 'no BGPPeer applies to this node (its nodeSelectors, or the advertisement\'s peers)' });
    }
    return { node: node.metadata?.name ?? '', refusals, peers: [...reachable].sort() };
  });
}
