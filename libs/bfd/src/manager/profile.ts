// MetalLB's BFDProfile fields, as @lb/config-schema's CompiledBfdProfile has them (a compiled
// profile is accepted as is), with MetalLB's and FRR's defaults for whatever is left out.

/** The BFDProfile fields a session uses; every field optional, milliseconds. */
export interface BfdProfile {
  /** Shortest interval between received control packets we handle (Required Min RX). Default 300. */
  readonly receiveInterval?: number;
  /** Shortest interval between control packets we send (Desired Min TX). Default 300. */
  readonly transmitInterval?: number;
  /** Packets the peer may miss before we declare the session down. Default 3. */
  readonly detectMultiplier?: number;
  /** Interval between our echo packets, and the fastest we loop the peer's back. Default 50. */
  readonly echoInterval?: number;
  /** Run the echo function (single-hop IPv4 only). Default false. */
  readonly echoMode?: boolean;
  /** Wait for the peer to send first (RFC 5880 passive role). Default false. */
  readonly passiveMode?: boolean;
  /** Lowest TTL accepted on multihop sessions; single hop always requires 255. Default 254. */
  readonly minimumTtl?: number;
}

export type ResolvedProfile = Required<BfdProfile>;

/** What MetalLB (and FRR) use for a field the profile leaves out. */
export const PROFILE_DEFAULTS: ResolvedProfile = {
  receiveInterval: 300,
  transmitInterval: 300,
  detectMultiplier: 3,
  echoInterval: 50,
  echoMode: false,
  passiveMode: false,
  minimumTtl: 254,
};

/** The profile with defaults filled in, or every problem (each naming its field under `path`). */
export function resolveProfile(profile: BfdProfile | undefined, path = 'profile'): { profile: ResolvedProfile; problems: string[] } {
  const resolved: { -readonly [K in keyof ResolvedProfile]: ResolvedProfile[K] } = { ...PROFILE_DEFAULTS };
  const problems: string[] = [];
  if (profile === undefined) return { profile: resolved, problems };
  if (typeof profile !== 'object' || profile === null) return { profile: resolved, problems: [`${path}: must be an object`] };
  const integer = (field: 'receiveInterval' | 'transmitInterval' | 'echoInterval' | 'detectMultiplier' | 'minimumTtl', min: number, max: number, unit: string): void => {
    const value = profile[field];
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) problems.push(`${path}.${field}: ${JSON.stringify(value)} must be an integer from ${min} to ${max}${unit}`);
    else resolved[field] = value;
  };
  const flag = (field: 'echoMode' | 'passiveMode'): void => {
    const value = profile[field];
    if (value === undefined) return;
    if (typeof value !== 'boolean') problems.push(`${path}.${field}: ${JSON.stringify(value)} must be true or false`);
    else resolved[field] = value;
  };
  // Intervals travel in 32-bit microsecond fields: at most 4294967 ms.
  integer('receiveInterval', 1, 4_294_967, ' ms');
  integer('transmitInterval', 1, 4_294_967, ' ms');
  integer('echoInterval', 1, 4_294_967, ' ms');
  integer('detectMultiplier', 1, 255, '');
  integer('minimumTtl', 1, 255, '');
  flag('echoMode');
  flag('passiveMode');
  return { profile: resolved, problems };
}
