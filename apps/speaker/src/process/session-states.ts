// Keeps one frr-k8s BGPSessionState per node and peer (status.ts builds them) equal to what BgpMode
// reports: compared every second in memory, written only when something changed. Objects are named
// `<node>-<peer>` (the BGPPeer's name), so that a restarted speaker finds and updates its own.
// Failures (API outage) are retried at the next tick; BGP never waits for them.
import { isAlreadyExists, isNotFound, resourceType, type KubeClient, type KubeObject } from '@lb/k8s-watch';
import { type BgpSessionStatus } from '../bgp/bgp-mode.js';
import { bgpSessionStateObject, SESSION_STATE_LABELS } from '../bgp/status.js';
import { type Logger } from './log.js';

export const BgpSessionStates = resourceType<KubeObject & { status?: unknown }>({
  group: 'frrk8s.metallb.io',
  version: 'v1beta1',
  plural: 'bgpsessionstates',
  kind: 'BGPSessionState',
  namespaced: true,
});

const TICK_MS = 1000;

export interface SessionStateWriterOptions {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly namespace: string;
  readonly node: string;
  readonly sessions: () => readonly BgpSessionStatus[];
}

/** The object name of a node's session with a peer. */
export function sessionStateName(node: string, peer: string): string {
  return `${node}-${peer}`.toLowerCase().slice(0, 253);
}

export class SessionStateWriter {
  /** name → status JSON as last written; undefined until the first pass listed what exists. */
  private written: Map<string, string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: SessionStateWriterOptions) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    this.tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.pass()
      .catch((error: unknown) => {
        this.written = undefined;
        this.options.log.warn('writing BGPSessionState failed, retrying', { error: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => {
        this.running = undefined;
      });
  }

  private async pass(): Promise<void> {
    const { client, namespace, node } = this.options;
    const desired = new Map<string, ReturnType<typeof bgpSessionStateObject>>();
    for (const session of this.options.sessions()) {
      if (session.address === '') continue;
      const object = bgpSessionStateObject(node, session, namespace);
      desired.set(sessionStateName(node, session.peer), object);
    }
    if (!this.written) {
      if (desired.size === 0) return;
      const listed = await client.list(BgpSessionStates, { namespace, labelSelector: `${SESSION_STATE_LABELS.node}=${node}` });
      this.written = new Map(listed.items.map((o) => [o.metadata?.name ?? '', JSON.stringify(o.status ?? {})]));
    }
    const written = this.written;
    for (const name of [...written.keys()]) {
      if (desired.has(name)) continue;
      try {
        await client.delete(BgpSessionStates, namespace, name);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      written.delete(name);
    }
    for (const [name, object] of desired) {
      const status = JSON.stringify(object.status);
      if (written.get(name) === status) continue;
      if (!written.has(name)) {
        try {
          await client.create(BgpSessionStates, { ...object, metadata: { ...object.metadata, name } } as KubeObject);
        } catch (error) {
          // Made by an earlier process of this node: updated below.
          if (!isAlreadyExists(error)) throw error;
        }
      }
      await client.patch(BgpSessionStates, namespace, name, { status: object.status }, { subresource: 'status' });
      written.set(name, status);
    }
  }
}
