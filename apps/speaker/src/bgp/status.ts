// What the speaker publishes about BGP, as MetalLB and frr-k8s do: one ServiceBGPStatus per Service
// this node announces (the peers it is announced to), one BGPSessionState per node and peer (BGP and
// BFD state), and the Event on a Service when this node starts announcing it. Pure: the process
// writes these through the API.
import { L2_STATUS_LABELS } from '../election/status.js';
import { type BgpSessionStatus } from './bgp-mode.js';
import { type BgpDesiredState, type ServiceBgpDecision } from './desired.js';

export interface DesiredBgpStatus {
  readonly service: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly status: { readonly node: string; readonly serviceName: string; readonly serviceNamespace: string; readonly peers: readonly string[] };
}

function split(service: string): { namespace: string; name: string } {
  const slash = service.indexOf('/');
  return { namespace: service.slice(0, slash), name: service.slice(slash + 1) };
}

/** Status objects by the decision they came from: decisions are reused while unchanged (desiredBgp's `previous`). */
const statusOfDecision = new WeakMap<ServiceBgpDecision, DesiredBgpStatus>();

/** Service key → the ServiceBGPStatus this node should have for it (none for Services it does not announce). */
export function desiredBgpStatuses(state: BgpDesiredState): Map<string, DesiredBgpStatus> {
  const out = new Map<string, DesiredBgpStatus>();
  for (const decision of state.services) {
    if (decision.peers.length === 0) continue;
    let status = statusOfDecision.get(decision);
    if (status?.status.node !== state.node) {
      const { namespace, name } = split(decision.key);
      status = {
        service: decision.key,
        labels: { [L2_STATUS_LABELS.node]: state.node, [L2_STATUS_LABELS.serviceName]: name, [L2_STATUS_LABELS.serviceNamespace]: namespace },
        status: { node: state.node, serviceName: name, serviceNamespace: namespace, peers: decision.peers },
      };
      statusOfDecision.set(decision, status);
    }
    out.set(decision.key, status);
  }
  return out;
}

/** The object to create in `namespace` (the speaker's); the API names it (`bgp-…`). */
export function serviceBgpStatusObject(desired: DesiredBgpStatus, namespace: string) {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'ServiceBGPStatus',
    metadata: { generateName: 'bgp-', namespace, labels: { ...desired.labels } },
    status: { ...desired.status, peers: [...desired.status.peers] },
  };
}

export const SESSION_STATE_LABELS = {
  node: 'frrk8s.metallb.io/node',
  peer: 'frrk8s.metallb.io/peer',
  vrf: 'frrk8s.metallb.io/vrf',
} as const;

/** frr-k8s's BGPSessionState for one node and peer: `status.bgpStatus` and `status.bfdStatus` in FRR's words. */
export function bgpSessionStateObject(node: string, session: BgpSessionStatus, namespace: string) {
  return {
    apiVersion: 'frrk8s.metallb.io/v1beta1',
    kind: 'BGPSessionState',
    metadata: { generateName: `${node}-`, namespace, labels: { [SESSION_STATE_LABELS.node]: node, [SESSION_STATE_LABELS.peer]: labelValue(session.address), [SESSION_STATE_LABELS.vrf]: '' } },
    status: { node, peer: session.address, vrf: '', bgpStatus: session.bgpStatus, bfdStatus: session.bfdStatus },
  };
}

/** A peer address as a label value (no ':' or '%' allowed there: fd00::1 becomes fd00--1). */
function labelValue(address: string): string {
  return address.replace(/[:%]/g, '-');
}

export interface BgpAnnouncementEvent {
  readonly service: string;
  readonly type: 'Normal';
  readonly reason: 'nodeAssigned';
  readonly message: string;
}

/** MetalLB's Event for each Service this node starts announcing over BGP (said once, not on every sync). */
export function bgpAnnouncementEvents(previous: BgpDesiredState | undefined, next: BgpDesiredState): BgpAnnouncementEvent[] {
  const before = new Set(previous?.services.filter((s) => s.peers.length > 0).map((s) => s.key));
  return next.services
    .filter((s) => s.peers.length > 0 && !before.has(s.key))
    .map((s) => ({ service: s.key, type: 'Normal', reason: 'nodeAssigned', message: `announcing from node "${next.node}" with protocol "bgp"` }));
}
