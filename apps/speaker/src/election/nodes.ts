// Which nodes may announce at all, from their Node objects: as MetalLB's speaker, a node with the
// NetworkUnavailable condition, or labelled to be excluded from external load balancers (unless
// told to ignore that label), never announces; for a MetalLoadBalancerClass, neither does a node
// with a taint the class does not tolerate.
import { type Toleration } from '@lb/config-schema';
import { type NodeResource, type Taint } from './resources.js';

export const EXCLUDE_FROM_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

/** Taint effects that keep a class's addresses off a node (PreferNoSchedule only discourages). */
const BLOCKING_EFFECTS = new Set(['NoSchedule', 'NoExecute']);

export interface NodeOptions {
  /** MetalLB's --ignore-exclude-lb: announce from labelled nodes too. */
  readonly ignoreExcludeLB?: boolean;
}

/** Why a node never announces, or undefined when it may. */
export function nodeExclusion(node: NodeResource, options: NodeOptions = {}): 'network-unavailable' | 'excluded-from-load-balancers' | undefined {
  if (node.status?.conditions?.some((c) => c.type === 'NetworkUnavailable' && c.status === 'True')) return 'network-unavailable';
  if (!options.ignoreExcludeLB && node.metadata?.labels && Object.hasOwn(node.metadata.labels, EXCLUDE_FROM_LB_LABEL)) return 'excluded-from-load-balancers';
  return undefined;
}

/** Kubernetes' matching of one toleration against one taint. */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  const operator = toleration.operator || 'Equal';
  if (operator === 'Exists') return !toleration.key || toleration.key === taint.key;
  return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
}

/** The node's blocking taints that none of `tolerations` tolerates. */
export function untoleratedTaints(node: NodeResource, tolerations: readonly Toleration[]): Taint[] {
  return (node.spec?.taints ?? []).filter((taint) => BLOCKING_EFFECTS.has(taint.effect) && !tolerations.some((t) => tolerates(t, taint)));
}
