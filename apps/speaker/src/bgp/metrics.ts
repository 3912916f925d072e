// MetalLB's BGP and BFD metric names, read from the sessions at scrape time. The label is the
// peer's address, as MetalLB's FRR mode labels them.
import { Counter, Gauge, type Registry } from 'prom-client';

/** What one peer's series are read from. */
export interface PeerMetricSample {
  readonly address: string;
  readonly up: boolean;
  /** Lifetime counts across reconnects and resets of this peer's session. */
  readonly updatesSent: number;
  readonly updatesReceived: number;
  readonly opensSent: number;
  readonly opensReceived: number;
  readonly notificationsSent: number;
  readonly keepalivesSent: number;
  readonly keepalivesReceived: number;
  readonly announcedPrefixes: number;
  readonly pendingPrefixes: number;
  /** Undefined when the peer has no BFD profile. */
  readonly bfdUp: boolean | undefined;
  readonly bfdUpEvents: number;
  readonly bfdDownEvents: number;
}

export function registerBgpMetrics(registry: Registry, samples: () => readonly PeerMetricSample[]): void {
  const registers = [registry];
  const gauge = (name: string, help: string, read: (s: PeerMetricSample) => number | undefined): void => {
    new Gauge({
      name,
      help,
      labelNames: ['peer'],
      registers,
      collect() {
        this.reset();
        for (const s of samples()) {
          const value = read(s);
          if (value !== undefined) this.set({ peer: s.address }, value);
        }
      },
    });
  };
  const counter = (name: string, help: string, read: (s: PeerMetricSample) => number): void => {
    new Counter({
      name,
      help,
      labelNames: ['peer'],
      registers,
      collect() {
        this.reset();
        for (const s of samples()) this.inc({ peer: s.address }, read(s));
      },
    });
  };
  gauge('metallb_bgp_session_up', 'BGP session state (1 is up, 0 is down)', (s) => (s.up ? 1 : 0));
  gauge('metallb_bgp_announced_prefixes_total', 'Number of prefixes currently being advertised on the BGP session', (s) => s.announcedPrefixes);
  gauge('metallb_bgp_pending_prefixes_total', 'Number of prefixes that should be advertised on the BGP session', (s) => s.pendingPrefixes);
  counter('metallb_bgp_updates_total', 'Number of BGP UPDATE messages sent', (s) => s.updatesSent);
  counter('metallb_bgp_updates_total_received', 'Number of BGP UPDATE messages received', (s) => s.updatesReceived);
  counter('metallb_bgp_opens_sent', 'Number of BGP open messages sent', (s) => s.opensSent);
  counter('metallb_bgp_opens_received', 'Number of BGP open messages received', (s) => s.opensReceived);
  counter('metallb_bgp_notifications_sent', 'Number of BGP notification messages sent', (s) => s.notificationsSent);
  counter('metallb_bgp_keepalives_sent', 'Number of BGP keepalive messages sent', (s) => s.keepalivesSent);
  counter('metallb_bgp_keepalives_received', 'Number of BGP keepalive messages received', (s) => s.keepalivesReceived);
  gauge('metallb_bfd_session_up', 'BFD session state (1 is up, 0 is down)', (s) => (s.bfdUp === undefined ? undefined : s.bfdUp ? 1 : 0));
  counter('metallb_bfd_session_up_events', 'Number of BFD session up events', (s) => s.bfdUpEvents);
  counter('metallb_bfd_session_down_events', 'Number of BFD session down events', (s) => s.bfdDownEvents);
}
