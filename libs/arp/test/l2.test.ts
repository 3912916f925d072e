import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, arping, ndisc6, neighborMac, requireNetworkLab, startTcpdump, waitFor } from '@lb/netlab';
import { ARP_REQUEST, DEFAULT_ANNOUNCE_SCHEDULE, ethernetFrame, type Frame } from '../src/index.js';
import { Agent } from './support/agent-client.js';

// A, B and C on one Ethernet segment (a bridge in a fourth namespace). Our responder runs in A
// (and in C for the takeover); B is the client, using real arping, ndisc6 and its kernel.
const V4 = '10.61.0.100';
const V6 = 'fd61::100';

describe('responder in a namespace, against arping, ndisc6 and the kernel', () => {
  let lab: Lab;
  let a: string, b: string, c: string;
  let macA: string, macB: string, macC: string;
  let agentA: Agent, agentC: Agent, injector: Agent;
  let announcedAt = 0;
  const ifA = 'ea', ifB = 'eb', ifC = 'ec';

  beforeAll(async () => {
    requireNetworkLab(['arping', 'ndisc6', 'tcpdump', 'ping']);
    lab = new Lab('arp');
    a = lab.namespace('a');
    b = lab.namespace('b');
    c = lab.namespace('c');
    const sw = lab.namespace('sw');
    const la = lab.veth(a, sw, { a: ifA, b: 'pa' });
    const lb = lab.veth(b, sw, { a: ifB, b: 'pb' });
    const lc = lab.veth(c, sw, { a: ifC, b: 'pc' });
    lab.bridge(sw, 'br0', [la.b, lb.b, lc.b]);
    lab.address(a, ifA, '10.61.0.1/24');
    lab.address(b, ifB, '10.61.0.2/24');
    lab.address(c, ifC, '10.61.0.3/24');
    lab.address(b, ifB, 'fd61::2/64');
    macA = lab.mac(a, ifA);
    macB = lab.mac(b, ifB);
    macC = lab.mac(c, ifC);
    [agentA, agentC, injector] = await Promise.all([Agent.start(lab, a), Agent.start(lab, c), Agent.start(lab, b)]);
    await agentA.startLayer2({ scanIntervalMs: 500 });
    announcedAt = Date.now();
    agentA.request('announce', { ip: V4 });
    await agentA.request('announce', { ip: V6 });
    await waitFor('A to join the solicited-node group', async () => (await agentA.status()).interfaces.find((i) => i.name === ifA)?.groups.includes('ff02::1:ff00:100'));
  });

  afterAll(async () => {
    await Promise.all([agentA, agentC, injector].map((x) => x?.stop()));
    await lab?.cleanup();
  });

  it('opens an interface by MetalLB rules and joins the solicited-node group', async () => {
    const status = await agentA.status();
    const ea = status.interfaces.find((i) => i.name === ifA);
    // ARP through the native fast path (the default), NDP through libpcap.
    expect(ea).toMatchObject({ open: true, mac: macA, eligibility: { arp: true, ndp: true }, arpPath: 'fast-path' });
    expect(status.interfaces.find((i) => i.name === 'lo')).toMatchObject({ open: false });
    expect(lab.ns(a, 'ip', ['-6', 'maddr', 'show', 'dev', ifA]).stdout).toContain('ff02::1:ff00:100');
  });

  it('arping from B gets replies carrying A\'s MAC', async () => {
    const result = arping(lab, b, ifB, V4, { count: 3 });
    expect(result.received).toBe(3);
    expect(new Set(result.replyMacs)).toEqual(new Set([macA]));
    const counters = (await agentA.status()).counters.ips[V4];
    expect(counters?.requestsReceived).toBeGreaterThanOrEqual(3);
    expect(counters?.responsesSent).toBe(counters?.requestsReceived);
  });

  it('ndisc6 from B gets an advertisement with A\'s MAC', () => {
    expect(ndisc6(lab, b, ifB, V6)).toBe(macA);
  });

  it('B\'s kernel neighbor table learns A\'s MAC for both addresses', async () => {
    lab.tryNs(b, 'ping', ['-c', '1', '-W', '1', V4]);
    lab.tryNs(b, 'ping', ['-6', '-c', '1', '-W', '1', V6]);
    await waitFor('B neighbor entries', () => neighborMac(lab, b, V4) === macA && neighborMac(lab, b, V6) === macA, { timeoutMs: 5000 });
  });

  it('defends the IPv6 address against duplicate address detection by B\'s kernel', async () => {
    lab.ns(b, 'ip', ['addr', 'add', `${V6}/64`, 'dev', ifB]);
    await waitFor('B to see its DAD fail', () => lab.ns(b, 'ip', ['-6', 'addr', 'show', 'dev', ifB]).stdout.includes('dadfailed'), { timeoutMs: 5000 });
    lab.ns(b, 'ip', ['addr', 'del', `${V6}/64`, 'dev', ifB]);
  });

  it('leaves own, other-VLAN, truncated and unannounced requests unanswered, counted by reason', async () => {
    // A gratuitous reply from A names A's MAC as its target, which is what arping -s A's MAC
    // waits for: let A's announcement schedule end first.
    const scheduleEnd = announcedAt + (DEFAULT_ANNOUNCE_SCHEDULE.at(-1) ?? 0) + 300;
    await new Promise((r) => setTimeout(r, Math.max(0, scheduleEnd - Date.now())));
    // B's kernel would otherwise probe the entries learned above (NUD) and count as replies here.
    lab.ns(b, 'ip', ['neigh', 'flush', 'dev', ifB]);
    const before = (await agentA.status()).counters;
    const responsesBefore = before.ips[V4]?.responsesSent ?? 0;
    expect(arping(lab, b, ifB, V4, { count: 2, extra: ['-s', macA], deadlineSeconds: 1 }).received).toBe(0);
    expect(arping(lab, b, ifB, V4, { count: 2, extra: ['-V', '20'], deadlineSeconds: 1 }).received).toBe(0);
    expect(arping(lab, b, ifB, '10.61.0.200', { count: 2, deadlineSeconds: 1 }).received).toBe(0);
    const request = ethernetFrame.encode({
      kind: 'arp',
      eth: { dst: 'ff:ff:ff:ff:ff:ff', src: macB },
      arp: { op: ARP_REQUEST, sha: macB, spa: '10.61.0.2', tha: '00:00:00:00:00:00', tpa: V4 },
    });
    const truncated = Buffer.from(request.subarray(0, 30)).toString('hex');
    await injector.request('inject', { iface: ifB, frames: [truncated, truncated] });
    const after = await waitFor('drops counted', async () => {
      const counters = (await agentA.status()).counters;
      const grew = (reason: string): number => (counters.dropsByInterface[ifA]?.[reason as 'own-frame'] ?? 0) - (before.dropsByInterface[ifA]?.[reason as 'own-frame'] ?? 0);
      const growth = { own: grew('own-frame'), vlan: grew('other-vlan'), unannounced: grew('not-announced'), truncated: grew('truncated') };
      return growth.own >= 2 && growth.vlan >= 2 && growth.unannounced >= 2 && growth.truncated >= 2 ? { counters, growth } : undefined;
    });
    expect(after.growth).toEqual({ own: 2, vlan: 2, unannounced: 2, truncated: 2 });
    expect(after.counters.ips[V4]?.responsesSent).toBe(responsesBefore);
  });

  it('takeover: C announces, A withdraws, and B\'s entries move to C without B asking', async () => {
    // Entries as B's kernel keeps them once learned and idle: STALE, pointing at A. STALE entries
    // send nothing until used, so any change must come from the announcements.
    for (const ip of [V4, V6]) lab.ns(b, 'ip', ['neigh', 'replace', ip, 'lladdr', macA, 'dev', ifB, 'nud', 'stale']);
    const capture = await startTcpdump(lab, b, ifB, 'arp or icmp6');
    await agentC.startLayer2({ scanIntervalMs: 500 });
    const started = Date.now();
    await agentA.request('withdraw', { ip: V4 });
    await agentA.request('withdraw', { ip: V6 });
    agentC.request('announce', { ip: V4 });
    await agentC.request('announce', { ip: V6 });
    await waitFor('B neighbor entries to move to C', () => neighborMac(lab, b, V4) === macC && neighborMac(lab, b, V6) === macC, { timeoutMs: 3000, intervalMs: 10 });
    const movedAfterMs = Date.now() - started;
    await new Promise((r) => setTimeout(r, 200));
    const records = await capture.stop();
    const frames = records.flatMap((r): Frame[] => {
      const decoded = ethernetFrame.decode(r.frame);
      return decoded.ok ? [decoded.value] : [];
    });
    expect(frames.length).toBeGreaterThan(0);
    const fromB = frames.filter((f) => f.eth.src === macB && (f.kind === 'arp' ? f.arp.tpa === V4 : f.ndp.target === V6));
    expect(fromB).toEqual([]);
    const gratuitous = frames.filter((f) => f.eth.src === macC && (f.kind === 'arp' ? f.arp.spa === V4 && f.arp.tpa === V4 : f.ndp.type === 'advertisement' && f.ndp.override && !f.ndp.solicited));
    expect(gratuitous.filter((f) => f.kind === 'arp').length).toBeGreaterThanOrEqual(2);
    expect(gratuitous.filter((f) => f.kind === 'ndp').length).toBeGreaterThanOrEqual(1);
    expect(movedAfterMs).toBeLessThan(3000);
    expect(arping(lab, b, ifB, V4, { count: 1 }).replyMacs).toEqual([macC]);
    const statusC = await agentC.status();
    expect(statusC.interfaces.find((i) => i.name === ifC)?.arpPath).toBe('fast-path');
    const countersC = statusC.counters.ips;
    expect(countersC[V4]?.gratuitousSent).toBeGreaterThanOrEqual(2);
    expect(countersC[V6]?.gratuitousSent).toBeGreaterThanOrEqual(1);
  });

  it('survives an interface appearing and disappearing (cap aborts the worker; it restarts)', async () => {
    const before = (await agentC.status()).counters.ips[V4]?.requestsReceived ?? 0;
    const extra = lab.veth(c, b, { a: 'ex', b: 'exb' });
    await waitFor('C to open the new interface', async () => (await agentC.status()).interfaces.find((i) => i.name === extra.a)?.open);
    lab.ns(c, 'ip', ['link', 'del', extra.a]);
    await waitFor('C to restart its worker', async () => (await agentC.status()).restarts >= 1, { timeoutMs: 10_000 });
    expect(arping(lab, b, ifB, V4, { count: 2 }).replyMacs).toEqual([macC, macC]);
    const after = await agentC.status();
    expect(after.counters.ips[V4]?.requestsReceived).toBeGreaterThanOrEqual(before + 2);
    expect(after.interfaces.find((i) => i.name === extra.a)).toBeUndefined();
  });
});
