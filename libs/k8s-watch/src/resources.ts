// Which API collection an object type lives in, and the URL paths that address it. A ResourceType
// carries its object type as a phantom parameter, so informers and writers built from it are typed.
import { type ConfigMap, type EndpointSlice, type Event, type KubeObject, type Lease, type Namespace, type Node, type Pod, type Secret, type Service } from './objects.js';

export interface ResourceType<T extends KubeObject = KubeObject> {
  /** API group; '' for the core group. */
  readonly group: string;
  readonly version: string;
  /** The resource name in URLs (`services`, `ipaddresspools`). */
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Never set: only carries `T` for type inference. */
  readonly __object?: T;
}

export interface ResourceTypeSpec {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const GROUP = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Describes a resource type; e.g. `resourceType<IPAddressPool>({ group: 'metallb.io', ... })`. */
export function resourceType<T extends KubeObject>(spec: ResourceTypeSpec): ResourceType<T> {
  const problems: string[] = [];
  if (spec.group !== '' && !GROUP.test(spec.group)) problems.push(`group '${spec.group}' is not a DNS subdomain`);
  if (!DNS_LABEL.test(spec.version)) problems.push(`version '${spec.version}' is not a DNS label`);
  if (!DNS_LABEL.test(spec.plural)) problems.push(`plural '${spec.plural}' is not a lowercase DNS label`);
  if (!/^[A-Z][A-Za-z0-9]*$/.test(spec.kind)) problems.push(`kind '${spec.kind}' is not a CamelCase name`);
  if (problems.length > 0) throw new TypeError(`resourceType: ${problems.join('; ')}`);
  return Object.freeze({ group: spec.group, version: spec.version, plural: spec.plural, kind: spec.kind, namespaced: spec.namespaced });
}

/** `v1` for the core group, `group/version` otherwise. */
export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** A readable name for logs and metric labels: `services`, `ipaddresspools.metallb.io`. */
export function resourceName(type: ResourceType): string {
  return type.group === '' ? type.plural : `${type.plural}.${type.group}`;
}

function prefix(type: ResourceType): string {
  return type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
}

/** The collection: all namespaces when `namespace` is omitted (or the type is cluster-scoped). */
export function collectionPath(type: ResourceType, namespace?: string): string {
  if (type.namespaced && namespace) return `${prefix(type)}/namespaces/${encodeURIComponent(namespace)}/${type.plural}`;
  return `${prefix(type)}/${type.plural}`;
}

/** One object, or one of its subresources (`status`). */
export function objectPath(type: ResourceType, namespace: string | undefined, name: string, subresource?: string): string {
  if (type.namespaced && !namespace) throw new TypeError(`${resourceName(type)} is namespaced: '${name}' needs a namespace`);
  const base = `${collectionPath(type, namespace)}/${encodeURIComponent(name)}`;
  return subresource ? `${base}/${subresource}` : base;
}

export const Services = resourceType<Service>({ group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true });
export const Namespaces = resourceType<Namespace>({ group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false });
export const Nodes = resourceType<Node>({ group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false });
export const Pods = resourceType<Pod>({ group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true });
export const Secrets = resourceType<Secret>({ group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true });
export const ConfigMaps = resourceType<ConfigMap>({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true });
export const Events = resourceType<Event>({ group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true });
export const EndpointSlices = resourceType<EndpointSlice>({ group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice', namespaced: true });
export const Leases = resourceType<Lease>({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true });
