import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, arping, requireNetworkLab, startTcpdump, waitFor, type PcapRecord } from '@lb/netlab';
import { ethernetFrame, type ArpFrame } from '../src/index.js';
import { type InterfaceStatus } from '../src/pcap/index.js';
import { Agent } from './support/agent-client.js';

// The native ARP fast path against arping and the kernel, in namespaces: A runs the speaker's
// layer 2 worker with the fast path (the default) and, for the fallback, a second worker with it
// turned off; B asks. tcpdump on B's side counts what went over the wire.
const FAST = '10.64.0.100';
const SLOW = '10.64.0.101';

function arpFrames(records: readonly PcapRecord[]): ArpFrame[] {
  const frames: ArpFrame[] = [];
  for (const r of records) {
    const decoded = ethernetFrame.decode(r.frame);
    if (decoded.ok && decoded.value.kind === 'arp') frames.push(decoded.value);
  }
  return frames;
}

describe('the native ARP fast path in a namespace, against arping', () => {
  let lab: Lab;
  let a: string, b: string;
  let macA: string, macB: string;
  let fast: Agent, slow: Agent;
  const ifA = 'ea', ifB = 'eb';

  const fastStatus = async (): Promise<InterfaceStatus | undefined> => (await fast.status()).interfaces.find((i) => i.name === ifA);
  const requestsFromB = (frames: ArpFrame[], ip: string): ArpFrame[] => frames.filter((f) => f.arp.op === 1 && f.arp.tpa === ip && f.eth.src === macB);
  const repliesTo = (frames: ArpFrame[], ip: string): ArpFrame[] => frames.filter((f) => f.arp.op === 2 && f.arp.spa === ip && f.eth.dst === macB);

  beforeAll(async () => {
    requireNetworkLab(['arping', 'tcpdump']);
    lab = new Lab('arpf');
    a = lab.namespace('a');
    b = lab.namespace('b');
    lab.veth(a, b, { a: ifA, b: ifB });
    lab.address(a, ifA, '10.64.0.1/24');
    lab.address(b, ifB, '10.64.0.2/24');
    macA = lab.mac(a, ifA);
    macB = lab.mac(b, ifB);
    [fast, slow] = await Promise.all([Agent.start(lab, a), Agent.start(lab, a)]);
    // One gratuitous announcement each, at once: a schedule still running would add own-frame drops mid-test.
    const announceSchedule = [0];
    await Promise.all([fast.startLayer2({ announceSchedule }), slow.startLayer2({ announceSchedule, arpFastPath: false })]);
    await Promise.all([fast.request('announce', { ip: FAST }), slow.request('announce', { ip: SLOW })]);
  });

  afterAll(async () => {
    await Promise.all([fast, slow].map((x) => x?.stop()));
    await lab?.cleanup();
  });

  it('says which path answers: the fast path by default, libpcap when turned off', async () => {
    const ea = await fastStatus();
    expect(ea).toMatchObject({ open: true, arpPath: 'fast-path' });
    expect(ea?.fastPath?.readers).toBeGreaterThanOrEqual(1);
    // Root may use SCHED_FIFO: the readers run at the default realtime priority.
    expect(ea?.fastPath).toMatchObject({ realtimePriority: 1, handoffDropped: 0 });
    expect(ea?.fastPath?.realtimeError).toBeUndefined();
    expect(fast.events.filter((e) => e.event === 'info').map((e) => e['message'])).toContainEqual(expect.stringContaining('native fast path'));
    expect((await slow.status()).interfaces.find((i) => i.name === ifA)).toMatchObject({ open: true, arpPath: 'libpcap' });
    expect(slow.events.filter((e) => e.event === 'info').map((e) => e['message'])).toContainEqual(expect.stringContaining('through libpcap'));
  });

  it('gives arping exactly one reply per request, with A\'s MAC, and counts them exactly', async () => {
    const before = await fast.status();
    const answeredBefore = before.interfaces.find((i) => i.name === ifA)?.fastPath?.answered ?? 0;
    const capture = await startTcpdump(lab, b, ifB, 'arp');
    const result = arping(lab, b, ifB, FAST, { count: 20, gapSeconds: 0.01 });
    await new Promise((r) => setTimeout(r, 200));
    const frames = arpFrames(await capture.stop());
    expect(result).toMatchObject({ sent: 20, received: 20 });
    expect(new Set(result.replyMacs)).toEqual(new Set([macA]));
    expect(requestsFromB(frames, FAST)).toHaveLength(20);
    const replies = repliesTo(frames, FAST);
    expect(replies).toHaveLength(20); // one each: neither the Node responder nor a second reader answered again
    expect(new Set(replies.map((f) => f.eth.src))).toEqual(new Set([macA]));
    const after = await fast.status();
    expect(after.interfaces.find((i) => i.name === ifA)?.fastPath?.answered).toBe(answeredBefore + 20);
    const grew = (field: 'requestsReceived' | 'responsesSent'): number => (after.counters.ips[FAST]?.[field] ?? 0) - (before.counters.ips[FAST]?.[field] ?? 0);
    expect({ requests: grew('requestsReceived'), responses: grew('responsesSent') }).toEqual({ requests: 20, responses: 20 });
    expect(Object.values(after.sendErrors).reduce((x, y) => x + y, 0)).toBe(0);
  });

  it('leaves the frames it does not answer to the responder, which counts them by reason', async () => {
    const before = (await fast.status()).counters;
    expect(arping(lab, b, ifB, '10.64.0.200', { count: 3, deadlineSeconds: 1 }).received).toBe(0);
    expect(arping(lab, b, ifB, FAST, { count: 2, extra: ['-s', macA], deadlineSeconds: 1 }).received).toBe(0);
    const growth = await waitFor('drops counted', async () => {
      const counters = (await fast.status()).counters;
      const grew = (reason: 'not-announced' | 'own-frame'): number => (counters.dropsByInterface[ifA]?.[reason] ?? 0) - (before.dropsByInterface[ifA]?.[reason] ?? 0);
      const g = { unannounced: grew('not-announced'), own: grew('own-frame') };
      return g.unannounced >= 3 && g.own >= 2 ? g : undefined;
    });
    expect(growth).toEqual({ unannounced: 3, own: 2 });
  });

  it('stops answering at once on withdraw, and answers again on announce', async () => {
    await fast.request('withdraw', { ip: FAST });
    // Messages to the worker are handled in order: once status answers, the table is gone.
    const before = await fast.status();
    const capture = await startTcpdump(lab, b, ifB, 'arp');
    expect(arping(lab, b, ifB, FAST, { count: 3, gapSeconds: 0.01, deadlineSeconds: 1 }).received).toBe(0);
    await fast.request('announce', { ip: FAST });
    await fast.status();
    expect(arping(lab, b, ifB, FAST, { count: 2, gapSeconds: 0.01 }).received).toBe(2);
    await new Promise((r) => setTimeout(r, 200));
    const frames = arpFrames(await capture.stop());
    expect(requestsFromB(frames, FAST)).toHaveLength(5);
    // The two answered after the announcement, and nothing else: the gratuitous announcements are requests and replies to broadcast.
    expect(repliesTo(frames, FAST)).toHaveLength(2);
    const after = await fast.status();
    expect((after.counters.dropsByInterface[ifA]?.['not-announced'] ?? 0) - (before.counters.dropsByInterface[ifA]?.['not-announced'] ?? 0)).toBe(3);
  });

  it('falls back to libpcap in Node with the same answers when the fast path is turned off', async () => {
    const capture = await startTcpdump(lab, b, ifB, 'arp');
    const result = arping(lab, b, ifB, SLOW, { count: 5, gapSeconds: 0.01 });
    await new Promise((r) => setTimeout(r, 200));
    const frames = arpFrames(await capture.stop());
    expect(result.received).toBe(5);
    expect(repliesTo(frames, SLOW)).toHaveLength(5);
    expect(new Set(result.replyMacs)).toEqual(new Set([macA]));
    const counters = (await slow.status()).counters.ips[SLOW];
    expect(counters).toMatchObject({ requestsReceived: 5, responsesSent: 5 });
  });
});
