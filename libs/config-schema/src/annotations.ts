// The Service annotations MetalLB reads, under metallb.io/ and (deprecated) metallb.universe.tf/,
// and the Deckhouse address count, parsed into typed values; and a Service turned into the
// allocation request @lb/ipam's Allocator takes.
import { canonicalIp, ipFamily, type IpFamily } from '@lb/ip';
import { type AllocationRequest, type IpFamilyPolicy, type ServicePort } from '@lb/ipam';
import { type Labels } from '@lb/labels';
import { classReservation } from './compile/pools.js';

export const ANNOTATION_PREFIX = 'metallb.io/';
export const DEPRECATED_ANNOTATION_PREFIX = 'metallb.universe.tf/';

/** The annotation names under either prefix. */
export const SERVICE_ANNOTATIONS = {
  loadBalancerIPs: 'loadBalancerIPs',
  addressPool: 'address-pool',
  allowSharedIP: 'allow-shared-ip',
  ipAllocatedFromPool: 'ip-allocated-from-pool',
} as const;

/** How many addresses a Service of a MetalLoadBalancerClass wants, each on a different node. */
export const ADDRESS_COUNT_ANNOTATION = 'network.deckhouse.io/l2-load-balancer-external-ips-count';

/** More addresses than any L2 segment has nodes to announce them: surely a typo. */
export const MAX_ADDRESS_COUNT = 1024;

export interface ServiceAnnotations {
  /** Canonical addresses asked for, at most one per family. */
  readonly loadBalancerIPs?: readonly string[];
  readonly addressPool?: string;
  /** Services with the same key may share an address (when their ports do not clash). */
  readonly sharingKey?: string;
  /** Written by the controller: the pool the current addresses came from. */
  readonly ipAllocatedFromPool?: string;
  readonly addressCount?: number;
}

export interface AnnotationIssue {
  readonly severity: 'error' | 'warning';
  /** The full annotation name the issue is about. */
  readonly annotation: string;
  readonly message: string;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Reads MetalLB's annotations; the metallb.io/ form wins when both are present, as in MetalLB. */
export function parseServiceAnnotations(annotations: Readonly<Record<string, string>> | undefined): {
  readonly value: ServiceAnnotations;
  readonly issues: readonly AnnotationIssue[];
} {
  const issues: AnnotationIssue[] = [];
  const all = annotations ?? {};
  const read = (name: string): { annotation: string; value: string } | undefined => {
    const stable = `${ANNOTATION_PREFIX}${name}`;
    const deprecated = `${DEPRECATED_ANNOTATION_PREFIX}${name}`;
    const hasStable = Object.hasOwn(all, stable);
    const hasDeprecated = Object.hasOwn(all, deprecated);
    if (hasDeprecated && hasStable) {
      if (all[deprecated] !== all[stable]) {
        issues.push({ severity: 'warning', annotation: deprecated, message: `ignored: ${stable} is also set, to a different value, and takes precedence` });
      } else {
        issues.push({ severity: 'warning', annotation: deprecated, message: `deprecated and redundant with ${stable}; remove it` });
      }
    } else if (hasDeprecated) {
      issues.push({ severity: 'warning', annotation: deprecated, message: `deprecated: use ${stable}` });
    }
    if (hasStable) return { annotation: stable, value: String(all[stable]) };
    if (hasDeprecated) return { annotation: deprecated, value: String(all[deprecated]) };
    return undefined;
  };

  const value: {
    loadBalancerIPs?: string[];
    addressPool?: string;
    sharingKey?: string;
    ipAllocatedFromPool?: string;
    addressCount?: number;
  } = {};

  const ips = read(SERVICE_ANNOTATIONS.loadBalancerIPs);
  if (ips) {
    const parsed = parseRequestedIPs(ips.value);
    if (parsed.ok) value.loadBalancerIPs = parsed.value;
    else issues.push({ severity: 'error', annotation: ips.annotation, message: parsed.error.message });
  }
  const pool = read(SERVICE_ANNOTATIONS.addressPool);
  if (pool) {
    const name = pool.value.trim();
    if (name === '') issues.push({ severity: 'error', annotation: pool.annotation, message: 'empty pool name' });
    else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
      issues.push({ severity: 'error', annotation: pool.annotation, message: `'${name}' cannot be the name of an IPAddressPool` });
    } else value.addressPool = name;
  }
  const sharing = read(SERVICE_ANNOTATIONS.allowSharedIP);
  if (sharing && sharing.value !== '') value.sharingKey = sharing.value;
  const allocated = read(SERVICE_ANNOTATIONS.ipAllocatedFromPool);
  if (allocated && allocated.value !== '') value.ipAllocatedFromPool = allocated.value;

  if (Object.hasOwn(all, ADDRESS_COUNT_ANNOTATION)) {
    const text = String(all[ADDRESS_COUNT_ANNOTATION]).trim();
    const count = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isInteger(count) || count < 1 || count > MAX_ADDRESS_COUNT) {
      issues.push({
        severity: 'error',
        annotation: ADDRESS_COUNT_ANNOTATION,
        message: `'${text}' is not an address count: write a whole number from 1 to ${MAX_ADDRESS_COUNT}`,
      });
    } else value.addressCount = count;
  }
  return { value, issues };
}

/** Why an address list (`loadBalancerIPs`, `spec.loadBalancerIP`) cannot be asked for. */
export interface RequestedIPsError {
  readonly kind: 'invalid-requested-ips';
  /** Names the entry at fault, or counts the addresses of each crowded family. */
  readonly message: string;
}

export type RequestedIPsResult = { readonly ok: true; readonly value: string[] } | { readonly ok: false; readonly error: RequestedIPsError };

const invalidIPs = (message: string): RequestedIPsResult => ({ ok: false, error: { kind: 'invalid-requested-ips', message } });

/** `10.0.0.5` or `10.0.0.5,fc00::5`: at most one address per family, canonical. */
export function parseRequestedIPs(text: string): RequestedIPsResult {
  const entries = text.split(',').map((e) => e.trim());
  const value: string[] = [];
  const perFamily = new Map<IpFamily, number>();
  for (const entry of entries) {
    const family = ipFamily(entry);
    if (!family) return invalidIPs(entry === '' ? `empty entry in ${quoted(text, entries.length)}` : `${quoted(entry, 1)} is not an IP address`);
    perFamily.set(family, (perFamily.get(family) ?? 0) + 1);
    value.push(canonicalIp(entry) ?? entry);
  }
  const crowded = [...perFamily].filter(([, n]) => n > 1);
  if (crowded.length > 0) {
    const counts = crowded.map(([family, n]) => `${countWord(n)} ${family} addresses`).join(' and ');
    return invalidIPs(`${quoted(text, entries.length)} has ${counts}; give at most one per family`);
  }
  return { ok: true, value };
}

/** Annotation text as a message may echo it: whole when short, else its start and how many entries it has. */
function quoted(text: string, entries: number): string {
  const LIMIT = 64;
  if (text.length <= LIMIT) return `'${text}'`;
  return `'${text.slice(0, LIMIT)}...' (${entries.toLocaleString('en-US')} entries)`;
}

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const countWord = (n: number): string => WORDS[n] ?? n.toLocaleString('en-US');

/** The parts of a core/v1 Service this library reads. */
export interface ServiceObject {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: {
    readonly type?: string;
    readonly loadBalancerClass?: string;
    readonly loadBalancerIP?: string;
    readonly clusterIP?: string;
    readonly clusterIPs?: readonly string[];
    readonly ipFamilyPolicy?: string;
    readonly ipFamilies?: readonly string[];
    readonly externalTrafficPolicy?: string;
    readonly selector?: Readonly<Record<string, string>>;
    readonly ports?: ReadonlyArray<{ readonly protocol?: string; readonly port?: number }>;
  };
}

/** What the controller needs to know of the configuration to route a Service. */
export interface ClassLookup {
  /** Class name → the allocator pool holding its addresses. */
  readonly classPools: ReadonlyMap<string, string>;
  readonly defaultClass?: string;
}

export interface ServiceRequestOptions {
  /** Labels of the Service's namespace, for pools restricted by namespaceSelectors. */
  readonly namespaceLabels?: Labels;
  /**
   * The class name this load balancer answers to for MetalLB-style pools, like MetalLB's --lb-class.
   * When set, Services without a class are left alone (unless a default class takes them).
   */
  readonly loadBalancerClass?: string;
}

/** A Service of this load balancer, and what to ask the allocator for it. */
export interface ServiceRequest {
  readonly request: AllocationRequest;
  /** The MetalLoadBalancerClass serving the Service, if any. */
  readonly className: string | undefined;
  /** Warnings only (deprecated or ignored annotations): an error makes the result an `invalid-service`. */
  readonly issues: readonly AnnotationIssue[];
}

/**
 * Why a Service gets no allocation request: it is not this load balancer's (`not-ours`: leave it
 * alone), or it is but an annotation or field is wrong (`invalid-service`: `issues` names each,
 * warnings included, and `message` lists the errors).
 */
export type ServiceRequestError =
  | { readonly kind: 'not-ours'; readonly message: string }
  | {
      readonly kind: 'invalid-service';
      readonly message: string;
      /** The MetalLoadBalancerClass the Service belongs to, if any, though it cannot be served. */
      readonly className: string | undefined;
      readonly issues: readonly AnnotationIssue[];
    };

export type ServiceRequestResult = { readonly ok: true; readonly value: ServiceRequest } | { readonly ok: false; readonly error: ServiceRequestError };

const notOurs = (message: string): ServiceRequestResult => ({ ok: false, error: { kind: 'not-ours', message } });

const POLICIES: readonly IpFamilyPolicy[] = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];

/**
 * Decides whether a Service is ours and, if so, what to ask the allocator. A Service naming a
 * MetalLoadBalancerClass (or getting the default one) draws from the class's pool; one with an
 * address-pool annotation or no class draws from the IPAddressPools.
 */
export function serviceAllocationRequest(service: ServiceObject, classes: ClassLookup, options: ServiceRequestOptions = {}): ServiceRequestResult {
  const spec = service.spec ?? {};
  if (spec.type !== 'LoadBalancer') return notOurs(`type is ${spec.type ?? 'ClusterIP'}, not LoadBalancer`);
  const { value: annotations, issues: parsedIssues } = parseServiceAnnotations(service.metadata?.annotations);
  const issues = [...parsedIssues];

  let className: string | undefined;
  if (spec.loadBalancerClass !== undefined && spec.loadBalancerClass !== '') {
    if (classes.classPools.has(spec.loadBalancerClass)) className = spec.loadBalancerClass;
    else if (spec.loadBalancerClass !== options.loadBalancerClass) {
      return notOurs(`loadBalancerClass '${spec.loadBalancerClass}' belongs to another load balancer`);
    }
  } else if (annotations.addressPool === undefined && classes.defaultClass !== undefined) {
    className = classes.defaultClass;
  } else if (options.loadBalancerClass !== undefined && annotations.addressPool === undefined) {
    return notOurs(`no loadBalancerClass, and this load balancer only serves '${options.loadBalancerClass}'`);
  }

  let requestedPool = annotations.addressPool;
  if (className !== undefined) {
    if (requestedPool !== undefined) {
      issues.push({
        severity: 'warning',
        annotation: `${ANNOTATION_PREFIX}${SERVICE_ANNOTATIONS.addressPool}`,
        message: `ignored: the Service takes its addresses from MetalLoadBalancerClass '${className}'`,
      });
    }
    requestedPool = classes.classPools.get(className);
  } else if (annotations.addressCount !== undefined) {
    issues.push({ severity: 'warning', annotation: ADDRESS_COUNT_ANNOTATION, message: 'ignored: only Services of a MetalLoadBalancerClass get several addresses' });
  }

  let requestedIPs = annotations.loadBalancerIPs;
  if (spec.loadBalancerIP) {
    if (requestedIPs) {
      issues.push({
        severity: 'error',
        annotation: `${ANNOTATION_PREFIX}${SERVICE_ANNOTATIONS.loadBalancerIPs}`,
        message: 'cannot be used together with spec.loadBalancerIP; keep one of them',
      });
    } else {
      const parsed = parseRequestedIPs(spec.loadBalancerIP);
      if (parsed.ok && parsed.value.length === 1) requestedIPs = parsed.value;
      else issues.push({ severity: 'error', annotation: 'spec.loadBalancerIP', message: `'${spec.loadBalancerIP}' is not an IP address` });
    }
  }

  const policy = spec.ipFamilyPolicy;
  if (policy !== undefined && !POLICIES.includes(policy as IpFamilyPolicy)) {
    issues.push({ severity: 'error', annotation: 'spec.ipFamilyPolicy', message: `unknown ipFamilyPolicy '${policy}'` });
  }
  const families = (spec.ipFamilies ?? []).filter((f): f is IpFamily => f === 'IPv4' || f === 'IPv6');
  const dualStackProblem = policy === 'RequireDualStack' ? notDualStack(spec, families) : undefined;
  if (dualStackProblem) issues.push({ severity: 'error', annotation: 'spec.ipFamilyPolicy', message: dualStackProblem });
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) {
    const message = errors.map((i) => `${i.annotation}: ${i.message}`).join('; ');
    return { ok: false, error: { kind: 'invalid-service', message, className, issues } };
  }

  const ports: ServicePort[] = (spec.ports ?? []).map((p) => ({ protocol: p.protocol ?? 'TCP', port: p.port ?? 0 }));
  const request: AllocationRequest = {
    service: serviceKey(service),
    ...(service.metadata?.labels ? { serviceLabels: service.metadata.labels } : {}),
    ...(options.namespaceLabels ? { namespaceLabels: options.namespaceLabels } : {}),
    ...(policy !== undefined ? { ipFamilyPolicy: policy as IpFamilyPolicy } : {}),
    ...(families.length > 0 ? { ipFamilies: families } : {}),
    ...(requestedIPs ? { requestedIPs } : {}),
    ...(requestedPool !== undefined ? { requestedPool } : {}),
    ...(annotations.sharingKey !== undefined ? { sharingKey: annotations.sharingKey } : {}),
    ports,
    // With externalTrafficPolicy Local, traffic only reaches nodes running the Service's pods, so
    // services sharing an address must select the same pods.
    ...(spec.externalTrafficPolicy === 'Local' ? { backendKey: selectorText(spec.selector) } : {}),
    ...(className !== undefined ? { count: annotations.addressCount ?? 1, reservation: classReservation(className) } : {}),
  };
  return { ok: true, value: { request, className, issues } };
}

/**
 * The one key of a Service, `namespace/name` (a Service read without a namespace is in
 * `default`): the allocator's service key, the controller's queue key and what logs print.
 */
export function serviceKey(service: ServiceObject): string {
  return `${service.metadata?.namespace || 'default'}/${service.metadata?.name ?? ''}`;
}

/**
 * Why a RequireDualStack Service cannot have its two families, or undefined: as MetalLB, it needs
 * two cluster IPs (the API server gives them only in a dual-stack cluster) and, here, two
 * families. A Service read without any cluster IP (not from an API server) is judged by its
 * families alone.
 */
function notDualStack(spec: NonNullable<ServiceObject['spec']>, families: readonly IpFamily[]): string | undefined {
  const clusterIPs = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((ip) => ip !== '' && ip !== 'None');
  const knownClusterIPs = spec.clusterIPs !== undefined || spec.clusterIP !== undefined;
  if (families.length >= 2 && (!knownClusterIPs || clusterIPs.length >= 2)) return undefined;
  return `requires dual stack but not enough clusterips: spec.ipFamilies [${families.join(', ')}], spec.clusterIPs [${clusterIPs.join(', ')}]`;
}

function selectorText(selector: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(selector ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
