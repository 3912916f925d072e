// The speaker's Prometheus metrics: MetalLB's names for what MetalLB has (dashboards and alerts keep
// working), lb_speaker_* for the membership. Counters that live in the cores (@lb/arp's
// Layer2Counters, the membership's) are read at scrape time rather than mirrored on every packet.
import { type CountersSnapshot, type IpCounters } from '@lb/arp';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { type Announcement, type L2Decision } from './election/elect.js';
import { type MembershipChange, type MembershipCounters, type MembershipView } from './membership/types.js';

export interface MetricSources {
  /** @lb/arp's Responder.counters.snapshot(). */
  readonly layer2?: () => CountersSnapshot;
  readonly membership?: () => { readonly view: MembershipView; readonly counters: MembershipCounters; readonly healthScore: number };
}

const DETECTION_BUCKETS = [0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 2, 5];

/** Layer 2 counters, per address, as MetalLB counts them. */
const LAYER2_COUNTERS: ReadonlyArray<{ readonly name: string; readonly help: string; readonly pick: (c: IpCounters) => number }> = [
  { name: 'metallb_layer2_requests_received', help: 'Number of layer2 requests received for owned IPs', pick: (c) => c.requestsReceived },
  { name: 'metallb_layer2_responses_sent', help: 'Number of layer2 responses sent for owned IPs in response to requests', pick: (c) => c.responsesSent },
  { name: 'metallb_layer2_gratuitous_sent', help: 'Number of gratuitous layer2 packets sent for owned IPs as a result of failovers', pick: (c) => c.gratuitousSent },
];
const ANNOUNCED_HELP = 'Services being announced from this node. This is desired state, it does not guarantee that the routing protocols have converged.';
/** Series per chunk of exposition text: ~50 KB, about what a socket takes at once. */
const SERIES_PER_CHUNK = 500;

/** A label value in the exposition format: backslash, double quote and newline escaped. */
function labelValue(text: string): string {
  return /[\\"\n]/.test(text) ? text.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`)) : text;
}

/** One metric family as exposition text, in chunks of SERIES_PER_CHUNK series. */
function* family<T>(name: string, help: string, type: 'counter' | 'gauge', items: readonly T[], series: (item: T) => string): Generator<string> {
  yield `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
  for (let from = 0; from < items.length; from += SERIES_PER_CHUNK) {
    let chunk = '';
    for (const item of items.slice(from, from + SERIES_PER_CHUNK)) chunk += `${name}${series(item)}\n`;
    yield chunk;
  }
}

export class SpeakerMetrics {
  private readonly failovers: Counter<'kind'>;
  private readonly detection: Histogram;
  private readonly fences: Counter<'reason'>;
  private announcements: readonly Announcement[] = [];

  constructor(
    registry: Registry,
    private readonly node: string,
    private readonly sources: MetricSources = {},
  ) {
    const registers = [registry];
    const membership = sources.membership;
    const gauge = (name: string, help: string, read: (m: NonNullable<ReturnType<NonNullable<MetricSources['membership']>>>) => number) =>
      new Gauge({
        name: `lb_speaker_${name}`,
        help,
        registers,
        collect() {
          if (membership) this.set(read(membership()));
        },
      });
    gauge('members_alive', 'Speakers this one sees alive, itself included.', (m) => m.view.alive.size);
    gauge('members_eligible', 'Speakers alive and past their hold-down: those that may own addresses.', (m) => m.view.eligible.size);
    gauge('membership_withdrawn', '1 while this speaker announces nothing: joining, or cut off from every other speaker.', (m) => (m.view.withdrawn ? 1 : 0));
    gauge('membership_health_score', 'Local health (Lifeguard): 0 is healthy; higher stretches suspicion timeouts.', (m) => m.healthScore);
    const counter = (name: string, help: string, labelNames: string[], fill: (c: Counter<string>, m: NonNullable<ReturnType<NonNullable<MetricSources['membership']>>>) => void) =>
      new Counter({
        name: `lb_speaker_membership_${name}`,
        help,
        labelNames,
        registers,
        collect() {
          if (!membership) return;
          this.reset();
          fill(this, membership());
        },
      });
    counter('datagrams_total', 'Membership datagrams, by direction.', ['direction'], (c, m) => {
      c.inc({ direction: 'sent' }, m.counters.sent);
      c.inc({ direction: 'received' }, m.counters.received);
    });
    counter('bytes_total', 'Membership bytes (UDP payload), by direction.', ['direction'], (c, m) => {
      c.inc({ direction: 'sent' }, m.counters.sentBytes);
      c.inc({ direction: 'received' }, m.counters.receivedBytes);
    });
    counter('dropped_total', 'Membership datagrams dropped, by reason (bad-tag: forged or wrong key; replayed; stale-timestamp; malformed reasons).', ['reason'], (c, m) => {
      for (const [reason, count] of Object.entries(m.counters.dropped)) c.inc({ reason }, count ?? 0);
    });
    counter('probes_total', 'Suspicions that started a probe.', [], (c, m) => c.inc(m.counters.probes));
    counter('suspicions_lifted_total', 'Probes ended by evidence of life (no death declared).', [], (c, m) => c.inc(m.counters.suspicionsLifted));
    counter('stalls_total', 'Times this process ran late enough to be a stall (GC, CPU starvation).', [], (c, m) => c.inc(m.counters.stalls));
    counter('self_checks_total', 'Stalls long enough to ask the monitors whether they declared this speaker dead, by outcome (passed: no fence).', ['outcome'], (c, m) => {
      c.inc({ outcome: 'passed' }, m.counters.selfChecksPassed);
      c.inc({ outcome: 'fenced' }, m.counters.selfChecks - m.counters.selfChecksPassed);
    });

    this.failovers = new Counter({ name: 'lb_speaker_failovers_total', help: 'Speakers lost (declared dead, or left), as seen by this one: each moves addresses.', labelNames: ['kind'], registers });
    this.detection = new Histogram({
      name: 'lb_speaker_detection_seconds',
      help: 'For deaths declared by this speaker: silence from the dead speaker until the declaration.',
      buckets: DETECTION_BUCKETS,
      registers,
    });
    this.fences = new Counter({ name: 'lb_speaker_membership_fences_total', help: 'Times this speaker took a new incarnation and held itself down, by reason.', labelNames: ['reason'], registers });
  }

  /** Feeds the membership's changes (failovers, detection times, fences). */
  recordChanges(changes: readonly MembershipChange[]): void {
    for (const change of changes) {
      if (change.kind === 'dead') {
        this.failovers.inc({ kind: 'dead' });
        if (change.declaredHere && change.silentForMs !== undefined) this.detection.observe(change.silentForMs / 1000);
      } else if (change.kind === 'left') {
        this.failovers.inc({ kind: 'left' });
      } else if (change.kind === 'fenced') {
        this.fences.inc({ reason: change.reason });
      }
    }
  }

  /** metallb_speaker_announced follows the election's decision: one series per announced address. */
  setAnnounced(decision: L2Decision): void {
    this.announcements = decision.announcements;
  }

  /**
   * The families with a series per address (metallb_speaker_announced and the layer 2 counters),
   * as exposition text in chunks, for startMonitoring's `families`: built at scrape time from the
   * decision and the counters' snapshot, never kept as an object per series, as a registry would
   * (four families of 10,000 addresses are 40,000 series).
   */
  *perAddressFamilies(): Generator<string> {
    const node = labelValue(this.node);
    yield* family('metallb_speaker_announced', ANNOUNCED_HELP, 'gauge', this.announcements, (a) => `{service="${labelValue(a.service)}",protocol="layer2",node="${node}",ip="${a.ip}"} 1`);
    const counters = this.sources.layer2?.().ips ?? {};
    const ips = Object.keys(counters);
    for (const { name, help, pick } of LAYER2_COUNTERS) yield* family(name, help, 'counter', ips, (ip) => `{ip="${ip}"} ${pick(counters[ip] as IpCounters)}`);
  }
}
