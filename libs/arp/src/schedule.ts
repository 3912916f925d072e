/**
 * When gratuitous announcements go out, as offsets in milliseconds from the moment an address is
 * taken over. MetalLB sends at once and then every 1.1 s for 5 s; a client whose cache entry still
 * points at the old node keeps sending there until one announcement arrives, so this default sends
 * four times in the first 100 ms (any one of them moves the cache, the rest cover loss) and then
 * keeps MetalLB's cadence for hosts that were busy or briefly unreachable.
 */
export const DEFAULT_ANNOUNCE_SCHEDULE: readonly number[] = Object.freeze([0, 25, 50, 100, 250, 500, 1100, 2200, 3300, 4400]);

/** MetalLB's own schedule, for deployments that want to match it exactly. */
export const METALLB_ANNOUNCE_SCHEDULE: readonly number[] = Object.freeze([0, 1100, 2200, 3300, 4400]);

/** Every problem with a schedule at once; empty when it is usable. */
export function scheduleProblems(schedule: readonly number[]): string[] {
  const problems: string[] = [];
  if (schedule.length === 0) problems.push('announceSchedule is empty: give at least one offset (0 sends at once)');
  schedule.forEach((offset, i) => {
    if (typeof offset !== 'number' || !Number.isFinite(offset) || offset < 0) {
      problems.push(`announceSchedule[${i}] = ${String(offset)} is not a finite number of milliseconds >= 0`);
    } else if (i > 0 && offset <= (schedule[i - 1] as number)) {
      problems.push(`announceSchedule[${i}] = ${offset} does not come after announceSchedule[${i - 1}] = ${schedule[i - 1]}`);
    }
  });
  return problems;
}
