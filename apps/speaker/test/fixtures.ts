// Builders for the election's tests: configuration from YAML through the real compile(), and the
// Kubernetes objects the speaker reads, as an informer would hand them over.
import { compile, type CompiledConfig } from '@lb/config-schema';
import { type EndpointSliceResource, type NodeResource, type ServiceResource, type Taint } from '../src/election/resources.js';
import { type MembershipView } from '../src/membership/types.js';

export function config(yaml: string): CompiledConfig {
  const result = compile(yaml);
  if (!result.ok) throw new Error(`test configuration refused: ${result.error.issues.map((e) => e.message).join('; ')}`);
  return result.value;
}

/** The pool `lan` in metallb-system with `addresses`, announced in layer 2 (`advertisement`: more spec fields, e.g. `interfaces: [eth0]`). */
export function lanLayer2(addresses: string, advertisement = ''): CompiledConfig {
  return config(onePool('lan', addresses, 'L2Advertisement', advertisement));
}

/** The pool `bgp` in metallb-system with `addresses`, announced over BGP only (no L2Advertisement). */
export function bgpOnly(addresses: string): CompiledConfig {
  return config(onePool('bgp', addresses, 'BGPAdvertisement'));
}

/** One IPAddressPool `name` and one advertisement of `kind` (same name) for it, with more spec fields if given. */
function onePool(name: string, addresses: string, kind: 'L2Advertisement' | 'BGPAdvertisement', advertisement = ''): string {
  return `
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: ${name}, namespace: metallb-system }
spec: { addresses: [${addresses}] }
---
apiVersion: metallb.io/v1beta1
kind: ${kind}
metadata: { name: ${name}, namespace: metallb-system }
spec: { ipAddressPools: [${name}]${advertisement ? `, ${advertisement}` : ''} }
`;
}

export interface ServiceOptions {
  readonly namespace?: string;
  readonly ips?: readonly string[];
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly loadBalancerClass?: string;
  readonly local?: boolean;
  readonly type?: string;
}

export function service(name: string, options: ServiceOptions = {}): ServiceResource {
  return {
    metadata: {
      name,
      namespace: options.namespace ?? 'default',
      ...(options.labels ? { labels: options.labels } : {}),
      ...(options.annotations ? { annotations: options.annotations } : {}),
    },
    spec: {
      type: options.type ?? 'LoadBalancer',
      ...(options.loadBalancerClass ? { loadBalancerClass: options.loadBalancerClass } : {}),
      ...(options.local ? { externalTrafficPolicy: 'Local' } : {}),
    },
    status: { loadBalancer: { ingress: (options.ips ?? []).map((ip) => ({ ip })) } },
  };
}

export function node(name: string, labels: Record<string, string> = {}, taints: Taint[] = [], conditions: Array<{ type: string; status: string }> = []): NodeResource {
  return { metadata: { name, labels }, spec: { taints }, status: { conditions } };
}

/** One slice for a Service with a ready endpoint on each of `nodes` (and not-ready ones on `notReady`). */
export function slice(serviceName: string, nodes: readonly string[], options: { namespace?: string; notReady?: readonly string[] } = {}): EndpointSliceResource {
  return {
    metadata: { namespace: options.namespace ?? 'default', labels: { 'kubernetes.io/service-name': serviceName } },
    endpoints: [
      ...nodes.map((nodeName) => ({ nodeName, conditions: { ready: true } })),
      ...(options.notReady ?? []).map((nodeName) => ({ nodeName, conditions: { ready: false, serving: false } })),
    ],
  };
}

/** A membership view where `alive` are alive and eligible unless listed in `heldDown`. */
export function view(self: string, alive: readonly string[], options: { heldDown?: readonly string[]; known?: readonly string[]; withdrawn?: boolean } = {}): MembershipView {
  const held = new Set(options.heldDown ?? []);
  return {
    self,
    alive: new Set(alive),
    eligible: new Set(alive.filter((n) => !held.has(n))),
    known: new Set(options.known ?? alive),
    withdrawn: options.withdrawn ?? false,
  };
}

export const names = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
