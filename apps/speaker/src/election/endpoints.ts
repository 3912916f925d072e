// Where a Service's ready endpoints are, from its EndpointSlices.
import { type EndpointConditions, type EndpointSliceResource } from './resources.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/**
 * MetalLB's rule: an endpoint can serve when it is ready (absent counts as ready), or serving
 * while terminating, so that a rolling update keeps the address announced until the last pod goes.
 */
export function endpointCanServe(conditions: EndpointConditions | undefined): boolean {
  if (conditions?.ready === undefined || conditions.ready) return true;
  return conditions.serving === true;
}

export interface ServiceEndpoints {
  /** Some endpoint can serve, on any node (or on none named). */
  readonly any: boolean;
  /** Nodes with an endpoint that can serve. */
  readonly nodes: ReadonlySet<string>;
}

const NONE: ServiceEndpoints = { any: false, nodes: new Set() };

/** Service key (`namespace/name`) → where its endpoints can serve. */
export function endpointsByService(slices: readonly EndpointSliceResource[]): Map<string, ServiceEndpoints> {
  const out = new Map<string, { any: boolean; nodes: Set<string> }>();
  for (const slice of slices) {
    const name = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!name) continue;
    const key = `${slice.metadata?.namespace || 'default'}/${name}`;
    let entry = out.get(key);
    if (!entry) {
      entry = { any: false, nodes: new Set() };
      out.set(key, entry);
    }
    for (const endpoint of slice.endpoints ?? []) {
      if (!endpointCanServe(endpoint.conditions)) continue;
      entry.any = true;
      if (endpoint.nodeName) entry.nodes.add(endpoint.nodeName);
    }
  }
  return out;
}

export function endpointsOf(index: ReadonlyMap<string, ServiceEndpoints>, key: string): ServiceEndpoints {
  return index.get(key) ?? NONE;
}
