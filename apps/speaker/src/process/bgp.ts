// BGP in the process: after every change the API view reports, the desired state (desiredBgp(), pure)
// goes to the BgpMode adapter, which keeps one session per peer and its routes. The only thing
// fetched here is what a BGPPeer's passwordSecret names (cached; a change of the peer refetches).
import { type SecretObject } from '@lb/config-schema';
import { type EventRecorder, type KubeClient, type KubeObject, Secrets } from '@lb/k8s-watch';
import { type Registry } from 'prom-client';
import { BgpMode, type BgpModeEvent, type BgpSessionStatus } from '../bgp/bgp-mode.js';
import { desiredBgp, type BgpDesiredState } from '../bgp/desired.js';
import { bgpAnnouncementEvents, desiredBgpStatuses, serviceBgpStatusObject, type DesiredBgpStatus } from '../bgp/status.js';
import { ServiceBgpStatuses } from './api.js';
import { SessionStateWriter } from './session-states.js';
import { StatusWriter, type StatusKind } from './status-writer.js';
import { type NodeAddresses } from '../bgp/peer-options.js';
import { nextUpdateDelay } from '../bgp/pacing.js';
import { type ApiSnapshot } from './compose.js';
import { type Logger } from './log.js';

export interface BgpProcessOptions {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly registry: Registry;
  readonly node: string;
  readonly lbClass?: string | undefined;
  readonly ignoreExcludeLB?: boolean;
  /** Where ServiceBGPStatus objects go (the speaker's namespace), and the Events' recorder. */
  readonly namespace: string;
  readonly events: EventRecorder;
  readonly service: (key: string) => KubeObject | undefined;
}

const BGP_STATUS_KIND: StatusKind<DesiredBgpStatus> = { type: ServiceBgpStatuses, object: serviceBgpStatusObject };

export class BgpProcess {
  /** Made by start(), once this node's addresses are known; updates before it are kept for it. */
  private mode: BgpMode | undefined;
  private readonly secrets = new Map<string, SecretObject | 'missing'>();
  private last: ApiSnapshot | undefined;
  private previous: BgpDesiredState | undefined;
  private readonly statuses: StatusWriter<DesiredBgpStatus>;
  private readonly sessionStates: SessionStateWriter;
  /** When the last recomputation ended and what it cost (pacing.ts). */
  private lastRun: { endedAt: number; costMs: number } | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: BgpProcessOptions) {
    const { client, events, log, namespace, node, service } = options;
    this.statuses = new StatusWriter<DesiredBgpStatus>({ client, events, log, namespace, node, service, kind: BGP_STATUS_KIND });
    this.sessionStates = new SessionStateWriter({ client, log, namespace, node, sessions: () => this.sessions() });
  }

  start(nodeAddresses: NodeAddresses): void {
    const { node, registry, log } = this.options;
    this.mode = new BgpMode({ nodeName: node, nodeAddresses, registry, restarting: true, onEvent: (event) => logEvent(log, event) });
    if (this.last) this.update(this.last);
    this.sessionStates.start();
  }

  /** Takes the API's latest state; recomputed at once, or with the rest of a burst (pacing.ts). */
  update(snapshot: ApiSnapshot): void {
    this.last = snapshot;
    if (!this.mode || !snapshot.config || this.timer) return;
    const delay = nextUpdateDelay(performance.now(), this.lastRun);
    if (delay <= 0) {
      this.recompute();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.recompute();
    }, delay);
  }

  private recompute(): void {
    const snapshot = this.last;
    if (!this.mode || !snapshot?.config) return;
    const started = performance.now();
    this.fetchSecrets(snapshot);
    const desired = desiredBgp({
      config: snapshot.config,
      services: snapshot.services,
      endpointSlices: snapshot.endpointSlices,
      nodes: snapshot.nodes,
      nodeName: this.options.node,
      secrets: [...this.secrets.values()].filter((s): s is SecretObject => s !== 'missing'),
      ...(this.options.lbClass !== undefined ? { lbClass: this.options.lbClass } : {}),
      ...(this.options.ignoreExcludeLB ? { ignoreExcludeLB: true } : {}),
      ...(this.previous ? { previous: this.previous } : {}),
    });
    this.mode.update(desired);
    this.statuses.set(desiredBgpStatuses(desired), bgpAnnouncementEvents(this.previous, desired));
    this.previous = desired;
    const endedAt = performance.now();
    this.lastRun = { endedAt, costMs: endedAt - started };
  }

  sessions(): BgpSessionStatus[] {
    return this.mode?.sessions() ?? [];
  }

  async stop(drainSeconds: number): Promise<void> {
    clearTimeout(this.timer);
    this.statuses.set(new Map(), []);
    await Promise.race([this.statuses.flush(), new Promise((resolve) => setTimeout(resolve, 2000))]);
    this.statuses.stop();
    await this.sessionStates.stop();
    await this.mode?.stop({ drainSeconds });
  }

  /** Starts fetching every passwordSecret not fetched yet; a fetched one recomputes the state. */
  private fetchSecrets(snapshot: ApiSnapshot): void {
    for (const peer of snapshot.config?.peers ?? []) {
      const ref = peer.passwordSecret;
      if (!ref?.name) continue;
      const namespace = ref.namespace;
      const key = `${namespace}/${ref.name}`;
      if (this.secrets.has(key)) continue;
      this.secrets.set(key, 'missing');
      this.options.client.get(Secrets, namespace, ref.name).then(
        (secret) => {
          this.secrets.set(key, secret as SecretObject);
          if (this.last) this.update(this.last);
        },
        (error: unknown) => {
          this.options.log.warn('cannot read a BGPPeer password Secret; the peer waits for it', { secret: key, error: (error as Error).message });
          // Forget it, so that the next change tries again.
          setTimeout(() => this.secrets.delete(key), 5000).unref();
        },
      );
    }
  }
}

function logEvent(log: Logger, event: BgpModeEvent): void {
  if (event.type === 'bgp') {
    const e = event.event as { type?: string };
    log.info(`bgp: ${e.type ?? 'event'}`, { peer: event.peer });
  } else if (event.type === 'bfd') {
    log.info(`bfd: ${event.state}`, { peer: event.peer, ...(event.reason ? { reason: event.reason } : {}) });
  } else {
    log.warn(`bgp: ${event.message}`, { peer: event.peer });
  }
}
