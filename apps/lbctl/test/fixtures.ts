// Builders of the objects the cores read, for table-driven tests: terse, valid, and only as
// detailed as a test needs.
import { snapshotFromObjects, type ClusterSnapshot } from '../src/snapshot.js';

export const NS = 'metallb-system';
type Dict = Record<string, unknown>;

export function pool(name: string, addresses: string[], spec: Dict = {}): Dict {
  return { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name, namespace: NS }, spec: { addresses, ...spec } };
}

export function l2(name: string, spec: Dict = {}): Dict {
  return { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name, namespace: NS }, spec };
}

export function bgpAdvertisement(name: string, spec: Dict = {}): Dict {
  return { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name, namespace: NS }, spec };
}

export function peer(name: string, address: string, spec: Dict = {}): Dict {
  return { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name, namespace: NS }, spec: { myASN: 64500, peerASN: 64501, peerAddress: address, ...spec } };
}

export interface ServiceShape {
  readonly ips?: string[];
  readonly annotations?: Record<string, string>;
  readonly labels?: Record<string, string>;
  readonly loadBalancerClass?: string;
  readonly local?: boolean;
  readonly ports?: number[];
  readonly type?: string;
  readonly pool?: string;
  readonly families?: string[];
}

export function service(key: string, shape: ServiceShape = {}): Dict {
  const [namespace, name] = key.split('/');
  const annotations = { ...(shape.annotations ?? {}), ...(shape.pool ? { 'metallb.io/ip-allocated-from-pool': shape.pool } : {}) };
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, ...(Object.keys(annotations).length > 0 ? { annotations } : {}), ...(shape.labels ? { labels: shape.labels } : {}) },
    spec: {
      type: shape.type ?? 'LoadBalancer',
      ports: (shape.ports ?? [80]).map((port) => ({ port, protocol: 'TCP' })),
      ...(shape.loadBalancerClass ? { loadBalancerClass: shape.loadBalancerClass } : {}),
      ...(shape.local ? { externalTrafficPolicy: 'Local' } : {}),
      ...(shape.families ? { ipFamilies: shape.families } : {}),
    },
    ...(shape.ips && shape.ips.length > 0 ? { status: { loadBalancer: { ingress: shape.ips.map((ip) => ({ ip })) } } } : {}),
  };
}

export function node(name: string, labels: Record<string, string> = {}, extra: Dict = {}): Dict {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, ...extra };
}

export function speaker(nodeName: string, alive = true): Dict {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `speaker-${nodeName}`, namespace: NS, labels: { 'app.kubernetes.io/component': 'speaker' } },
    spec: { nodeName, containers: [{ name: 'speaker', image: 'speaker' }] },
    status: { phase: alive ? 'Running' : 'Pending', conditions: [{ type: 'Ready', status: alive ? 'True' : 'False' }] },
  };
}

export function endpointSlice(serviceKey: string, nodes: string[]): Dict {
  const [namespace, name] = serviceKey.split('/');
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${name}-abc`, namespace, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    endpoints: nodes.map((n, i) => ({ addresses: [`10.244.0.${i + 10}`], nodeName: n, conditions: { ready: true } })),
  };
}

export function l2Status(nodeName: string, serviceKey: string): Dict {
  const [namespace, name] = serviceKey.split('/');
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'ServiceL2Status',
    metadata: { name: `l2-${nodeName}-${name}`, namespace: NS, labels: { 'metallb.io/node': nodeName, 'metallb.io/service-name': name, 'metallb.io/service-namespace': namespace } },
    status: { node: nodeName, serviceName: name, serviceNamespace: namespace },
  };
}

export function bgpStatus(nodeName: string, serviceKey: string, peers: string[]): Dict {
  const [namespace, name] = serviceKey.split('/');
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'ServiceBGPStatus',
    metadata: { name: `bgp-${nodeName}-${name}`, namespace: NS, labels: { 'metallb.io/node': nodeName, 'metallb.io/service-name': name, 'metallb.io/service-namespace': namespace } },
    status: { node: nodeName, serviceName: name, serviceNamespace: namespace, peers },
  };
}

export function sessionState(nodeName: string, peerName: string, bgpStatus: string, bfdStatus = 'N/A'): Dict {
  return {
    apiVersion: 'frrk8s.metallb.io/v1beta1',
    kind: 'BGPSessionState',
    metadata: { name: `${nodeName}-${peerName}`, namespace: NS, labels: { 'frrk8s.metallb.io/node': nodeName, 'frrk8s.metallb.io/peer': peerName } },
    status: { node: nodeName, peer: peerName, bgpStatus, bfdStatus, vrf: '' },
  };
}

export function event(serviceKey: string, reason: string, message: string, type = 'Warning', at = '2026-12-04T10:00:00Z'): Dict {
  const [namespace, name] = serviceKey.split('/');
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${name}.${reason}`, namespace },
    involvedObject: { kind: 'Service', name, namespace },
    type,
    reason,
    message,
    count: 1,
    lastTimestamp: at,
  };
}

export function namespace(name: string, labels: Record<string, string> = {}): Dict {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}

export function snapshot(...objects: Dict[]): ClusterSnapshot {
  return snapshotFromObjects(objects);
}
