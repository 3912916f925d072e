// Connection collision (RFC 4271 §6.8) over real sockets: our speaker in mode 'both' connects to a
// raw peer of the test's own (fixtures/collision-peer.ts) that answers by connecting back, so that
// an OPEN crosses on each of two TCP connections. Exactly one connection must get Cease/7
// (Connection Collision Resolution) and close; the other must reach Established.
import { describe, expect, it } from 'vitest';
import { type SpawnedProcess, waitFor } from '@lb/netlab';
import { cleanupAfterEach } from './helpers/cleanup.js';
import { SpeakerProcess } from './helpers/speaker.js';
import { type TwoNodes, twoNodes } from './helpers/topology.js';

const collisionPeer = new URL('./fixtures/collision-peer.ts', import.meta.url).pathname;

type Direction = 'outbound' | 'inbound';
interface PeerReport {
  readonly listening?: boolean;
  readonly conn?: Direction | 'extra';
  readonly got?: string;
  readonly code?: number;
  readonly subcode?: number;
}

const started = cleanupAfterEach();

function reports(peer: SpawnedProcess): PeerReport[] {
  return peer
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as PeerReport);
}

/** The BGP messages the raw peer received on one connection, in order. */
function messagesOn(peer: SpawnedProcess, direction: Direction): PeerReport[] {
  return reports(peer).filter((r) => r.conn === direction && r.got !== 'closed' && r.got !== 'error');
}

const closed = (peer: SpawnedProcess, direction: Direction): boolean => reports(peer).some((r) => r.conn === direction && r.got === 'closed');

/** TCP connections to or from port 179 that the kernel of our speaker's namespace holds in ESTABLISHED. */
function establishedBgpConnections(net: TwoNodes): { local: string; peer: string }[] {
  const out = net.lab.ns(net.speakerNs, 'ss', ['-Htn', 'state', 'established', '( sport = :179 or dport = :179 )']).stdout;
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [, , local = '', peer = ''] = l.trim().split(/\s+/);
      return { local, peer };
    });
}

// RFC 4271 §6.8: the connection opened by the side with the higher BGP identifier survives. The
// identifiers of each row differ in their top bit and in their byte order, so that comparing them
// as signed or as little-endian numbers would pick the other survivor.
const rows: { name: string; ourId: string; peerId: string; survivor: Direction; loser: Direction }[] = [
  { name: 'peer identifier higher: our outbound connection yields to its inbound one', ourId: '10.70.0.9', peerId: '192.0.2.2', survivor: 'inbound', loser: 'outbound' },
  { name: 'peer identifier lower: its inbound connection yields to our outbound one', ourId: '192.0.2.1', peerId: '10.70.0.2', survivor: 'outbound', loser: 'inbound' },
];

describe('connection collision over real sockets', () => {
  it('has rows', () => expect(rows.length).toBeGreaterThan(0));

  it.each(rows)(
    '$name',
    async ({ ourId, peerId, survivor, loser }) => {
      const net = started.track(twoNodes('coll', ['ss']));
      const peer = net.lab.spawn(net.peerNs, process.execPath, ['--conditions=development', '--import', 'tsx', collisionPeer, '64513', peerId, net.speaker.v4]);
      await waitFor('raw peer listening', () => reports(peer).some((r) => r.listening));
      const speaker = await SpeakerProcess.start(
        net.lab,
        net.speakerNs,
        { localAs: 64512, peerAs: 64513, routerId: ourId, peerAddress: net.peer.v4, mode: 'both', holdTime: 3 },
        { port: 179 },
      );
      started.speakers.push(speaker);

      await speaker.waitForState('established');
      const seen = (): string => `raw peer saw:\n${peer.output()}`;
      // Ours answering its OPEN, then the periodic ones (every second with hold time 3).
      await waitFor('KEEPALIVEs flowing on the survivor', () => messagesOn(peer, survivor).filter((m) => m.got === 'keepalive').length >= 4, { timeoutMs: 10_000 }).catch((e: Error) => {
        throw new Error(`${e.message}\n${seen()}`);
      });

      expect(messagesOn(peer, loser), seen()).toEqual([{ conn: loser, got: 'open' }, { conn: loser, got: 'notification', code: 6, subcode: 7 }]);
      expect(closed(peer, loser), seen()).toBe(true);
      expect(messagesOn(peer, survivor).some((m) => m.got === 'notification'), seen()).toBe(false);
      expect(closed(peer, survivor), seen()).toBe(false);
      expect(reports(peer).some((r) => r.conn === 'extra'), seen()).toBe(false);

      const { state, stats } = await speaker.stats();
      expect(state).toBe('established');
      expect(stats).toMatchObject({ established: true, establishedTransitions: 1, sent: { notification: 1 }, received: { notification: 0 } });
      const notifications = speaker.events.filter((e) => e.event.type === 'notification-sent').map((e) => e.event);
      expect(notifications).toMatchObject([{ notification: { code: 6, subcode: 7 } }]);
      expect(speaker.events.filter((e) => e.event.type === 'connecting')).toHaveLength(1);

      // The kernel agrees: one BGP connection left, and it is the survivor (port 179 on our side
      // when the peer opened it).
      const left = await waitFor('one established BGP connection', () => {
        const found = establishedBgpConnections(net);
        return found.length === 1 ? found : undefined;
      });
      const ours = left[0]!;
      expect(survivor === 'inbound' ? ours.local : ours.peer).toMatch(/:179$/);
      expect(survivor === 'inbound' ? ours.peer : ours.local).not.toMatch(/:179$/);
    },
    40_000,
  );
});
