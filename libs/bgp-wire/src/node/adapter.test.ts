import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { encode } from '../codec/message.js';
import { BgpListener } from './listener.js';
import { BgpPeer, EstablishedWaitError, type BgpPeerEvent } from './peer.js';

// The Node adapter's socket, timer and listener handlers over real loopback sockets: whatever
// arrives, nothing escapes a handler (an exception there would end the process; vitest fails the
// run on any uncaught exception).

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listener(): Promise<BgpListener> {
  const l = new BgpListener({ port: 0, host: '127.0.0.1' });
  await l.listen();
  cleanups.push(() => l.close());
  return l;
}

function passivePeer(l: BgpListener, events: BgpPeerEvent[] = []): BgpPeer {
  const peer = new BgpPeer({ localAs: 64512, peerAs: 64513, routerId: '10.0.0.1', peerAddress: '127.0.0.1', mode: 'passive', holdTime: 9, listener: l });
  peer.on('event', (e) => events.push(e));
  peer.start();
  cleanups.push(() => peer.stop());
  return peer;
}

/** Connects to the listener, writes `chunks`, and resolves when the peer has closed the connection or after `ms`. */
async function send(port: number, chunks: readonly Uint8Array[], ms = 300): Promise<{ closedByPeer: boolean; received: number }> {
  const socket: Socket = connect({ port, host: '127.0.0.1' });
  let received = 0;
  socket.on('data', (d: Buffer) => (received += d.length));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  for (const chunk of chunks) socket.write(chunk);
  const closedByPeer = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  socket.destroy();
  return { closedByPeer, received };
}

const open = (asn: number, routerId: string): Uint8Array =>
  encode({ type: 'open', version: 4, myAs: asn, holdTime: 9, bgpId: routerId, parameters: [{ type: 'capabilities', capabilities: [{ type: 'four-octet-as', asn }] }] });

describe('BgpPeer and BgpListener handlers take hostile input', () => {
  it('answers garbage, truncated headers and lying lengths with a NOTIFICATION and a close', async () => {
    const l = await listener();
    const events: BgpPeerEvent[] = [];
    passivePeer(l, events);
    const hostile: Uint8Array[][] = [
      [Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff)],
      [new Uint8Array(19).fill(0xff)],
      [Uint8Array.of(...new Array(16).fill(0xff), 0xff, 0xff, 2)],
      [open(64513, '10.0.0.2'), Uint8Array.of(...new Array(16).fill(0xff), 0, 23, 2, 0xff, 0xff, 0, 0)],
      [open(64999, '10.0.0.2')],
    ];
    for (const [i, chunks] of hostile.entries()) {
      const { closedByPeer, received } = await send(l.port, chunks);
      expect(closedByPeer, `hostile input ${i}`).toBe(true);
      expect(received).toBeGreaterThan(0);
    }
    expect(events.filter((e) => e.type === 'notification-sent').length).toBeGreaterThanOrEqual(hostile.length);
    expect(events.some((e) => e.type === 'internal-error')).toBe(false);
  });

  it('survives random byte streams, cut anywhere', async () => {
    const l = await listener();
    const events: BgpPeerEvent[] = [];
    passivePeer(l, events);
    const streams = fc.sample(fc.array(fc.uint8Array({ minLength: 1, maxLength: 80 }), { minLength: 1, maxLength: 4 }), { numRuns: 25, seed: 7 });
    const marker = new Uint8Array(16).fill(0xff);
    for (const [i, chunks] of streams.entries()) {
      // Every other stream starts with a valid marker, so the bytes reach the length and type checks.
      await send(l.port, i % 2 === 0 ? [marker, ...chunks] : chunks, 60);
    }
    expect(events.some((e) => e.type === 'internal-error')).toBe(false);
  });

  it('turns an exception inside a handler into an internal-error event and a closed connection', async () => {
    const l = await listener();
    const events: BgpPeerEvent[] = [];
    const peer = passivePeer(l, events);
    // A bug in the session, simulated: the handler must catch it rather than let it end the process.
    const session = (peer as unknown as { session: { handle: (input: { type: string }) => unknown } }).session;
    const handle = session.handle.bind(session);
    session.handle = (input) => {
      if (input.type === 'data') throw new Error('boom');
      return handle(input);
    };
    const { closedByPeer } = await send(l.port, [open(64513, '10.0.0.2')]);
    expect(closedByPeer).toBe(true);
    expect(events).toContainEqual({ type: 'internal-error', message: 'received data: boom' });
  });

  it('closes connections from unknown addresses, and survives a peer that throws on accept', async () => {
    const l = await listener();
    const rejected: string[] = [];
    l.on('rejected', (r) => rejected.push(r.reason));
    expect((await send(l.port, [open(64513, '10.0.0.2')])).closedByPeer).toBe(true);
    l.add({ peerAddress: '127.0.0.1', password: undefined, acceptConnection: () => { throw new Error('no thanks'); } });
    expect((await send(l.port, [open(64513, '10.0.0.2')])).closedByPeer).toBe(true);
    expect(rejected).toEqual(['no BGP peer is configured for this address', 'accepting failed: no thanks']);
  });
});

describe('BgpPeer.waitForEstablished', () => {
  it('resolves on both sides once the session is up, at once when it already is', async () => {
    const l = await listener();
    const b = passivePeer(l);
    const a = new BgpPeer({ localAs: 64513, peerAs: 64512, routerId: '10.0.0.2', peerAddress: '127.0.0.1', peerPort: l.port, mode: 'active', holdTime: 9 });
    cleanups.push(() => a.stop());
    const waiting = Promise.all([a.waitForEstablished({ timeoutMs: 5000 }), b.waitForEstablished({ timeoutMs: 5000 })]);
    a.start();
    const [na, nb] = await waiting;
    expect(na.peerAs).toBe(64512);
    expect(nb.peerAs).toBe(64513);
    await expect(a.waitForEstablished()).resolves.toBe(a.negotiated);
  });

  it('rejects with a typed error on timeout, abort and stop', async () => {
    const l = await listener();
    const peer = passivePeer(l);
    await expect(peer.waitForEstablished({ timeoutMs: 20 })).rejects.toMatchObject({ kind: 'timeout' });
    const controller = new AbortController();
    const aborted = peer.waitForEstablished({ signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ kind: 'aborted' });
    const stopped = peer.waitForEstablished();
    await peer.stop();
    await expect(stopped).rejects.toBeInstanceOf(EstablishedWaitError);
    await expect(stopped).rejects.toMatchObject({ kind: 'stopped' });
  });
});
