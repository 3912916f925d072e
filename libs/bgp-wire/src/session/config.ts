import { parseIp } from '@lb/ip';
import { type RouteFamily, ROUTE_FAMILIES } from './route-family.js';

export type AddPathConfig = 'receive' | 'send' | 'both';

export interface GracefulRestartConfig {
  /** Seconds the peer keeps our routes after the connection drops (RFC 4724 Restart Time, ≤ 4095). */
  readonly restartTime: number;
  /**
   * Set the Restart State bit: this process has just restarted and is re-announcing. Only the
   * OPENs before the session is first established carry it; a later reconnection is not a restart.
   */
  readonly restarting?: boolean;
  /** Forwarding survives our restart (default true: kube-proxy keeps forwarding while we restart). */
  readonly forwardingState?: boolean;
  /** RFC 8538 N bit: NOTIFICATIONs other than Hard Reset also keep routes. Default false. */
  readonly notification?: boolean;
}

export interface SessionConfig {
  readonly localAs: number;
  readonly peerAs: number;
  /** Our BGP identifier, a dotted quad (usually the node's IPv4 address). */
  readonly routerId: string;
  /** Proposed hold time in seconds: 0 or ≥ 3. Default 90. */
  readonly holdTime?: number;
  /** Keepalive interval in seconds; default and maximum a third of the negotiated hold time. */
  readonly keepaliveTime?: number;
  /** Initial connect retry in seconds; doubles per failure up to `maxConnectRetryTime`. Default 5. */
  readonly connectRetryTime?: number;
  /** Ceiling of the connect retry backoff in seconds. Default 120. */
  readonly maxConnectRetryTime?: number;
  /** active: we connect; passive: we only accept; both (default): either, with collision detection. */
  readonly mode?: 'active' | 'passive' | 'both';
  /** Families to offer. Default both unicast families. */
  readonly families?: readonly RouteFamily[];
  readonly gracefulRestart?: GracefulRestartConfig;
  readonly addPath?: AddPathConfig;
  /** Offer RFC 8654 messages up to 65535 bytes. Default true. */
  readonly extendedMessage?: boolean;
  /** Offer RFC 8950 IPv6 next hops for IPv4 routes. Default true. */
  readonly extendedNextHop?: boolean;
  /** FQDN capability (host name shown by `show bgp neighbors`). */
  readonly hostname?: string;
  readonly domain?: string;
  /** LOCAL_PREF for iBGP routes that do not set one. Default 100. */
  readonly defaultLocalPref?: number;
  /** Randomness for retry jitter, in [0, 1). Default Math.random; tests pass their own. */
  readonly random?: () => number;
}

export interface ResolvedSessionConfig {
  readonly localAs: number;
  readonly peerAs: number;
  readonly routerId: string;
  readonly holdTime: number;
  readonly keepaliveTime: number | undefined;
  readonly connectRetryTime: number;
  readonly maxConnectRetryTime: number;
  readonly mode: 'active' | 'passive' | 'both';
  readonly families: readonly RouteFamily[];
  readonly gracefulRestart: GracefulRestartConfig | undefined;
  readonly addPath: AddPathConfig | undefined;
  readonly extendedMessage: boolean;
  readonly extendedNextHop: boolean;
  readonly hostname: string | undefined;
  readonly domain: string | undefined;
  readonly defaultLocalPref: number;
  readonly random: () => number;
  readonly internal: boolean;
}

const isAsn = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 0xffffffff;
const isU32 = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffffffff;

/** Every problem with a config, each naming the field; empty when it is usable. */
export function sessionConfigIssues(config: SessionConfig): string[] {
  const problems: string[] = [];
  if (!isAsn(config.localAs)) problems.push(`localAs: ${String(config.localAs)} is not an AS number (1..4294967295)`);
  if (!isAsn(config.peerAs)) problems.push(`peerAs: ${String(config.peerAs)} is not an AS number (1..4294967295)`);
  const id = typeof config.routerId === 'string' ? parseIp(config.routerId) : undefined;
  if (!id || id.length !== 4 || id.every((b) => b === 0)) problems.push(`routerId: ${JSON.stringify(config.routerId)} is not a non-zero IPv4 dotted quad`);
  const hold = config.holdTime;
  if (hold !== undefined && (!Number.isInteger(hold) || hold < 0 || hold > 0xffff || hold === 1 || hold === 2)) {
    problems.push(`holdTime: ${hold} must be 0 or an integer from 3 to 65535 seconds`);
  }
  const keepalive = config.keepaliveTime;
  if (keepalive !== undefined && (!Number.isFinite(keepalive) || keepalive <= 0)) problems.push(`keepaliveTime: ${keepalive} must be a positive number of seconds`);
  for (const key of ['connectRetryTime', 'maxConnectRetryTime'] as const) {
    const value = config[key];
    if (value !== undefined && (!Number.isFinite(value) || value <= 0)) problems.push(`${key}: ${value} must be a positive number of seconds`);
  }
  if (config.mode !== undefined && !['active', 'passive', 'both'].includes(config.mode)) problems.push(`mode: ${JSON.stringify(config.mode)} is not active, passive or both`);
  for (const family of config.families ?? []) {
    if (!ROUTE_FAMILIES.includes(family)) problems.push(`families: ${JSON.stringify(family)} is not ipv4-unicast or ipv6-unicast`);
  }
  const gr = config.gracefulRestart;
  if (gr !== undefined && (!Number.isInteger(gr.restartTime) || gr.restartTime < 0 || gr.restartTime > 4095)) {
    problems.push(`gracefulRestart.restartTime: ${gr.restartTime} must be an integer from 0 to 4095 seconds`);
  }
  if (config.addPath !== undefined && !['receive', 'send', 'both'].includes(config.addPath)) problems.push(`addPath: ${JSON.stringify(config.addPath)} is not receive, send or both`);
  for (const key of ['hostname', 'domain'] as const) {
    const value = config[key];
    if (value !== undefined && (value.length > 255 || !/^[\x20-\x7e]*$/.test(value))) problems.push(`${key}: must be printable ASCII of at most 255 characters`);
  }
  if (config.defaultLocalPref !== undefined && !isU32(config.defaultLocalPref)) problems.push(`defaultLocalPref: ${config.defaultLocalPref} is not a 32-bit unsigned integer`);
  return problems;
}

/**
 * A config with problems, listing every one (`issues`, each naming the field). Returned by
 * `validateSessionConfig`; thrown by the Session constructor, which cannot return it.
 */
export class SessionConfigError extends Error {
  readonly kind = 'invalid-session-config';
  readonly issues: readonly string[];
  constructor(issues: readonly string[], what = 'BGP session config') {
    super(`invalid ${what}:\n  - ${issues.join('\n  - ')}`);
    this.name = 'SessionConfigError';
    this.issues = issues;
  }
}

export type SessionConfigResult = { readonly ok: true; readonly value: SessionConfig } | { readonly ok: false; readonly error: SessionConfigError };

/** Checks a config as the Session constructor does, without throwing. */
export function validateSessionConfig(config: SessionConfig): SessionConfigResult {
  const issues = sessionConfigIssues(config);
  return issues.length > 0 ? { ok: false, error: new SessionConfigError(issues) } : { ok: true, value: config };
}

export function resolveConfig(config: SessionConfig): ResolvedSessionConfig {
  const problems = sessionConfigIssues(config);
  if (problems.length > 0) throw new SessionConfigError(problems);
  return {
    localAs: config.localAs,
    peerAs: config.peerAs,
    routerId: config.routerId,
    holdTime: config.holdTime ?? 90,
    keepaliveTime: config.keepaliveTime,
    connectRetryTime: config.connectRetryTime ?? 5,
    maxConnectRetryTime: config.maxConnectRetryTime ?? 120,
    mode: config.mode ?? 'both',
    families: config.families ?? ROUTE_FAMILIES,
    gracefulRestart: config.gracefulRestart,
    addPath: config.addPath,
    extendedMessage: config.extendedMessage ?? true,
    extendedNextHop: config.extendedNextHop ?? true,
    hostname: config.hostname,
    domain: config.domain,
    defaultLocalPref: config.defaultLocalPref ?? 100,
    random: config.random ?? Math.random,
    internal: config.localAs === config.peerAs,
  };
}
