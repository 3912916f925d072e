// Which node owns each address, computed the same way by every node from the same inputs.
//
// Two steps, so that a failure moves only the failed node's addresses while the load stays even:
//   1. Homes, from the API's view alone (which nodes could announce, never who is alive now):
//      consistent hashing with bounded loads. Addresses are taken in a fixed order (by hash); each
//      goes to its highest-ranked node (rendezvous hashing) that is below the load cap,
//      ceil(loadFactor × addresses / nodes). Plain rendezvous hashing leaves loads binomial (for
//      1,000 addresses on 10 nodes, max/min often near 1.4 and sometimes past 1.5); the cap cuts
//      the tail. Liveness plays no part, so a death never moves another node's address.
//   2. Owners: an address whose home is eligible (alive, past its hold-down) stays home. The others
//      (orphans) go to their highest-ranked eligible candidate; with none eligible, to a held-down
//      one rather than nowhere. A node that comes back gets its homes back when its hold-down ends.
// Addresses of a Service spread across nodes (MetalLoadBalancerClass) avoid nodes that already hold
// one of that Service's addresses while there are enough candidates, and spread evenly when not.
import { hashString, pairScore } from '../hash.js';

export interface Candidate {
  readonly node: string;
  /** Summed weights of the preferred-node selectors it matches; higher tiers win (MetalLB's preferredNodes). */
  readonly preference: number;
}

/** One unit of ownership: a Service's addresses together, or one address of a spread Service. */
export interface Ball {
  /** The address ranked by (a Service's first address, as MetalLB hashes it). */
  readonly key: string;
  /** The Service; balls of one group avoid sharing a node. */
  readonly group: string;
  /** Nodes allowed to announce it, whatever their liveness. */
  readonly candidates: readonly Candidate[];
}

export interface Liveness {
  readonly alive: ReadonlySet<string>;
  readonly eligible: ReadonlySet<string>;
  /** Nodes that run a speaker (alive or not): homes are only given to those. */
  readonly known: ReadonlySet<string>;
}

/**
 * 1.03: over 300 pools of 1,000 consecutive addresses on 10 nodes, max/min stayed at or under 1.36
 * (1.05 reached 1.5, plain rendezvous 1.77); an added Service displaces a median of 1 other.
 */
export const DEFAULT_LOAD_FACTOR = 1.03;

interface Ranked {
  readonly ball: Ball;
  readonly keyHash: number;
}

function order(balls: readonly Ball[]): Ranked[] {
  const ranked = balls.map((ball) => ({ ball, keyHash: hashString(ball.key) }));
  ranked.sort((a, b) => a.keyHash - b.keyHash || (a.ball.key < b.ball.key ? -1 : a.ball.key > b.ball.key ? 1 : 0));
  return ranked;
}

const nodeHashes = new Map<string, number>();
function nodeHash(node: string): number {
  let h = nodeHashes.get(node);
  if (h === undefined) {
    h = hashString(node);
    if (nodeHashes.size > 100_000) nodeHashes.clear();
    nodeHashes.set(node, h);
  }
  return h;
}

function topTier(candidates: readonly Candidate[]): Candidate[] {
  let best = Number.NEGATIVE_INFINITY;
  for (const c of candidates) best = Math.max(best, c.preference);
  return candidates.filter((c) => c.preference === best);
}

/**
 * Picks among `candidates` (one preference tier): fewest balls of the group first, then under the
 * cap, then the highest rendezvous score; when all are at the cap, the least loaded.
 */
function pick(candidates: readonly Candidate[], keyHash: number, groupCount: (node: string) => number, load?: (node: string) => number, cap?: number): string | undefined {
  let fewest = Number.POSITIVE_INFINITY;
  for (const c of candidates) fewest = Math.min(fewest, groupCount(c.node));
  let best: string | undefined;
  let bestScore = -1;
  let lightest: string | undefined;
  let lightestLoad = Number.POSITIVE_INFINITY;
  let lightestScore = -1;
  for (const c of candidates) {
    if (groupCount(c.node) !== fewest) continue;
    const score = pairScore(keyHash, nodeHash(c.node));
    const l = load ? load(c.node) : 0;
    if (cap === undefined || l < cap) {
      if (score > bestScore) {
        best = c.node;
        bestScore = score;
      }
    } else if (l < lightestLoad || (l === lightestLoad && score > lightestScore)) {
      lightest = c.node;
      lightestLoad = l;
      lightestScore = score;
    }
  }
  return best ?? lightest;
}

/** Step 1: each ball's home among the candidates that run a speaker. */
export function placeHomes(balls: readonly Ball[], known: ReadonlySet<string>, loadFactor = DEFAULT_LOAD_FACTOR): Map<string, string> {
  const homes = new Map<string, string>();
  const ranked = order(balls);
  const nodes = new Set<string>();
  const eligibleCandidates = new Map<Ball, Candidate[]>();
  for (const { ball } of ranked) {
    const usable = topTier(ball.candidates.filter((c) => known.has(c.node)));
    eligibleCandidates.set(ball, usable);
    for (const c of usable) nodes.add(c.node);
  }
  if (nodes.size === 0) return homes;
  const cap = Math.ceil((loadFactor * ranked.length) / nodes.size);
  const load = new Map<string, number>();
  const groups = new Map<string, Map<string, number>>();
  for (const { ball, keyHash } of ranked) {
    const usable = eligibleCandidates.get(ball) ?? [];
    if (usable.length === 0) continue;
    const group = groups.get(ball.group) ?? new Map<string, number>();
    groups.set(ball.group, group);
    const home = pick(usable, keyHash, (n) => group.get(n) ?? 0, (n) => load.get(n) ?? 0, cap);
    if (home === undefined) continue;
    homes.set(ball.key, home);
    load.set(home, (load.get(home) ?? 0) + 1);
    group.set(home, (group.get(home) ?? 0) + 1);
  }
  return homes;
}

/** Step 2: each ball's owner now, or none when no candidate is alive. */
export function assignOwners(balls: readonly Ball[], homes: ReadonlyMap<string, string>, liveness: Liveness): Map<string, string> {
  const owners = new Map<string, string>();
  const ranked = order(balls);
  const groups = new Map<string, Map<string, number>>();
  const place = (ball: Ball, node: string) => {
    owners.set(ball.key, node);
    const group = groups.get(ball.group) ?? new Map<string, number>();
    groups.set(ball.group, group);
    group.set(node, (group.get(node) ?? 0) + 1);
  };
  for (const { ball } of ranked) {
    const home = homes.get(ball.key);
    if (home !== undefined && liveness.eligible.has(home)) place(ball, home);
  }
  for (const { ball, keyHash } of ranked) {
    if (owners.has(ball.key)) continue;
    const group = groups.get(ball.group);
    const count = (n: string) => group?.get(n) ?? 0;
    const eligible = ball.candidates.filter((c) => liveness.eligible.has(c.node));
    const fallback = eligible.length > 0 ? eligible : ball.candidates.filter((c) => liveness.alive.has(c.node));
    if (fallback.length === 0) continue;
    const owner = pick(topTier(fallback), keyHash, count);
    if (owner !== undefined) place(ball, owner);
  }
  return owners;
}
