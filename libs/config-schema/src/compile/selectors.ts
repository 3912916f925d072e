// Label selectors in compile(): checking them, finding the pools they pick, and telling whether two
// node selections can share a node.
import { labelSelectorProblems, matchesAnySelector, matchesLabelSelector, selectorKey, type LabelSelector, type Labels } from '@lb/labels';
import { type PathSegment } from '../issues.js';
import { type LabelSelector as WrittenSelector } from '../schema/kube.js';
import { type IssueSink, type Origin } from './context.js';

/**
 * Reports malformed selectors and repeated ones (MetalLB refuses both). Returns the list typed for
 * @lb/labels' matching; an operator it does not know was reported and matches nothing there.
 */
export function checkSelectors(
  sink: IssueSink,
  origin: Origin,
  path: readonly PathSegment[],
  selectors: readonly WrittenSelector[] | undefined,
): readonly LabelSelector[] {
  const list = (selectors ?? []) as readonly LabelSelector[];
  const seen = new Map<string, number>();
  list.forEach((selector, i) => {
    const at = [...path, i];
    for (const problem of labelSelectorProblems(selector)) sink.error(origin, [...at, ...problem.segments], problem.message);
    const expressions = selector.matchExpressions ?? [];
    const seenExpressions = new Set<string>();
    expressions.forEach((expression, j) => {
      const values = expression.values ?? [];
      const duplicate = values.find((v, k) => values.indexOf(v) !== k);
      if (duplicate !== undefined) sink.error(origin, [...at, 'matchExpressions', j, 'values'], `value '${duplicate}' is listed twice`);
      const key = `${expression.key} ${expression.operator} ${[...values].sort().join(',')}`;
      if (seenExpressions.has(key)) sink.error(origin, [...at, 'matchExpressions', j], 'the same expression is listed twice');
      seenExpressions.add(key);
    });
    const key = selectorKey(selector);
    const first = seen.get(key);
    if (first !== undefined) sink.error(origin, at, `the same selector as [${first}]`);
    else seen.set(key, i);
  });
  return list;
}

/** Reports names listed twice in a list of names. */
export function checkUniqueNames(sink: IssueSink, origin: Origin, path: readonly PathSegment[], names: readonly string[] | undefined, what: string): void {
  const seen = new Set<string>();
  (names ?? []).forEach((name, i) => {
    if (seen.has(name)) sink.error(origin, [...path, i], `${what} '${name}' is listed twice`);
    seen.add(name);
  });
}

/** The nodes compile() was told about, if any: node selections are then compared exactly. */
export interface NodeInventory {
  readonly labels: readonly Labels[];
}

/**
 * Whether some node can match both selections (an empty selection is every node). With the nodes
 * known, this is exact, as MetalLB computes it. Without them it is conservative: two selections
 * overlap unless their requirements contradict each other (rack=a against rack=b, Exists against
 * DoesNotExist), since some node could carry both sets of labels.
 */
export function selectionsMayOverlap(a: readonly LabelSelector[], b: readonly LabelSelector[], nodes: NodeInventory | undefined): boolean {
  if (nodes) {
    return nodes.labels.some((labels) => (a.length === 0 || matchesAnySelector(a, labels)) && (b.length === 0 || matchesAnySelector(b, labels)));
  }
  if (a.length === 0 || b.length === 0) return true;
  return a.some((x) => b.some((y) => satisfiable([x, y])));
}

interface KeyConstraint {
  allowed: Set<string> | undefined;
  forbidden: Set<string>;
  mustExist: boolean;
  mustNotExist: boolean;
}

/** Whether one label set can satisfy every selector at once. */
export function satisfiable(selectors: readonly LabelSelector[]): boolean {
  const constraints = new Map<string, KeyConstraint>();
  const constraint = (key: string): KeyConstraint => {
    let c = constraints.get(key);
    if (!c) {
      c = { allowed: undefined, forbidden: new Set(), mustExist: false, mustNotExist: false };
      constraints.set(key, c);
    }
    return c;
  };
  const allow = (key: string, values: readonly string[]): void => {
    const c = constraint(key);
    c.allowed = c.allowed ? new Set(values.filter((v) => c.allowed?.has(v))) : new Set(values);
  };
  for (const selector of selectors) {
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) allow(key, [value]);
    for (const requirement of selector.matchExpressions ?? []) {
      const c = constraint(requirement.key);
      switch (requirement.operator) {
        case 'In':
          allow(requirement.key, requirement.values ?? []);
          break;
        case 'NotIn':
          for (const v of requirement.values ?? []) c.forbidden.add(v);
          break;
        case 'Exists':
          c.mustExist = true;
          break;
        case 'DoesNotExist':
          c.mustNotExist = true;
          break;
      }
    }
  }
  for (const c of constraints.values()) {
    const needsValue = c.mustExist || c.allowed !== undefined;
    if (c.mustNotExist && needsValue) return false;
    if (c.allowed && [...c.allowed].every((v) => c.forbidden.has(v))) return false;
  }
  return true;
}

/** Pools by label, so that selecting pools does not test every selector against every pool. */
export class PoolIndex {
  private readonly byLabel = new Map<string, string[]>();

  constructor(private readonly pools: ReadonlyArray<{ readonly name: string; readonly labels: Labels }>) {
    for (const pool of pools) {
      for (const [key, value] of Object.entries(pool.labels)) {
        const entry = `${key}=${value}`;
        const list = this.byLabel.get(entry);
        if (list) list.push(pool.name);
        else this.byLabel.set(entry, [pool.name]);
      }
    }
  }

  /** Names of the pools any of the selectors matches. */
  select(selectors: readonly LabelSelector[]): Set<string> {
    const out = new Set<string>();
    for (const selector of selectors) {
      const labels = Object.entries(selector.matchLabels ?? {});
      if (labels.length === 0) {
        for (const pool of this.pools) if (matchesLabelSelector(selector, pool.labels)) out.add(pool.name);
        continue;
      }
      // Start from the rarest required label and check the rest on those pools only.
      let candidates: readonly string[] | undefined;
      for (const [key, value] of labels) {
        const list = this.byLabel.get(`${key}=${value}`) ?? [];
        if (!candidates || list.length < candidates.length) candidates = list;
      }
      const byName = this.labelsByName();
      for (const name of candidates ?? []) if (matchesLabelSelector(selector, byName.get(name))) out.add(name);
    }
    return out;
  }

  private cachedLabels: Map<string, Labels> | undefined;
  private labelsByName(): Map<string, Labels> {
    this.cachedLabels ??= new Map(this.pools.map((p) => [p.name, p.labels]));
    return this.cachedLabels;
  }
}
