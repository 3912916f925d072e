import { ANNOTATION_PREFIX, DEPRECATED_ANNOTATION_PREFIX, SERVICE_ANNOTATIONS, serviceKey } from '@lb/config-schema';
import { clampEventMessage } from './event-text.js';
import { type ServiceOutcome, type ServiceState } from './service-outcome.js';

/** The annotation MetalLB writes with the pool a Service's addresses came from. */
export const POOL_ANNOTATION = `${ANNOTATION_PREFIX}${SERVICE_ANNOTATIONS.ipAllocatedFromPool}`;
const DEPRECATED_POOL_ANNOTATION = `${DEPRECATED_ANNOTATION_PREFIX}${SERVICE_ANNOTATIONS.ipAllocatedFromPool}`;
/** Deckhouse's condition types for Services of a MetalLoadBalancerClass. */
export const ALL_ASSIGNED_CONDITION = 'AllPublicIPsAssigned';
export const CLASS_CONDITION = 'network.deckhouse.io/load-balancer-class';

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime?: string;
}

export interface ServiceEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** The writes a Service needs: each part undefined when it is already right. */
export interface ServiceWrites {
  /** New `status` (loadBalancer and conditions), replacing ours. */
  readonly status: { loadBalancer: { ingress?: Array<{ ip: string }> }; conditions?: Condition[] } | undefined;
  /** Annotation changes: a value to set, null to remove. */
  readonly annotations: Record<string, string | null> | undefined;
  readonly events: readonly ServiceEvent[];
}

/**
 * What to write to a Service for an outcome, compared with what it has. Pure; `now` stamps
 * conditions that change.
 */
export function serviceWrites(service: ServiceState, outcome: ServiceOutcome, now: string): ServiceWrites {
  const events: ServiceEvent[] = [];
  const currentIngress = (service.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '');
  const currentConditions = ((service.status?.conditions ?? []) as Condition[]).filter(isCondition);
  const annotations = service.metadata?.annotations ?? {};

  if (outcome.kind === 'waiting' || outcome.kind === 'deleted' || (outcome.kind === 'not-ours' && !outcome.clear)) {
    return { status: undefined, annotations: undefined, events };
  }

  let ingress: string[] = [];
  let pool: string | null = null;
  let conditions: Condition[] = currentConditions.filter((c) => c.type !== ALL_ASSIGNED_CONDITION && c.type !== CLASS_CONDITION);

  if (outcome.kind === 'assigned' || outcome.kind === 'failed') {
    for (const issue of outcome.issues) {
      if (issue.severity === 'warning') events.push({ type: 'Warning', reason: issueReason(issue.annotation), message: clampEventMessage(`${issue.annotation}: ${issue.message}`) });
    }
  }
  if (outcome.kind === 'assigned') {
    ingress = [...outcome.addresses];
    pool = outcome.className === undefined ? outcome.pool : null;
    if (outcome.changed || !sameList(currentIngress, ingress)) {
      events.push({ type: 'Normal', reason: 'IPAllocated', message: assignedMessage(ingress) });
    }
  } else if (outcome.kind === 'failed') {
    // The reason first: a long one is cut at its end, never before it is said.
    events.push({ type: 'Warning', reason: 'AllocationFailed', message: clampEventMessage(outcome.message, `. Failed to allocate IP for "${serviceKey(service)}"`) });
  }

  if ((outcome.kind === 'assigned' || outcome.kind === 'failed') && outcome.className !== undefined) {
    const assigned = outcome.kind === 'assigned' ? outcome.addresses.length : 0;
    const all = assigned >= outcome.wanted;
    conditions = [
      ...conditions,
      keepTransition(currentConditions, {
        type: ALL_ASSIGNED_CONDITION,
        status: all ? 'True' : 'False',
        reason: all ? 'AllIPsAssigned' : 'NotAllIPsAssigned',
        message: `${assigned} of ${outcome.wanted} public IPs were assigned`,
      }, now),
      keepTransition(currentConditions, { type: CLASS_CONDITION, status: 'True', reason: 'LoadBalancerClassBound', message: outcome.className }, now),
    ];
    if (!all && outcome.kind === 'assigned') {
      events.push({ type: 'Warning', reason: 'NotAllIPsAssigned', message: `${assigned} of ${outcome.wanted} public IPs were assigned` });
    }
  }

  const statusChanged = !sameList(currentIngress, ingress) || !sameConditions(currentConditions, conditions);
  const status = statusChanged
    ? { loadBalancer: ingress.length > 0 ? { ingress: ingress.map((ip) => ({ ip })) } : {}, ...(conditions.length > 0 ? { conditions } : {}) }
    : undefined;

  const annotationChanges: Record<string, string | null> = {};
  if ((annotations[POOL_ANNOTATION] ?? null) !== pool) annotationChanges[POOL_ANNOTATION] = pool;
  // The deprecated spelling is ours too; drop it so tools reading either see one truth.
  if (annotations[DEPRECATED_POOL_ANNOTATION] !== undefined) annotationChanges[DEPRECATED_POOL_ANNOTATION] = null;
  return { status, annotations: Object.keys(annotationChanges).length > 0 ? annotationChanges : undefined, events };
}

/** MetalLB's `Assigned IP ["..."]`; a class Service's long list is cut, with how many were left out. */
function assignedMessage(addresses: readonly string[]): string {
  const full = `Assigned IP ${JSON.stringify(addresses)}`;
  if (full.length <= 1024) return full;
  const shown: string[] = [];
  for (const address of addresses) {
    if (`Assigned IP ${JSON.stringify([...shown, address])} and 9999 more`.length > 1024) break;
    shown.push(address);
  }
  return `Assigned IP ${JSON.stringify(shown)} and ${addresses.length - shown.length} more`;
}

function issueReason(annotation: string): string {
  return annotation.startsWith(DEPRECATED_ANNOTATION_PREFIX) ? 'DeprecatedAnnotation' : 'AnnotationIgnored';
}

function keepTransition(current: readonly Condition[], next: Omit<Condition, 'lastTransitionTime'>, now: string): Condition {
  const previous = current.find((c) => c.type === next.type);
  const since = previous && previous.status === next.status && previous.lastTransitionTime ? previous.lastTransitionTime : now;
  return { ...next, lastTransitionTime: since };
}

function isCondition(value: unknown): value is Condition {
  return typeof value === 'object' && value !== null && typeof (value as Condition).type === 'string';
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameConditions(a: readonly Condition[], b: readonly Condition[]): boolean {
  if (a.length !== b.length) return false;
  return b.every((c) => {
    const other = a.find((x) => x.type === c.type);
    return other !== undefined && other.status === c.status && other.reason === c.reason && other.message === c.message;
  });
}
