import { type Labels } from '@lb/labels';
import { parseAddress, type IpAddress, type IpFamily } from './address.js';

export type IpFamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';

/** A port a service exposes; two services sharing an address must not have one in common. */
export interface ServicePort {
  readonly protocol: string;
  readonly port: number;
}

/** What a service asks of the allocator, taken from its spec and annotations by the caller. */
export interface AllocationRequest {
  /** `namespace/name`. */
  readonly service: string;
  readonly serviceLabels?: Labels;
  readonly namespaceLabels?: Labels;
  /** `spec.ipFamilyPolicy`; SingleStack when unset. */
  readonly ipFamilyPolicy?: IpFamilyPolicy;
  /** `spec.ipFamilies`, primary first; IPv4 when unset. */
  readonly ipFamilies?: readonly IpFamily[];
  /** `spec.loadBalancerIP` or the `loadBalancerIPs` annotation: at most two, of different families. */
  readonly requestedIPs?: readonly string[];
  /** The `address-pool` annotation. */
  readonly requestedPool?: string;
  /** The `allow-shared-ip` annotation. */
  readonly sharingKey?: string;
  readonly ports?: readonly ServicePort[];
  /** With `externalTrafficPolicy: Local`, the pod selector: sharing services must agree on it. */
  readonly backendKey?: string;
  /** Addresses wanted per family, each to be announced by a different node (default 1). */
  readonly count?: number;
  /** What the service holds a reservation as (see PoolSpec.reservedFor): only then may it use such a pool. */
  readonly reservation?: string;
}

/** A request checked and put in the shape the allocator works with. */
export interface NormalizedRequest {
  readonly service: string;
  readonly namespace: string;
  readonly serviceLabels: Labels | undefined;
  readonly namespaceLabels: Labels | undefined;
  readonly policy: IpFamilyPolicy;
  /** Families to allocate, primary first. */
  readonly families: readonly IpFamily[];
  /** Families without which the request fails (none for PreferDualStack: any one will do). */
  readonly requiredFamilies: readonly IpFamily[];
  readonly requestedIPs: readonly IpAddress[];
  readonly requestedPool: string | undefined;
  readonly terms: SharingTerms | undefined;
  readonly count: number;
  readonly reservation: string | undefined;
}

/** What sharing an address requires; only services with a sharing key have terms. */
export interface SharingTerms {
  readonly sharingKey: string;
  readonly backendKey: string;
  readonly ports: readonly ServicePort[];
}

export const otherFamily = (family: IpFamily): IpFamily => (family === 'IPv4' ? 'IPv6' : 'IPv4');

/** Checks a request; every problem is a message naming the field, never an exception. */
export function normalizeRequest(request: AllocationRequest): { ok: true; value: NormalizedRequest } | { ok: false; error: string } {
  const service = request.service;
  const slash = typeof service === 'string' ? service.indexOf('/') : -1;
  if (slash <= 0 || slash === service.length - 1 || service.indexOf('/', slash + 1) !== -1) {
    return { ok: false, error: `service key '${String(service)}' must be 'namespace/name'` };
  }
  const policy = request.ipFamilyPolicy ?? 'SingleStack';
  if (!['SingleStack', 'PreferDualStack', 'RequireDualStack'].includes(policy)) {
    return { ok: false, error: `unknown ipFamilyPolicy '${String(policy)}'` };
  }
  for (const family of request.ipFamilies ?? []) {
    if (family !== 'IPv4' && family !== 'IPv6') return { ok: false, error: `unknown IP family '${String(family)}'` };
  }
  const count = request.count ?? 1;
  if (!Number.isInteger(count) || count < 1) return { ok: false, error: `address count must be a positive integer, got ${String(count)}` };

  const requestedIPs: IpAddress[] = [];
  for (const text of request.requestedIPs ?? []) {
    const ip = typeof text === 'string' ? parseAddress(text.trim()) : undefined;
    if (!ip) return { ok: false, error: `requested address '${String(text)}' is not an IP address` };
    requestedIPs.push(ip);
  }
  if (requestedIPs.length > 2) return { ok: false, error: `at most two addresses may be requested, got ${requestedIPs.length}` };
  if (requestedIPs.length === 2 && requestedIPs[0]?.family === requestedIPs[1]?.family) {
    return { ok: false, error: `the two requested addresses must be one IPv4 and one IPv6, both are ${requestedIPs[0]?.family}` };
  }

  const primary: IpFamily = request.ipFamilies?.[0] ?? requestedIPs[0]?.family ?? 'IPv4';
  const secondary = otherFamily(primary);
  const dual = policy === 'RequireDualStack' || (policy === 'PreferDualStack' && (request.ipFamilies?.length ?? 2) > 1);
  const families: IpFamily[] = dual ? [primary, secondary] : [primary];
  // PreferDualStack takes whatever family is available (primary first); the others need theirs.
  const requiredFamilies: IpFamily[] = policy === 'RequireDualStack' ? families : policy === 'PreferDualStack' ? [] : [primary];

  if (requestedIPs.length > 0) {
    const requestedFamilies = new Set(requestedIPs.map((ip) => ip.family));
    const fits =
      policy === 'RequireDualStack'
        ? requestedFamilies.size === 2
        : policy === 'PreferDualStack'
          ? [...requestedFamilies].every((f) => families.includes(f))
          : requestedFamilies.size === 1 && requestedFamilies.has(primary);
    if (!fits) {
      const asked = requestedIPs.map((ip) => ip.family).join(' and ');
      const wanted = policy === 'RequireDualStack' ? 'one IPv4 and one IPv6 address' : `${families.join(' or ')} (${policy})`;
      return { ok: false, error: `requested ${asked} address(es) do not match the service's IP families: it needs ${wanted}` };
    }
  }

  const sharingKey = request.sharingKey ?? '';
  for (const [i, port] of (request.ports ?? []).entries()) {
    if (!Number.isInteger(port.port) || port.port < 0 || port.port > 65535 || typeof port.protocol !== 'string') {
      return { ok: false, error: `ports[${i}]: '${String(port.protocol)}/${String(port.port)}' is not a protocol and port` };
    }
  }
  return {
    ok: true,
    value: {
      service,
      namespace: service.slice(0, slash),
      serviceLabels: request.serviceLabels,
      namespaceLabels: request.namespaceLabels,
      policy,
      families,
      requiredFamilies,
      requestedIPs,
      requestedPool: request.requestedPool || undefined,
      terms: sharingKey === '' ? undefined : { sharingKey, backendKey: request.backendKey ?? '', ports: request.ports ?? [] },
      count,
      reservation: request.reservation || undefined,
    },
  };
}
