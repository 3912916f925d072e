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

/** One slice's endpoints, remembered per slice object (informers replace changed ones). */
const summaries = new WeakMap<EndpointSliceResource, ServiceEndpoints>();

/**
 * Equal endpoint summaries are one object: 10,000 Services spread over a few nodes have a few
 * distinct sets of nodes, not 10,000. Forgotten when it grows past INTERNED_MAX (it only saves memory).
 */
const internedEndpoints = new Map<string, ServiceEndpoints>();
const INTERNED_MAX = 4096;

function interned(any: boolean, nodes: string[]): ServiceEndpoints {
  const unique = [...new Set(nodes)].sort();
  const key = `${any}|${unique.join(',')}`;
  let endpoints = internedEndpoints.get(key);
  if (!endpoints) {
    if (internedEndpoints.size >= INTERNED_MAX) internedEndpoints.clear();
    endpoints = { any, nodes: new Set(unique) };
    internedEndpoints.set(key, endpoints);
  }
  return endpoints;
}

function summary(slice: EndpointSliceResource): ServiceEndpoints {
  let known = summaries.get(slice);
  if (!known) {
    let any = false;
    const nodes: string[] = [];
    for (const endpoint of slice.endpoints ?? []) {
      if (!endpointCanServe(endpoint.conditions)) continue;
      any = true;
      if (endpoint.nodeName) nodes.push(endpoint.nodeName);
    }
    known = interned(any, nodes);
    summaries.set(slice, known);
  }
  return known;
}

/**
 * Service key (`namespace/name`) → where its endpoints can serve. A Service with one slice (the
 * usual case) gets that slice's remembered summary: recomputing after a change among 10,000
 * Services makes no new set per Service.
 */
export function endpointsByService(slices: readonly EndpointSliceResource[]): Map<string, ServiceEndpoints> {
  const out = new Map<string, ServiceEndpoints>();
  for (const slice of slices) {
    const name = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!name) continue;
    const key = `${slice.metadata?.namespace || 'default'}/${name}`;
    const endpoints = summary(slice);
    const earlier = out.get(key);
    if (!earlier) out.set(key, endpoints);
    else out.set(key, { any: earlier.any || endpoints.any, nodes: new Set([...earlier.nodes, ...endpoints.nodes]) });
  }
  return out;
}

export function endpointsOf(index: ReadonlyMap<string, ServiceEndpoints>, key: string): ServiceEndpoints {
  return index.get(key) ?? NONE;
}
