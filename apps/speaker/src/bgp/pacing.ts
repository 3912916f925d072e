// How long the process waits before recomputing BGP (and the layer 2 plan, process/api.ts) after an
// API change. Each recomputation costs O(Services) (desiredBgp, the route sets, the status objects,
// the layer 2 plan); in a burst of changes (10,000
// Services created) recomputing on each one would spend the whole CPU on states that are replaced
// a few milliseconds later. A change after a quiet time is handled at once; in a burst, changes
// are taken together, at most one recomputation per COST_FACTOR times its own cost, so BGP work
// uses at most about a fifth of a core and the latest state always wins. A fifth, not more: every
// node's speaker recomputes on the same burst, and on a small node (two cores for three speakers,
// the controller and the API server in the lab) what they take is what assigning addresses lacks.

export const COST_FACTOR = 4;
/** Never wait longer than this, however slow the last recomputation was. */
export const MAX_GAP_MS = 1000;

/** In a burst, the time between the end of a recomputation that cost `costMs` and the start of the next. */
export function burstGap(costMs: number): number {
  return Math.min(MAX_GAP_MS, COST_FACTOR * costMs);
}

/** Milliseconds to wait before the next recomputation, from when the last one ended and what it cost. */
export function nextUpdateDelay(now: number, last: { readonly endedAt: number; readonly costMs: number } | undefined): number {
  if (!last) return 0;
  return Math.max(0, last.endedAt + burstGap(last.costMs) - now);
}
