import { describe, expect, it } from 'vitest';
import { LAST_APPLIED_ANNOTATION, type KubeObject } from '@lb/k8s-watch';
import { config, view } from '../../test/fixtures.js';
import { type EndpointSliceResource, type NodeResource, type ServiceResource } from '../election/resources.js';
import { cachedEndpointSlice, cachedNode, cachedPod, cachedService } from './cached-objects.js';
import { Layer2Composer } from './compose.js';

const managedFields = [{ manager: 'kube-controller-manager', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} } }];

/** A Service as kube-apiserver sends it: everything set, bookkeeping included. */
function fullService(name: string, ip: string, extra: { local?: boolean; annotations?: Record<string, string> } = {}): KubeObject {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: '42',
      generation: 1,
      creationTimestamp: '2026-12-04T10:00:00Z',
      labels: { app: name },
      annotations: { [LAST_APPLIED_ANNOTATION]: '{"apiVersion":"v1","kind":"Service"}', ...extra.annotations },
      managedFields,
    },
    spec: {
      type: 'LoadBalancer',
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 31080 }],
      selector: { app: name },
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      sessionAffinity: 'None',
      externalTrafficPolicy: extra.local ? 'Local' : 'Cluster',
      internalTrafficPolicy: 'Cluster',
      allocateLoadBalancerNodePorts: true,
      ...(extra.local ? { healthCheckNodePort: 32000 } : {}),
    },
    status: { loadBalancer: { ingress: [{ ip, ipMode: 'VIP', ports: [{ port: 80, protocol: 'TCP' }] }] }, conditions: [{ type: 'x', status: 'True' }] },
  } as KubeObject;
}

function fullSlice(service: string, endpoints: Array<{ node: string; ready: boolean }>): KubeObject {
  return {
    metadata: {
      name: `${service}-abcde`,
      namespace: 'default',
      resourceVersion: '7',
      generateName: `${service}-`,
      labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: service, uid: 'u', controller: true, blockOwnerDeletion: true }],
      managedFields,
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: endpoints.map((e, i) => ({
      addresses: [`10.244.${i}.5`],
      conditions: { ready: e.ready, serving: e.ready, terminating: false },
      nodeName: e.node,
      targetRef: { kind: 'Pod', namespace: 'default', name: `${service}-pod-${i}`, uid: `pod-${i}` },
      zone: 'zone-a',
    })),
  } as KubeObject;
}

function fullNode(name: string, labels: Record<string, string> = {}, taints: unknown[] = []): KubeObject {
  return {
    metadata: { name, resourceVersion: '3', uid: `node-${name}`, labels: { 'kubernetes.io/hostname': name, ...labels }, annotations: { 'node.alpha.kubernetes.io/ttl': '0' }, managedFields },
    spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'], taints },
    status: {
      addresses: [{ type: 'InternalIP', address: '172.30.0.11' }, { type: 'Hostname', address: name }],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: '2026-12-04T10:00:00Z', lastTransitionTime: '2026-12-04T09:00:00Z' }],
      capacity: { cpu: '2', memory: '4Gi', pods: '110' },
      allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
      images: [{ names: ['registry.k8s.io/pause:3.9'], sizeBytes: 321520 }],
      nodeInfo: { kubeletVersion: 'v1.31.0', osImage: 'Debian', machineID: 'm' },
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    },
  } as KubeObject;
}

describe('cached objects', () => {
  it('keep of a Service what the election and the Event recorder read, and drop the rest', () => {
    expect(cachedService(fullService('web', '172.16.16.150'))).toEqual({
      metadata: { name: 'web', namespace: 'default', uid: 'uid-web', resourceVersion: '42', labels: { app: 'web' }, annotations: {} },
      spec: {
        type: 'LoadBalancer',
        clusterIP: '10.96.0.10',
        clusterIPs: ['10.96.0.10'],
        ipFamilyPolicy: 'SingleStack',
        ipFamilies: ['IPv4'],
        externalTrafficPolicy: 'Cluster',
        selector: { app: 'web' },
        ports: [{ protocol: 'TCP', port: 80 }],
      },
      status: { loadBalancer: { ingress: [{ ip: '172.16.16.150' }] } },
    });
  });

  it('keep of an EndpointSlice which nodes have an endpoint, and in what condition', () => {
    expect(cachedEndpointSlice(fullSlice('web', [{ node: 'n1', ready: true }, { node: 'n2', ready: false }]))).toEqual({
      metadata: { name: 'web-abcde', namespace: 'default', resourceVersion: '7', labels: { 'kubernetes.io/service-name': 'web' } },
      endpoints: [
        { nodeName: 'n1', conditions: { ready: true, serving: true, terminating: false } },
        { nodeName: 'n2', conditions: { ready: false, serving: false, terminating: false } },
      ],
    });
  });

  it('keep of a Node its labels, taints, conditions and addresses', () => {
    const taint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
    expect(cachedNode(fullNode('n1', { zone: 'a' }, [taint]))).toEqual({
      metadata: { name: 'n1', uid: 'node-n1', resourceVersion: '3', labels: { 'kubernetes.io/hostname': 'n1', zone: 'a' } },
      spec: { taints: [taint] },
      status: { addresses: [{ type: 'InternalIP', address: '172.30.0.11' }, { type: 'Hostname', address: 'n1' }], conditions: [{ type: 'Ready', status: 'True' }] },
    });
  });

  it('keep of a speaker Pod its node, addresses and deletion', () => {
    const pod = {
      metadata: { name: 'speaker-x', namespace: 'metallb-system', resourceVersion: '9', deletionTimestamp: '2026-12-04T10:00:00Z', labels: { app: 'metallb' }, managedFields },
      spec: { nodeName: 'n1', containers: [{ name: 'speaker', image: 'lb-speaker' }] },
      status: { phase: 'Running', podIP: '172.30.0.11', podIPs: [{ ip: '172.30.0.11' }], containerStatuses: [] },
    } as KubeObject;
    expect(cachedPod(pod)).toEqual({
      metadata: { name: 'speaker-x', namespace: 'metallb-system', resourceVersion: '9', deletionTimestamp: '2026-12-04T10:00:00Z' },
      spec: { nodeName: 'n1' },
      status: { podIP: '172.30.0.11', podIPs: [{ ip: '172.30.0.11' }] },
    });
  });

  it('leave every decision as the whole objects give it', () => {
    const cfg = config(`
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: lan, namespace: metallb-system }
spec: { addresses: [172.16.16.150-172.16.16.200] }
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: other, namespace: metallb-system }
spec: { addresses: [172.16.17.0/24], autoAssign: false }
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: { name: lan, namespace: metallb-system }
spec: { ipAddressPools: [lan], nodeSelectors: [{ matchLabels: { zone: a } }] }
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: { name: other, namespace: metallb-system }
spec: { ipAddressPools: [other], interfaces: [eth1] }
`);
    const services = [
      fullService('web', '172.16.16.150'),
      fullService('local', '172.16.16.151', { local: true }),
      fullService('none-ready', '172.16.16.152'),
      fullService('pinned', '172.16.17.9', { annotations: { 'metallb.io/address-pool': 'other' } }),
    ];
    const slices = [
      fullSlice('web', [{ node: 'n1', ready: true }, { node: 'n2', ready: true }, { node: 'n3', ready: true }]),
      fullSlice('local', [{ node: 'n3', ready: true }, { node: 'n1', ready: false }]),
      fullSlice('none-ready', [{ node: 'n2', ready: false }]),
      fullSlice('pinned', [{ node: 'n2', ready: true }]),
    ];
    const nodes = [fullNode('n1', { zone: 'a' }), fullNode('n2', { zone: 'a' }, [{ key: 'k', effect: 'NoSchedule' }]), fullNode('n3', { zone: 'b' })];
    const decide = (transform: boolean) =>
      ['n1', 'n2', 'n3'].map((self) => {
        const composer = new Layer2Composer({ node: self });
        composer.setApi({
          config: cfg,
          services: (transform ? services.map(cachedService) : services) as ServiceResource[],
          endpointSlices: (transform ? slices.map(cachedEndpointSlice) : slices) as EndpointSliceResource[],
          nodes: (transform ? nodes.map(cachedNode) : nodes) as NodeResource[],
        });
        const actions = composer.decide(view(self, ['n1', 'n2', 'n3']));
        return { announce: actions.announce, statuses: [...actions.statuses], events: actions.events };
      });
    const whole = decide(false);
    expect(whole.flatMap((d) => d.announce).length).toBeGreaterThan(0);
    expect(decide(true)).toEqual(whole);
  });
});
