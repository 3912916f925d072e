// MetalLoadBalancerClasses: a pool each, announced in layer 2 from the class's nodes, each address
// of a Service from a different node.
import { labelKeyProblems, labelValueProblems } from '@lb/labels';
import { formatResource } from '../issues.js';
import { type MetalLoadBalancerClassResource } from '../resources.js';
import { type Toleration } from '../schema/metalloadbalancerclass.js';
import { type IssueSink, type Origin } from './context.js';
import { draftClassPool, type PoolDraft } from './pools.js';
import { type CompiledClass, type L2Announcement } from './types.js';

const TOLERATION_OPERATORS = ['', 'Exists', 'Equal'];
const TAINT_EFFECTS = ['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export interface ClassDraft {
  readonly compiled: CompiledClass;
  readonly pool: PoolDraft;
  readonly announcement: L2Announcement;
}

export function compileClass(sink: IssueSink, origin: Origin, resource: MetalLoadBalancerClassResource): ClassDraft | undefined {
  const before = sink.errors.length;
  const spec = resource.spec ?? {};
  const name = resource.metadata.name;
  const pool = draftClassPool(sink, origin, name, spec.addressPool ?? []);
  const nodeSelector = spec.nodeSelector ?? {};
  for (const [key, value] of Object.entries(nodeSelector)) {
    for (const message of [...labelKeyProblems(key).map((m) => `label key ${m}`), ...labelValueProblems(value)]) sink.error(origin, ['spec', 'nodeSelector', key], message);
  }
  const tolerations = spec.tolerations ?? [];
  tolerations.forEach((toleration, i) => checkToleration(sink, origin, toleration, i));
  const interfaces = spec.l2?.interfaces ?? [];
  interfaces.forEach((iface, i) => {
    if (iface === '' || iface.length > 15 || /[\s/:]/.test(iface)) sink.error(origin, ['spec', 'l2', 'interfaces', i], `'${iface}' is not an interface name (1 to 15 characters, no spaces, '/' or ':')`);
  });
  if (sink.errors.length > before) return undefined;
  const nodeSelectors = Object.keys(nodeSelector).length > 0 ? [{ matchLabels: { ...nodeSelector } }] : [];
  return {
    pool,
    compiled: {
      name,
      source: origin.ref,
      isDefault: spec.isDefault ?? false,
      type: spec.type ?? 'L2',
      pool: pool.name,
      nodeSelector,
      tolerations,
      interfaces,
    },
    announcement: {
      source: origin.ref,
      nodeSelectors,
      interfaces,
      serviceSelectors: [],
      preferredNodes: [],
      spreadAcrossNodes: true,
      tolerations,
    },
  };
}

// The rules the API server applies to a Pod's tolerations.
function checkToleration(sink: IssueSink, origin: Origin, toleration: Toleration, index: number): void {
  const at = ['spec', 'tolerations', index];
  const operator = toleration.operator ?? '';
  if (!TOLERATION_OPERATORS.includes(operator)) sink.error(origin, [...at, 'operator'], `unknown operator '${operator}' (Exists or Equal)`);
  if (operator === 'Exists' && toleration.value) sink.error(origin, [...at, 'value'], 'a toleration with operator Exists takes no value');
  if (!toleration.key && operator !== 'Exists') sink.error(origin, [...at, 'operator'], 'a toleration without a key must use operator Exists');
  if (toleration.key) for (const message of labelKeyProblems(toleration.key)) sink.error(origin, [...at, 'key'], `taint key ${message}`);
  const effect = toleration.effect ?? '';
  if (!TAINT_EFFECTS.includes(effect)) sink.error(origin, [...at, 'effect'], `unknown effect '${effect}' (NoSchedule, PreferNoSchedule or NoExecute)`);
  if (toleration.tolerationSeconds !== undefined && effect !== 'NoExecute') sink.error(origin, [...at, 'tolerationSeconds'], 'tolerationSeconds applies to effect NoExecute only');
}

/** At most one class may be the default: a Service without a class must know where to go. */
export function checkSingleDefault(sink: IssueSink, classes: readonly ClassDraft[]): string | undefined {
  const defaults = classes.filter((c) => c.compiled.isDefault);
  const [first, ...others] = defaults;
  for (const other of others) {
    if (first) sink.error(originOf(other), ['spec', 'isDefault'], `${formatResource(first.compiled.source)} is already the default class`);
  }
  return first?.compiled.name;
}

const originOf = (draft: ClassDraft): Origin => draft.pool.origin;
