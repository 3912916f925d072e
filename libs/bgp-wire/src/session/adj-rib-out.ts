import { type CompiledRoute, type RouteAttributes } from './routes.js';
import { type RouteFamily } from './route-family.js';

/** The differences between what the caller wants announced and what the peer was told. */
export interface RibChanges {
  /** Routes to announce, grouped by shared attributes (one group packs into the same UPDATEs). */
  readonly announce: Map<string, { attributes: RouteAttributes; routes: CompiledRoute[] }>;
  /** NLRI (wire form) of routes the peer has and should no longer. */
  readonly withdraw: Uint8Array[];
}

/**
 * Per-family Adj-RIB-Out: the desired route set, and what the peer has been sent. Taking the
 * changes records them as sent, so each call yields only what changed since the last one.
 */
export class AdjRibOut {
  private readonly desired = new Map<RouteFamily, Map<string, CompiledRoute>>();
  /** Prefix -> the route the peer holds (its attributes' key and NLRI), per family. */
  private readonly advertised = new Map<RouteFamily, Map<string, CompiledRoute>>();

  setRoutes(family: RouteFamily, routes: Map<string, CompiledRoute>): void {
    this.desired.set(family, routes);
  }

  /** The peer holds nothing of this family (new session, or a refresh resends everything). */
  forget(family?: RouteFamily): void {
    if (family) this.advertised.delete(family);
    else this.advertised.clear();
  }

  /**
   * Changes since the last call, recorded as sent. `sendable` filters routes the session cannot
   * carry; those are neither sent nor recorded, and are returned for reporting.
   */
  takeChanges(family: RouteFamily, sendable: (route: CompiledRoute) => boolean = () => true): RibChanges & { unsendable: CompiledRoute[] } {
    const want = this.desired.get(family) ?? new Map<string, CompiledRoute>();
    const have = this.advertised.get(family) ?? new Map<string, CompiledRoute>();
    const announce = new Map<string, { attributes: RouteAttributes; routes: CompiledRoute[] }>();
    const unsendable: CompiledRoute[] = [];
    const withdraw: Uint8Array[] = [];
    for (const [prefix, route] of want) {
      if (!sendable(route)) {
        unsendable.push(route);
        continue;
      }
      const key = route.attributes.key;
      if (have.get(prefix)?.attributes.key === key) continue;
      let group = announce.get(key);
      if (!group) {
        group = { attributes: route.attributes, routes: [] };
        announce.set(key, group);
      }
      group.routes.push(route);
    }
    // Everything sendable (the usual case): the desired set itself is what the peer now holds.
    // Compiled sets and routes are never changed, so sharing them is safe, and 10,000 entries are
    // not copied on every change.
    const next = unsendable.length === 0 ? want : without(want, new Set(unsendable));
    for (const [prefix, held] of have) if (!next.has(prefix)) withdraw.push(held.nlri);
    this.advertised.set(family, next);
    return { announce, withdraw, unsendable };
  }

  /** Prefixes the peer currently holds from us. */
  announcedCount(family?: RouteFamily): number {
    if (family) return this.advertised.get(family)?.size ?? 0;
    let total = 0;
    for (const m of this.advertised.values()) total += m.size;
    return total;
  }

  desiredCount(family?: RouteFamily): number {
    if (family) return this.desired.get(family)?.size ?? 0;
    let total = 0;
    for (const m of this.desired.values()) total += m.size;
    return total;
  }
}

function without(routes: ReadonlyMap<string, CompiledRoute>, left: ReadonlySet<CompiledRoute>): Map<string, CompiledRoute> {
  const out = new Map<string, CompiledRoute>();
  for (const [prefix, route] of routes) if (!left.has(route)) out.set(prefix, route);
  return out;
}
