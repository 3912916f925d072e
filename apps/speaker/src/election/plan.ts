// Everything the election needs from the API, computed once per change of Services, endpoints,
// Nodes or configuration: for each Service, the units of ownership (balls), the nodes that may
// announce each and the interfaces each would announce from. Membership plays no part here.
import { type CompiledConfig, type L2Announcement } from '@lb/config-schema';
import { matchesAnySelector, matchesLabelSelector } from '@lb/labels';
import { endpointsByService, endpointsOf, type ServiceEndpoints } from './endpoints.js';
import { nodeExclusion, untoleratedTaints } from './nodes.js';
import { type Ball, type Candidate } from './placement.js';
import { type EndpointSliceResource, type NodeResource, type ServiceResource } from './resources.js';
import { classLookup, serviceVerdict, type NotAnnouncedReason, type ServiceTarget, type ServiceVerdict } from './services.js';

export interface ElectionInputs {
  readonly config: CompiledConfig;
  readonly services: readonly ServiceResource[];
  readonly endpointSlices: readonly EndpointSliceResource[];
  readonly nodes: readonly NodeResource[];
  /** MetalLB's --lb-class. */
  readonly lbClass?: string;
  /** MetalLB's --ignore-exclude-lb. */
  readonly ignoreExcludeLB?: boolean;
}

export interface ServicePlan {
  readonly key: string;
  readonly addresses: readonly string[];
  /** Set when no node may announce it, whoever is alive. */
  readonly reason?: NotAnnouncedReason;
  readonly balls: readonly Ball[];
  /** The addresses that go with each ball, in the order of `balls` (arrays, not a Map per Service: 10,000 Services). */
  readonly ballAddresses: ReadonlyArray<readonly string[]>;
  /** Candidate node → interfaces it announces from (empty: every interface); shared by Services under the same announcements. */
  readonly interfaces: ReadonlyMap<string, readonly string[]>;
}

export interface L2Plan {
  readonly services: readonly ServicePlan[];
  /** Every ball once (Services sharing an address share its ball). */
  readonly balls: readonly Ball[];
}

const CLASS_KIND = 'MetalLoadBalancerClass';
/** What a Service nobody announces has: one shared empty map. */
const NO_INTERFACES: ReadonlyMap<string, readonly string[]> = new Map();

interface NodeFacts {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly node: NodeResource;
}

export function planL2(inputs: ElectionInputs): L2Plan {
  const classes = classLookup(inputs.config);
  const lbClassOptions = inputs.lbClass !== undefined ? { lbClass: inputs.lbClass } : {};
  // No pool announced in layer 2 (a BGP-only setup): no Service can be, and their plans (each says
  // why not) are only read by tests and tools, so they are made when first read, not per change.
  if (!inputs.config.pools.some((pool) => pool.l2.length > 0)) {
    let services: ServicePlan[] | undefined;
    return {
      balls: [],
      get services(): readonly ServicePlan[] {
        return (services ??= inputs.services.map((service) => refusedPlan(serviceVerdict(service, inputs.config, classes, lbClassOptions) as Extract<ServiceVerdict, { ok: false }>)));
      },
    };
  }
  // Indexed on first need: with no L2Advertisement (BGP-only), no Service ever reads it.
  let endpoints: Map<string, ServiceEndpoints> | undefined;
  const nodeOptions = inputs.ignoreExcludeLB ? { ignoreExcludeLB: true } : {};
  const nodes: NodeFacts[] = inputs.nodes
    .filter((node) => node.metadata?.name && nodeExclusion(node, nodeOptions) === undefined)
    .map((node) => ({ name: node.metadata?.name as string, labels: node.metadata?.labels ?? {}, node }));
  // Verdicts first (remembered per Service object): only the Services some node may announce are
  // sorted, since only their order matters (it orders the balls, identically on every node). In a
  // BGP-only setup that is none of them, and a change costs no sort of 10,000 keys.
  const plans: ServicePlan[] = [];
  const targets: ServiceTarget[] = [];
  for (const service of inputs.services) {
    const verdict = serviceVerdict(service, inputs.config, classes, lbClassOptions);
    if (verdict.ok) targets.push(verdict.target);
    else plans.push(refusedPlan(verdict));
  }
  targets.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const balls = new Map<string, Ball>();
  // Services under the same announcements share their candidates (and the placement's work on them).
  const shared = new Map<string, { candidates: Candidate[]; interfaces: Map<string, readonly string[]> }>();
  for (const target of targets) {
    const ready = endpointsOf((endpoints ??= endpointsByService(inputs.endpointSlices)), target.key);
    if (!ready.any) {
      plans.push(refused(target, 'noReadyEndpoints'));
      continue;
    }
    const announcementsKey = `${target.pool.name}|${target.announcements.map((a) => target.pool.l2.indexOf(a)).join(',')}`;
    let everywhere = shared.get(announcementsKey);
    if (!everywhere) {
      everywhere = candidatesFor(target, nodes);
      shared.set(announcementsKey, everywhere);
    }
    const { interfaces } = everywhere;
    const candidates = target.local ? everywhere.candidates.filter((c) => ready.nodes.has(c.node)) : everywhere.candidates;
    if (candidates.length === 0) {
      plans.push(refused(target, 'noAvailableNodes'));
      continue;
    }
    // Arrays of their exact size (map, a literal): one pushed into from empty keeps room for 17.
    const units = target.spread ? target.addresses.map((a) => [a]) : [target.addresses];
    const own = units.map((addresses) => {
      const key = addresses[0] as string;
      // A shared address (allow-shared-ip) is one ball: one node answers for it, for every Service.
      const ball = balls.get(key) ?? { key, group: target.key, candidates };
      balls.set(key, ball);
      return ball;
    });
    plans.push({ key: target.key, addresses: target.addresses, balls: own, ballAddresses: units, interfaces });
  }
  return { services: plans, balls: [...balls.values()] };
}

function refused(target: ServiceTarget, reason: NotAnnouncedReason): ServicePlan {
  return { key: target.key, addresses: target.addresses, reason, balls: [], ballAddresses: [], interfaces: NO_INTERFACES };
}

/**
 * The plan of a Service nobody may announce, one per remembered verdict: verdicts are remembered per
 * Service object, so an unchanged Service (every one of a BGP-only setup) costs no new object per change.
 */
const refusedPlans = new WeakMap<object, ServicePlan>();

function refusedPlan(verdict: Extract<ServiceVerdict, { ok: false }>): ServicePlan {
  let plan = refusedPlans.get(verdict);
  if (!plan) {
    plan = { key: verdict.key, addresses: verdict.addresses, reason: verdict.reason, balls: [], ballAddresses: [], interfaces: NO_INTERFACES };
    refusedPlans.set(verdict, plan);
  }
  return plan;
}

/**
 * The nodes that may announce under a Service's announcements: selected by one of them (a class's
 * also tolerating the node's taints). externalTrafficPolicy Local narrows these per Service.
 */
function candidatesFor(target: ServiceTarget, nodes: readonly NodeFacts[]) {
  const candidates: Candidate[] = [];
  const interfaces = new Map<string, readonly string[]>();
  for (const node of nodes) {
    const matching = target.announcements.filter((a) => selects(a, node));
    if (matching.length === 0) continue;
    candidates.push({ node: node.name, preference: preference(target.announcements, node) });
    interfaces.set(node.name, interfacesOf(matching));
  }
  return { candidates, interfaces };
}

function selects(announcement: L2Announcement, node: NodeFacts): boolean {
  if (announcement.nodeSelectors.length > 0 && !matchesAnySelector(announcement.nodeSelectors, node.labels)) return false;
  if (announcement.source.kind === CLASS_KIND && untoleratedTaints(node.node, announcement.tolerations).length > 0) return false;
  return true;
}

/** MetalLB sums, over the Service's advertisements, the weights of the preferred selectors a node matches. */
function preference(announcements: readonly L2Announcement[], node: NodeFacts): number {
  let score = 0;
  for (const a of announcements) for (const p of a.preferredNodes) if (matchesLabelSelector(p.selector, node.labels)) score += p.weight;
  return score;
}

/** Every interface when any matching announcement names none; otherwise the union, sorted. */
function interfacesOf(matching: readonly L2Announcement[]): readonly string[] {
  if (matching.some((a) => a.interfaces.length === 0)) return [];
  return [...new Set(matching.flatMap((a) => a.interfaces))].sort();
}
