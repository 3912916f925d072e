/** A uniform number in [0, 1): the only randomness the cores use, injected so runs can be replayed. */
export type Random = () => number;

/** mulberry32: a small seeded generator, good enough to pick gossip targets and drive simulations. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Up to `count` distinct items of `from` not in `exclude`, chosen uniformly. Rejection sampling,
 * since callers want a handful out of up to thousands; a full scan only when few are left to pick.
 */
export function sample<T>(from: readonly T[], count: number, random: Random, exclude: ReadonlySet<T> = new Set()): T[] {
  const chosen = new Set<T>();
  const eligible = from.length - exclude.size;
  if (eligible <= count * 2) {
    const rest = from.filter((item) => !exclude.has(item));
    for (let i = 0; i < Math.min(count, rest.length); i++) {
      const j = i + Math.floor(random() * (rest.length - i));
      const pick = rest[j] as T;
      rest[j] = rest[i] as T;
      rest[i] = pick;
    }
    return rest.slice(0, Math.min(count, rest.length));
  }
  while (chosen.size < count) {
    const pick = from[Math.floor(random() * from.length)] as T;
    if (!exclude.has(pick)) chosen.add(pick);
  }
  return [...chosen];
}
