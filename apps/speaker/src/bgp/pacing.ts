// How long the process waits before recomputing BGP after an API change. Each recomputation costs
// O(Services) (desiredBgp, the route sets, the status objects); in a burst of changes (10,000
// Services created) recomputing on each one would spend the whole CPU on states that are replaced
// a few milliseconds later. A change after a quiet time is handled at once; in a burst, changes
// are taken together, at most one recomputation per COST_FACTOR times its own cost, so BGP work
// uses at most about a third of a core and the latest state always wins.

export const COST_FACTOR = 2;
/** Never wait longer than this, however slow the last recomputation was. */
export const MAX_GAP_MS = 1000;

/** Milliseconds to wait before the next recomputation, from when the last one ended and what it cost. */
export function nextUpdateDelay(now: number, last: { readonly endedAt: number; readonly costMs: number } | undefined): number {
  if (!last) return 0;
  const gap = Math.min(MAX_GAP_MS, COST_FACTOR * last.costMs);
  return Math.max(0, last.endedAt + gap - now);
}
