// What the speaker's informer caches keep of each object (their transforms): the fields its cores
// read, as the structural types in election/resources.ts and compose.ts name them, plus what the
// cache and the Event recorder need (name, namespace, uid, resourceVersion). With 10,000 Services
// and their EndpointSlices the rest (endpoint addresses, target references, ports, zone hints,
// managedFields, a Node's image list and capacity, a Pod's containers) would be most of the heap.
import { type KubeObject, type ObjectMeta, trimMetadata } from '@lb/k8s-watch';
import { SERVICE_NAME_LABEL } from '../election/endpoints.js';
import { type EndpointSliceResource, type ServiceResource } from '../election/resources.js';
import { type NodeWithAddresses, type PodResource } from './compose.js';

// Each object is one literal with every kept field, absent ones undefined: objects of a kind then
// share one V8 hidden class. Built key by key or by spreading, each of 10,000 objects had its own
// (a heap snapshot counted 30,000 descriptor arrays, 4 MB). apiVersion and kind are not kept:
// nothing reads them (the Event recorder is given the Service's, api.ts), and 20,000 copies of
// "v1" and "EndpointSlice" are 1 MB.
type Loose = Record<string, unknown>;

/**
 * One copy of each of the first few hundred distinct values of low-cardinality fields (namespace,
 * node name, protocol, type, policy): JSON.parse makes a new string for every occurrence, 10,000
 * "default"s and "lb-node-1"s. Bounded, so that a field with many values cannot grow it.
 */
const interned = new Map<string, string>();
const INTERNED_MAX = 512;
function intern<T extends string | undefined>(value: T): T {
  if (value === undefined) return value;
  const known = interned.get(value);
  if (known !== undefined) return known as T;
  if (interned.size < INTERNED_MAX) interned.set(value, value);
  return value;
}

/** Identity and version, what every cached object keeps; labels and annotations when asked. */
function meta(obj: KubeObject, labels: ObjectMeta['labels'], annotations: boolean): ObjectMeta {
  const m = trimMetadata(obj.metadata ?? {});
  return {
    name: m.name,
    namespace: intern(m.namespace),
    uid: m.uid,
    resourceVersion: m.resourceVersion,
    deletionTimestamp: m.deletionTimestamp,
    labels,
    annotations: annotations ? m.annotations : undefined,
  } as ObjectMeta;
}

/** A Service as ServiceResource reads it: its annotations and labels choose pools and classes. */
export function cachedService(obj: KubeObject): KubeObject {
  const svc = obj as KubeObject & { spec?: Loose & ServiceResource['spec']; status?: ServiceResource['status'] };
  const spec = svc.spec;
  const ingress = svc.status?.loadBalancer?.ingress;
  return {
    metadata: meta(obj, obj.metadata?.labels, true),
    spec: spec
      ? {
          type: intern(spec.type),
          loadBalancerClass: intern(spec.loadBalancerClass),
          loadBalancerIP: spec.loadBalancerIP,
          clusterIP: spec.clusterIP,
          clusterIPs: spec.clusterIPs,
          ipFamilyPolicy: intern(spec.ipFamilyPolicy),
          ipFamilies: spec.ipFamilies?.map(intern),
          externalTrafficPolicy: intern(spec.externalTrafficPolicy),
          selector: spec.selector,
          ports: spec.ports?.map((p) => ({ protocol: intern(p.protocol), port: p.port })),
        }
      : undefined,
    status: ingress ? { loadBalancer: { ingress: ingress.map((i) => ({ ip: i.ip, hostname: i.hostname })) } } : undefined,
  } as KubeObject;
}

/** An EndpointSlice as EndpointSliceResource reads it: which nodes have an endpoint that can serve. */
export function cachedEndpointSlice(obj: KubeObject): KubeObject {
  const endpoints = (obj as { endpoints?: EndpointSliceResource['endpoints'] }).endpoints;
  // Of the labels, the one naming the slice's Service is read (endpoints.ts).
  const service = obj.metadata?.labels?.[SERVICE_NAME_LABEL];
  return {
    metadata: meta(obj, service !== undefined ? { [SERVICE_NAME_LABEL]: service } : undefined, false),
    endpoints: endpoints?.map((e) => ({
      nodeName: intern(e.nodeName),
      conditions: e.conditions ? { ready: e.conditions.ready, serving: e.conditions.serving, terminating: e.conditions.terminating } : undefined,
    })),
  } as KubeObject;
}

/** A Node as NodeWithAddresses reads it: labels, taints, conditions, addresses. */
export function cachedNode(obj: KubeObject): KubeObject {
  const node = obj as KubeObject & NodeWithAddresses;
  return {
    metadata: meta(obj, obj.metadata?.labels, false),
    spec: { taints: node.spec?.taints },
    status: { addresses: node.status?.addresses, conditions: node.status?.conditions?.map((c) => ({ type: c.type, status: c.status })) },
  } as KubeObject;
}

/** A speaker Pod as PodResource reads it: its node and address. */
export function cachedPod(obj: KubeObject): KubeObject {
  const pod = obj as KubeObject & PodResource;
  return {
    metadata: meta(obj, undefined, false),
    spec: { nodeName: pod.spec?.nodeName },
    status: { podIP: pod.status?.podIP, podIPs: pod.status?.podIPs },
  } as KubeObject;
}
