import { type SpawnedProcess } from '../lab.js';

export type BgpFamily = 'ipv4-unicast' | 'ipv6-unicast';

export interface BgpNeighborConfig {
  readonly address: string;
  readonly asn: number;
  /** Wait for the neighbor to connect instead of connecting too. */
  readonly passive?: boolean;
  /** RFC 2385 TCP MD5 password. */
  readonly password?: string;
  /** eBGP multihop with this TTL. */
  readonly multihopTtl?: number;
  /** Default both unicast families. */
  readonly families?: readonly BgpFamily[];
  /** Act as graceful restart helper: keep the neighbor's routes (stale) while it restarts. */
  readonly gracefulRestart?: boolean;
  /** Seconds; keepalive is a third. */
  readonly holdTime?: number;
  /** Seconds between connection attempts. */
  readonly connectRetry?: number;
  /** RFC 5082 GTSM: accept only packets with TTL 255 (the neighbor must send TTL 255). FRR and BIRD. */
  readonly ttlSecurity?: boolean;
  /** The neighbor's port when it is not 179. */
  readonly port?: number;
}

export interface BgpDaemonConfig {
  readonly asn: number;
  readonly routerId: string;
  /** Addresses to listen on; default all. */
  readonly listenAddresses?: readonly string[];
  /** Listening port; default 179. */
  readonly port?: number;
  readonly neighbors: readonly BgpNeighborConfig[];
}

/** One route as the daemon holds it, in the same shape for every daemon. */
export interface RibRoute {
  readonly prefix: string;
  readonly nextHops: readonly string[];
  readonly asPath: readonly number[];
  readonly med?: number;
  readonly localPref?: number;
  /** "asn:value", numeric also for well-known ones ("65535:65281" for NO_EXPORT). */
  readonly communities: readonly string[];
  /** "global:local1:local2". */
  readonly largeCommunities: readonly string[];
  /** Kept from a neighbor that is restarting (graceful restart helper). */
  readonly stale: boolean;
}

export type NeighborState = 'idle' | 'connect' | 'active' | 'opensent' | 'openconfirm' | 'established';

/** A routing daemon started as a plain process inside a Lab namespace. */
export interface BgpDaemon {
  readonly kind: 'gobgpd' | 'frr' | 'bird';
  readonly ns: string;
  readonly process: SpawnedProcess;
  neighborState(address: string): NeighborState;
  /** Every route of a family with its attributes (one CLI call per route for FRR: keep tables small). */
  routes(family: BgpFamily): RibRoute[];
  /** Number of prefixes accepted from one neighbor, cheap enough to poll with large tables. */
  acceptedCount(neighbor: string, family: BgpFamily): number;
  /** Runs one command of the daemon's own CLI (gobgp, vtysh, birdc) and returns its output. */
  control(command: readonly string[]): string;
  /** Text of the daemon's own log so far. */
  output(): string;
  /** SIGSTOP / SIGCONT: the daemon stops answering without closing its connections. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}
