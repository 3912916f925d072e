import { describe, expect, it } from 'vitest';
import { ARP_REPLY, ARP_REQUEST } from './arp.js';
import { ethernetFrame, type ArpFrame, type Frame, type NdpFrame } from './frame.js';
import { Responder, type FrameOutcome, type Transmit, type TransmitResult } from './responder.js';
import { DEFAULT_ANNOUNCE_SCHEDULE } from './schedule.js';

const OURS = '02:00:00:00:00:0a';
const CLIENT = '02:00:00:00:00:0b';
const V4 = '10.0.0.100';
const V6 = 'fd00::100';

function responder(): Responder {
  const r = new Responder();
  r.setInterface({ name: 'eth0', mac: OURS }, 0);
  r.setInterface({ name: 'eth1', mac: '02:00:00:00:01:0a' }, 0);
  r.setInterface({ name: 'vlan', mac: '02:00:00:00:02:0a', vlan: 10 }, 0);
  r.announce(V4, {}, 0);
  r.announce(V6, {}, 0);
  r.announce('10.0.0.101', { interfaces: ['eth1'] }, 0);
  return r;
}

const arpRequest = (over: Partial<ArpFrame['arp']> = {}, eth: Partial<ArpFrame['eth']> = {}): ArpFrame => ({
  kind: 'arp',
  eth: { dst: 'ff:ff:ff:ff:ff:ff', src: CLIENT, ...eth },
  arp: { op: ARP_REQUEST, sha: CLIENT, spa: '10.0.0.2', tha: '00:00:00:00:00:00', tpa: V4, ...over },
});

const solicitation = (over: Partial<NdpFrame> = {}, sourceLinkLayer: string | null = CLIENT): NdpFrame => ({
  kind: 'ndp',
  eth: { dst: '33:33:ff:00:01:00', src: CLIENT },
  ipv6: { src: 'fd00::2', dst: 'ff02::1:ff00:100' },
  ndp: { type: 'solicitation', target: V6, options: sourceLinkLayer ? [{ kind: 'source-link-layer', mac: sourceLinkLayer }] : [] },
  ...over,
});

function handle(r: Responder, iface: string, frame: Frame | Uint8Array): FrameOutcome {
  return r.handleFrame(iface, frame instanceof Uint8Array ? frame : ethernetFrame.encode(frame));
}

function replyOf(outcome: FrameOutcome): Frame {
  if (outcome.kind !== 'reply') throw new Error(`expected a reply, got drop ${outcome.reason}`);
  const decoded = ethernetFrame.decode(outcome.transmit.frame);
  if (!decoded.ok) throw new Error(decoded.error.toString());
  return decoded.value;
}

/** The frames of an accepted announce or setInterface. */
function due(result: TransmitResult): Transmit[] {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const decoded = (frame: Uint8Array): Frame | undefined => {
  const result = ethernetFrame.decode(frame);
  return result.ok ? result.value : undefined;
};

describe('Responder answers requests for announced addresses', () => {
  it('answers a broadcast ARP request with our MAC, to the asker', () => {
    const r = responder();
    const outcome = handle(r, 'eth0', arpRequest());
    expect(outcome).toMatchObject({ kind: 'reply', transmit: { interface: 'eth0', ip: V4, purpose: 'response' } });
    expect(replyOf(outcome)).toEqual({
      kind: 'arp',
      eth: { dst: CLIENT, src: OURS },
      arp: { op: ARP_REPLY, sha: OURS, spa: V4, tha: CLIENT, tpa: '10.0.0.2' },
    });
    expect(r.counters.ip(V4).requestsReceived).toBe(1);
  });

  it('answers an ARP request unicast to this interface', () => {
    expect(handle(responder(), 'eth0', arpRequest({}, { dst: OURS })).kind).toBe('reply');
  });

  it('answers an ARP probe (sender 0.0.0.0) so the prober sees the address is taken', () => {
    const reply = replyOf(handle(responder(), 'eth0', arpRequest({ spa: '0.0.0.0' })));
    expect(reply).toMatchObject({ eth: { dst: CLIENT }, arp: { op: ARP_REPLY, spa: V4, tha: CLIENT, tpa: '0.0.0.0' } });
  });

  it('answers a sender that left its hardware address zero at the frame source', () => {
    expect(replyOf(handle(responder(), 'eth0', arpRequest({ sha: '00:00:00:00:00:00' })))).toMatchObject({ eth: { dst: CLIENT } });
  });

  it('answers a neighbor solicitation with a solicited NA carrying our MAC', () => {
    const r = responder();
    const outcome = handle(r, 'eth0', solicitation());
    expect(replyOf(outcome)).toEqual({
      kind: 'ndp',
      eth: { dst: CLIENT, src: OURS },
      ipv6: { src: V6, dst: 'fd00::2', trafficClass: 0, flowLabel: 0 },
      ndp: { type: 'advertisement', router: false, solicited: true, override: true, target: V6, options: [{ kind: 'target-link-layer', mac: OURS }] },
    });
    expect(r.counters.ip(V6).requestsReceived).toBe(1);
  });

  it('answers a unicast solicitation without a source link-layer option at the frame source', () => {
    const reply = replyOf(handle(responder(), 'eth0', solicitation({ eth: { dst: OURS, src: CLIENT }, ipv6: { src: 'fd00::2', dst: V6 } }, null)));
    expect(reply).toMatchObject({ eth: { dst: CLIENT }, ipv6: { dst: 'fd00::2' }, ndp: { solicited: true } });
  });

  it('defends an announced address against duplicate address detection', () => {
    const reply = replyOf(handle(responder(), 'eth0', solicitation({ ipv6: { src: '::', dst: 'ff02::1:ff00:100' } }, null)));
    expect(reply).toMatchObject({
      eth: { dst: '33:33:00:00:00:01', src: OURS },
      ipv6: { dst: 'ff02::1' },
      ndp: { type: 'advertisement', solicited: false, override: true, target: V6, options: [{ kind: 'target-link-layer', mac: OURS }] },
    });
  });

  it('answers on a VLAN interface with the same tag and the request priority', () => {
    const reply = replyOf(handle(responder(), 'vlan', arpRequest({}, { vlan: { id: 10, priority: 5, dropEligible: false } })));
    expect(reply.eth.vlan).toEqual({ id: 10, priority: 5, dropEligible: false });
  });
});

describe('Responder leaves frames unanswered, counted by reason', () => {
  const cases: Array<{ name: string; iface: string; frame: Frame | Uint8Array; reason: string }> = [
    { name: 'from an interface it does not know', iface: 'eth9', frame: arpRequest(), reason: 'unknown-interface' },
    { name: 'truncated', iface: 'eth0', frame: ethernetFrame.encode(arpRequest()).subarray(0, 30), reason: 'truncated' },
    { name: 'InfiniBand ARP', iface: 'eth0', frame: Uint8Array.from([...ethernetFrame.encode(arpRequest()).subarray(0, 18), 20, 4, ...new Array(40).fill(0)]), reason: 'unsupported-hardware' },
    { name: 'sent from our own MAC', iface: 'eth0', frame: arpRequest({}, { src: OURS }), reason: 'own-frame' },
    { name: 'tagged for a VLAN on an untagged interface', iface: 'eth0', frame: arpRequest({}, { vlan: { id: 20 } }), reason: 'other-vlan' },
    { name: 'tagged for another VLAN', iface: 'vlan', frame: arpRequest({}, { vlan: { id: 20 } }), reason: 'other-vlan' },
    { name: 'untagged on a VLAN interface', iface: 'vlan', frame: arpRequest(), reason: 'other-vlan' },
    { name: 'an ARP reply', iface: 'eth0', frame: arpRequest({ op: ARP_REPLY }), reason: 'not-a-request' },
    { name: 'ARP unicast to another host', iface: 'eth0', frame: arpRequest({}, { dst: '02:00:00:00:00:99' }), reason: 'ethernet-destination' },
    { name: 'ARP for an address nobody announced', iface: 'eth0', frame: arpRequest({ tpa: '10.0.0.200' }), reason: 'not-announced' },
    { name: 'ARP for an address announced elsewhere', iface: 'eth0', frame: arpRequest({ tpa: '10.0.0.101' }), reason: 'not-announced-on-interface' },
    {
      name: 'a neighbor advertisement',
      iface: 'eth0',
      frame: { ...solicitation(), ipv6: { src: 'fd00::2', dst: 'ff02::1' }, ndp: { type: 'advertisement', router: false, solicited: false, override: true, target: 'fd00::2', options: [] } },
      reason: 'not-a-request',
    },
    { name: 'NS to another host', iface: 'eth0', frame: solicitation({ eth: { dst: '02:00:00:00:00:99', src: CLIENT } }), reason: 'ethernet-destination' },
    { name: 'NS to another group', iface: 'eth0', frame: solicitation({ ipv6: { src: 'fd00::2', dst: 'ff02::1:ff00:200' } }), reason: 'ipv6-destination' },
    { name: 'NS for an address nobody announced', iface: 'eth0', frame: { ...solicitation(), eth: { dst: OURS, src: CLIENT }, ipv6: { src: 'fd00::2', dst: 'fd00::200' }, ndp: { type: 'solicitation', target: 'fd00::200', options: [] } }, reason: 'not-announced' },
  ];
  it.each(cases)('$name -> $reason', ({ iface, frame, reason }) => {
    const r = responder();
    const outcome = handle(r, iface, frame);
    expect(outcome).toMatchObject({ kind: 'drop', reason });
    expect(r.counters.dropCount(outcome.kind === 'drop' ? outcome.reason : 'own-frame', iface)).toBe(1);
    expect(r.counters.snapshot().drops).toEqual({ [reason]: 1 });
  });

  it('carries the decode error of a malformed frame for logging', () => {
    const outcome = handle(responder(), 'eth0', new Uint8Array(5));
    expect(outcome.kind === 'drop' && outcome.error?.toString()).toBe('truncated at byte 0: Ethernet header needs 14 bytes, frame has 5');
  });
});

describe('Responder announcement schedule', () => {
  const times = (r: Responder, until: number): Array<[number, Transmit[]]> => {
    const out: Array<[number, Transmit[]]> = [];
    for (let t = r.nextTimeout(); t !== undefined && t <= until; t = r.nextTimeout()) out.push([t, r.poll(t)]);
    return out;
  };

  it('sends gratuitous ARP in request and reply form at once and then on the default schedule', () => {
    const r = new Responder();
    r.setInterface({ name: 'eth0', mac: OURS }, 1000);
    const now = due(r.announce(V4, {}, 1000));
    expect(now.map((t) => decoded(t.frame))).toEqual([
      { kind: 'arp', eth: { dst: 'ff:ff:ff:ff:ff:ff', src: OURS }, arp: { op: ARP_REQUEST, sha: OURS, spa: V4, tha: '00:00:00:00:00:00', tpa: V4 } },
      { kind: 'arp', eth: { dst: 'ff:ff:ff:ff:ff:ff', src: OURS }, arp: { op: ARP_REPLY, sha: OURS, spa: V4, tha: OURS, tpa: V4 } },
    ]);
    expect(now.every((t) => t.purpose === 'gratuitous' && t.ip === V4 && t.interface === 'eth0')).toBe(true);
    const later = times(r, 10_000);
    expect(later.map(([t]) => t - 1000)).toEqual(DEFAULT_ANNOUNCE_SCHEDULE.slice(1));
    expect(later.every(([, sent]) => sent.length === 2)).toBe(true);
    expect(r.nextTimeout()).toBeUndefined();
    expect(later.filter(([t]) => t - 1000 <= 100).length + 1).toBeGreaterThanOrEqual(3);
  });

  it("announce returns the new address's frames only; other addresses' due slots come from poll", () => {
    const r = new Responder();
    r.setInterface({ name: 'eth0', mac: OURS }, 0);
    due(r.announce(V4, {}, 0));
    // At 100 ms V4's slots at 25, 50 and 100 are due: announcing another address does not send them.
    const other = due(r.announce('10.0.0.101', {}, 100));
    expect(other.map((t) => t.ip)).toEqual(['10.0.0.101', '10.0.0.101']);
    expect(r.nextTimeout()).toBe(25);
    expect(r.poll(100).map((t) => t.ip)).toEqual([V4, V4]);
    // Announced again on the same interfaces: nothing restarts, nothing is due.
    expect(due(r.announce(V4, {}, 100))).toEqual([]);
    r.withdraw(V4);
    expect(r.poll(10_000).map((t) => t.ip)).toEqual(['10.0.0.101', '10.0.0.101']);
  });

  it('announces IPv6 with an unsolicited NA with Override to all nodes', () => {
    const r = new Responder({ announceSchedule: [0] });
    r.setInterface({ name: 'eth0', mac: OURS }, 0);
    const [sent] = due(r.announce(V6, {}, 0));
    expect(decoded(sent!.frame)).toEqual({
      kind: 'ndp',
      eth: { dst: '33:33:00:00:00:01', src: OURS },
      ipv6: { src: V6, dst: 'ff02::1', trafficClass: 0, flowLabel: 0 },
      ndp: { type: 'advertisement', router: false, solicited: false, override: true, target: V6, options: [{ kind: 'target-link-layer', mac: OURS }] },
    });
  });

  it('follows a custom schedule and collapses missed slots into one send', () => {
    const r = new Responder({ announceSchedule: [0, 10, 20, 30] });
    r.setInterface({ name: 'eth0', mac: OURS }, 0);
    expect(due(r.announce(V4, {}, 0))).toHaveLength(2);
    expect(r.poll(5)).toHaveLength(0);
    expect(r.poll(25)).toHaveLength(2);
    expect(r.nextTimeout()).toBe(30);
    expect(r.poll(30)).toHaveLength(2);
    expect(r.nextTimeout()).toBeUndefined();
  });

  it('stops announcing and answering on withdrawal', () => {
    const r = new Responder();
    r.setInterface({ name: 'eth0', mac: OURS }, 0);
    r.announce(V4, {}, 0);
    r.withdraw(V4);
    expect(r.nextTimeout()).toBeUndefined();
    expect(handle(r, 'eth0', arpRequest())).toMatchObject({ kind: 'drop', reason: 'not-announced' });
  });

  it('does not restart the schedule when the same address is announced again', () => {
    const r = new Responder({ announceSchedule: [0, 10] });
    r.setInterface({ name: 'eth0', mac: OURS }, 0);
    r.announce(V4, {}, 0);
    r.poll(10);
    expect(due(r.announce(V4, {}, 50))).toEqual([]);
    expect(r.nextTimeout()).toBeUndefined();
  });

  it('starts the schedule on interfaces that appear or that an announcement gains, only there', () => {
    const r = new Responder({ announceSchedule: [0] });
    r.setInterface({ name: 'eth0', mac: OURS }, 0);
    r.announce(V4, { interfaces: ['eth0'] }, 0);
    expect(due(r.setInterface({ name: 'eth1', mac: '02:00:00:00:01:0a' }, 5))).toEqual([]);
    expect(due(r.announce(V4, { interfaces: ['eth0', 'eth1'] }, 10)).map((t) => t.interface)).toEqual(['eth1', 'eth1']);
    expect(due(r.setInterface({ name: 'eth2', mac: '02:00:00:00:02:0a' }, 20))).toEqual([]);
    r.announce(V4, {}, 30);
    r.removeInterface('eth1');
    expect(due(r.setInterface({ name: 'eth1', mac: '02:00:00:00:01:0a' }, 40)).map((t) => t.interface)).toEqual(['eth1', 'eth1']);
    expect(due(r.setInterface({ name: 'eth1', mac: '02:00:00:00:01:0b' }, 50))).toHaveLength(2);
  });

  it('announces IPv4 only where ARP is on and IPv6 only where NDP is on', () => {
    const r = new Responder({ announceSchedule: [0] });
    r.setInterface({ name: 'noarp', mac: OURS, arp: false }, 0);
    r.setInterface({ name: 'nondp', mac: '02:00:00:00:01:0a', ndp: false }, 0);
    expect(due(r.announce(V4, {}, 0)).map((t) => t.interface)).toEqual(['nondp', 'nondp']);
    expect(due(r.announce(V6, {}, 0)).map((t) => t.interface)).toEqual(['noarp']);
  });
});

describe('Responder rejects bad input from its caller with every problem named', () => {
  it('lists every schedule problem at once', () => {
    expect(() => new Responder({ announceSchedule: [0, -1, 5, 5, Number.NaN] })).toThrow(
      /announceSchedule\[1\] = -1[\s\S]*announceSchedule\[3\] = 5 does not come after[\s\S]*announceSchedule\[4\] = NaN/,
    );
    expect(() => new Responder({ announceSchedule: [] })).toThrow('announceSchedule is empty');
  });

  it('lists every interface problem at once', () => {
    expect(new Responder().setInterface({ name: '', mac: 'zz', vlan: 5000 }, 0)).toMatchObject({
      ok: false,
      error: { kind: 'invalid-interface', message: expect.stringMatching(/name must be a non-empty string[\s\S]*mac: "zz" is not a MAC address[\s\S]*vlan 5000 is outside 0..4095/) },
    });
  });

  it('names a bad address', () => {
    expect(new Responder().announce('10.0.0.300', {}, 0)).toEqual({ ok: false, error: { kind: 'invalid-address', message: 'announce: "10.0.0.300" is not an IPv4 or IPv6 address' } });
    expect(new Responder().announce('10.0.0.1', { interfaces: [''] }, 0)).toMatchObject({ ok: false, error: { kind: 'invalid-interface', message: expect.stringContaining('interface names must be non-empty strings') } });
  });

  it('accepts addresses in any spelling and answers for the canonical one', () => {
    const r = new Responder();
    r.setInterface({ name: 'eth0', mac: OURS.toUpperCase() }, 0);
    r.announce('FD00:0:0::0100', {}, 0);
    expect(r.isAnnounced(V6)).toBe(true);
    expect(handle(r, 'eth0', { ...solicitation(), eth: { dst: '33:33:ff:00:01:00', src: CLIENT } }).kind).toBe('reply');
  });
});

describe('Responder.arpTable: what an ARP fast path answers', () => {
  const cases: Array<{ name: string; iface: string; table: ReturnType<Responder['arpTable']> }> = [
    { name: 'IPv4 addresses announced everywhere, sorted, no IPv6', iface: 'eth0', table: { mac: OURS, addresses: [V4] } },
    { name: 'plus the addresses announced on this interface only', iface: 'eth1', table: { mac: '02:00:00:00:01:0a', addresses: [V4, '10.0.0.101'] } },
    { name: 'with the interface VLAN', iface: 'vlan', table: { mac: '02:00:00:00:02:0a', vlan: 10, addresses: [V4] } },
    { name: 'nothing for an unknown interface', iface: 'eth9', table: undefined },
  ];
  it.each(cases)('$name', ({ iface, table }) => {
    expect(cases.length).toBeGreaterThan(0);
    expect(responder().arpTable(iface)).toEqual(table);
  });

  it('follows withdrawals and interfaces that do not answer ARP', () => {
    const r = responder();
    r.withdraw(V4);
    expect(r.arpTable('eth1')?.addresses).toEqual(['10.0.0.101']);
    r.setInterface({ name: 'eth1', mac: '02:00:00:00:01:0a', arp: false }, 0);
    expect(r.arpTable('eth1')?.addresses).toEqual([]);
  });
});
