// The protocol's knobs and why each default is what it is. The budget they serve: a dead node's
// addresses answer from another node within 500 ms (median) and 1 s (max) of the death, on a
// 2-core machine where a Node process can stall for tens of milliseconds; and at most 50 datagrams
// a second through each node, sent and received, at 1,000 nodes.

export interface Timing {
  /** Each member sends a heartbeat to each of its monitors this often. */
  readonly heartbeatIntervalMs: number;
  /** How many ring successors monitor each member (fewer when the cluster is smaller). */
  readonly monitors: number;
  /** Silence from a monitored member before the monitor starts probing it. */
  readonly suspectAfterMs: number;
  /** How long a probe waits for the suspect's ack or a helper's evidence before declaring it dead. */
  readonly probeTimeoutMs: number;
  /** A helper without fresh news pings the suspect and answers "no contact" after this long. */
  readonly helperTimeoutMs: number;
  /** A helper that heard the suspect this recently vouches for it without pinging. */
  readonly freshWithinMs: number;
  /** After only a helper vouched for a suspect (our own path to it seems cut), wait this long before probing it again. */
  readonly reprobeAfterIndirectMs: number;
  /** Helpers asked per probe (SWIM's indirect probes): the suspect's other monitors first. */
  readonly indirectProbes: number;
  /** Members each holder of new news forwards it to, once (infect-and-die gossip). */
  readonly fanout: number;
  /** Heartbeats each new update rides on afterwards, for whoever missed the fan-out. */
  readonly piggybackRounds: number;
  /** A member that comes back (or starts) owns no address for this long, unless nobody else can. */
  readonly holdDownMs: number;
  /** A timer firing this much after its deadline means this process was stalled. */
  readonly latenessThresholdMs: number;
  /**
   * A stall at least this long means the others may have declared this member dead (equal to the
   * detection time, suspectAfter + probeTimeout). It then asks its monitors (the only members that
   * can declare it) what they believe: it fences itself (new incarnation, hold-down) only if one
   * declared it dead, or fewer than half of them vouched for it within selfCheckTimeoutMs. A busy
   * machine's stalls thus cost no failover unless the others actually acted on them.
   */
  readonly selfFenceAfterMs: number;
  /** How long the monitors' answers to a self-check are awaited (asked again at half-time). */
  readonly selfCheckTimeoutMs: number;
  /** Hearing no member for this long, in a cluster of 3 or more, means isolation: announce nothing. */
  readonly isolationAfterMs: number;
  /** A starting member re-sends its join this often until some member answers. */
  readonly joinRetryMs: number;
  /** A member that heard nobody after this long since it started goes on alone (first node up). */
  readonly joinGraceMs: number;
  /** Digests that still differ after this long trigger a state transfer. */
  readonly digestGraceMs: number;
  /** At most one state transfer asked of the same member within this long. */
  readonly syncCooldownMs: number;
  /** Timestamps further than this from our wall clock are refused (replay time window). */
  readonly maxClockSkewMs: number;
  /** Largest datagram built (UDP payload), below a 1,500-byte MTU. */
  readonly maxDatagramBytes: number;
  /** Lifeguard: timeouts stretch by (1 + score / healthScale) while this member is unhealthy. */
  readonly healthMaxScore: number;
  readonly healthScale: number;
  /** One point of local health score is forgiven per this long without a stall. */
  readonly healthRecoveryMs: number;
}

export const DEFAULT_TIMING: Timing = Object.freeze({
  // 10 heartbeats/s to 3 monitors: 30 datagrams/s out and 30 in per member at any cluster size,
  // leaving 20/s of the 50 budget for probes and news.
  heartbeatIntervalMs: 100,
  monitors: 3,
  // Two heartbeats missed. The death happens at a random point of an interval, so detection takes
  // suspectAfter + probeTimeout - U(0, interval) = 200..300 ms.
  suspectAfterMs: 200,
  probeTimeoutMs: 100,
  helperTimeoutMs: 60,
  freshWithinMs: 150,
  indirectProbes: 3,
  reprobeAfterIndirectMs: 1_000,
  // e^-6: one member in 400 misses the fan-out and learns from a heartbeat 100 ms later.
  fanout: 6,
  piggybackRounds: 3,
  holdDownMs: 5_000,
  latenessThresholdMs: 50,
  selfFenceAfterMs: 300,
  // A few round trips of a busy 2-core machine: past this, an unanswered monitor counts as an accuser.
  selfCheckTimeoutMs: 250,
  isolationAfterMs: 300,
  joinRetryMs: 1_000,
  joinGraceMs: 2_000,
  digestGraceMs: 500,
  syncCooldownMs: 1_000,
  maxClockSkewMs: 10_000,
  maxDatagramBytes: 1_400,
  healthMaxScore: 4,
  healthScale: 4,
  healthRecoveryMs: 1_000,
});

/** Every problem with a timing override at once, for a flag parser to report. */
export function timingProblems(timing: Timing): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(timing)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) problems.push(`${key} must be a number ≥ 0, got ${String(value)}`);
  }
  if (timing.heartbeatIntervalMs <= 0) problems.push('heartbeatIntervalMs must be > 0');
  if (timing.monitors < 1 || !Number.isInteger(timing.monitors)) problems.push('monitors must be a whole number ≥ 1');
  if (timing.suspectAfterMs <= timing.heartbeatIntervalMs) problems.push('suspectAfterMs must exceed heartbeatIntervalMs, or every jitter is a suspicion');
  if (timing.helperTimeoutMs >= timing.probeTimeoutMs) problems.push('helperTimeoutMs must be below probeTimeoutMs, or helpers answer too late to count');
  if (timing.maxDatagramBytes < 600) problems.push('maxDatagramBytes must be at least 600');
  return problems;
}
