// Kubernetes objects as they travel on the wire: the shapes of @kubernetes/client-node's models,
// with the Date fields that its deserializer would build kept as the RFC 3339 strings the server
// sends. Objects are used as parsed (no model classes, no copies), so these types tell the truth.
import type {
  CoreV1Event,
  V1ConfigMap,
  V1EndpointSlice,
  V1Lease,
  V1Namespace,
  V1Node,
  V1ObjectMeta,
  V1OwnerReference,
  V1Pod,
  V1Secret,
  V1Service,
  V1Status,
} from '@kubernetes/client-node';

/** `T` with every Date replaced by the string that the JSON carries. */
export type Wire<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

export type ObjectMeta = Wire<V1ObjectMeta>;
export type OwnerReference = Wire<V1OwnerReference>;

/** What every object has; custom resources extend it with their spec and status. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export type Service = Wire<V1Service>;
export type Namespace = Wire<V1Namespace>;
export type Node = Wire<V1Node>;
export type EndpointSlice = Wire<V1EndpointSlice>;
export type Lease = Wire<V1Lease>;
export type Event = Wire<CoreV1Event>;
export type Secret = Wire<V1Secret>;
export type ConfigMap = Wire<V1ConfigMap>;
export type Pod = Wire<V1Pod>;
export type Status = Wire<V1Status>;

/** The cache key: `namespace/name`, or `name` for cluster-scoped objects (as client-go's). */
export function objectKey(obj: KubeObject): string {
  const meta = obj.metadata;
  const name = meta?.name ?? '';
  return meta?.namespace ? `${meta.namespace}/${name}` : name;
}

/** The key for a namespace and name; an empty or missing namespace means cluster-scoped. */
export function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Splits a key made by objectKey/keyOf. */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
