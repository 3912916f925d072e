import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARP_REPLY, ARP_REQUEST } from '../arp.js';
import { type VlanTag } from '../ethernet.js';
import { ethernetFrame, type ArpFrame } from '../frame.js';
import { BROADCAST_MAC, ZERO_MAC } from '../mac.js';
import { Responder } from '../responder.js';
import { loadFastPathAddon, nativeArpTable, type FastPathAddon } from './fastpath.js';

// The native fast path must answer exactly what the TypeScript responder answers, with the same
// bytes, and stay silent on everything else (those frames go to the responder). Both are fed the
// same random and mutated frames; the addon's `decide` is the code its reader threads run.

function addon(): FastPathAddon {
  const loaded = loadFastPathAddon();
  if ('error' in loaded) throw new Error(`@lb/arp-fastpath must be built for this test (npm install builds it): ${loaded.error}`);
  return loaded.addon;
}

const OURS = '02:00:00:00:00:0a';
const OTHER_HOST = '02:00:00:00:00:0c';
const CLIENT = '02:00:00:00:00:0b';
const GROUP = '01:00:5e:00:00:01';
const ANNOUNCED = ['10.0.0.100', '10.0.0.101', '10.0.0.102'];
const ELSEWHERE = '10.0.0.103'; // announced on another interface only
const UNANNOUNCED = '10.0.0.104';

interface Scenario {
  readonly vlan: number | undefined;
  readonly announced: readonly string[];
  readonly arp: boolean;
}

function responderFor(s: Scenario): Responder {
  const r = new Responder();
  r.setInterface(s.vlan === undefined ? { name: 'eth0', mac: OURS, arp: s.arp } : { name: 'eth0', mac: OURS, vlan: s.vlan, arp: s.arp }, 0);
  r.setInterface({ name: 'eth1', mac: '02:00:00:00:01:0a' }, 0);
  for (const ip of s.announced) r.announce(ip, {}, 0);
  r.announce(ELSEWHERE, { interfaces: ['eth1'] }, 0);
  r.announce('fd00::100', {}, 0);
  return r;
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  vlan: fc.constantFrom(undefined, undefined, 0, 10, 4095),
  announced: fc.oneof({ weight: 4, arbitrary: fc.constant(ANNOUNCED) }, { weight: 1, arbitrary: fc.subarray(ANNOUNCED) }),
  arp: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
});

const mac = fc.oneof(fc.constantFrom(OURS, OTHER_HOST, CLIENT, BROADCAST_MAC, ZERO_MAC, GROUP), fc.uint8Array({ minLength: 6, maxLength: 6 }).map(macText));
const ipv4 = fc.oneof(fc.constantFrom(...ANNOUNCED, ELSEWHERE, UNANNOUNCED, '0.0.0.0'), fc.ipV4());
const anyTag = fc.option(fc.record({ id: fc.constantFrom(0, 10, 11, 4095), priority: fc.integer({ min: 0, max: 7 }), dropEligible: fc.boolean() }), { nil: undefined });

/** Mostly the tag the interface expects (none, or its VLAN with any priority), sometimes any other. */
function tagFor(vlan: number | undefined): fc.Arbitrary<VlanTag | undefined> {
  const matching = vlan === undefined ? fc.constant(undefined) : fc.record({ id: fc.constant(vlan), priority: fc.integer({ min: 0, max: 7 }), dropEligible: fc.boolean() });
  return fc.oneof({ weight: 4, arbitrary: matching }, { weight: 1, arbitrary: anyTag });
}

/** Requests, replies and gratuitous announcements, mostly well-formed and mostly about our addresses. */
const arpFrame = (vlan: number | undefined): fc.Arbitrary<ArpFrame> =>
  fc
  .record({
    dst: fc.oneof({ weight: 3, arbitrary: fc.constant(BROADCAST_MAC) }, { weight: 1, arbitrary: mac }),
    src: fc.oneof({ weight: 3, arbitrary: fc.constant(CLIENT) }, { weight: 1, arbitrary: mac }),
    vlan: tagFor(vlan),
    op: fc.oneof({ weight: 4, arbitrary: fc.constant(ARP_REQUEST) }, { weight: 1, arbitrary: fc.constantFrom(ARP_REPLY, 0, 3, 0x0101) }),
    sha: fc.oneof({ weight: 3, arbitrary: fc.constant(CLIENT) }, { weight: 1, arbitrary: mac }),
    spa: ipv4,
    tha: mac,
    tpa: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ANNOUNCED) }, { weight: 1, arbitrary: ipv4 }),
    gratuitous: fc.boolean(),
    padding: fc.option(fc.uint8Array({ minLength: 1, maxLength: 20 }), { nil: undefined }),
  })
  .map(({ dst, src, vlan, op, sha, spa, tha, tpa, gratuitous, padding }) => {
    const frame: ArpFrame = { kind: 'arp', eth: vlan ? { dst, src, vlan } : { dst, src }, arp: { op, sha, spa: gratuitous ? tpa : spa, tha, tpa } };
    return padding ? { ...frame, padding } : frame;
  });

/** Damage a frame the way a wire or a buggy stack would. */
type Mutation = { kind: 'none' } | { kind: 'truncate'; at: number } | { kind: 'flip'; at: number; value: number } | { kind: 'hardware'; field: number; value: number };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 1, arbitrary: fc.nat({ max: 60 }).map((at) => ({ kind: 'truncate' as const, at })) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat({ max: 60 }), value: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('hardware' as const), field: fc.integer({ min: 0, max: 5 }), value: fc.integer({ min: 0, max: 255 }) }) },
);

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  if (m.kind === 'none') return bytes;
  if (m.kind === 'truncate') return bytes.slice(0, Math.min(m.at, bytes.length));
  const out = bytes.slice();
  if (m.kind === 'flip') {
    if (m.at < out.length) out[m.at] = m.value;
    return out;
  }
  // Hardware/protocol type and lengths: the first six bytes of the ARP payload.
  const arp = out[12] === 0x81 && out[13] === 0x00 ? 18 : 14;
  if (arp + m.field < out.length) out[arp + m.field] = m.value;
  return out;
}

/** Random bytes, and neighbor discovery (answered by the responder, never by the fast path). */
const otherFrame: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 64 }),
  fc.uint8Array({ minLength: 28, maxLength: 40 }).map((tail) => Uint8Array.from([...Buffer.from('ffffffffffff02000000000b0806', 'hex'), ...tail])),
  fc.constant(
    ethernetFrame.encode({
      kind: 'ndp',
      eth: { dst: '33:33:ff:00:01:00', src: CLIENT },
      ipv6: { src: 'fd00::2', dst: 'ff02::1:ff00:100' },
      ndp: { type: 'solicitation', target: 'fd00::100', options: [{ kind: 'source-link-layer', mac: CLIENT }] },
    }),
  ),
);

const frameBytes = (vlan: number | undefined): fc.Arbitrary<Uint8Array> =>
  fc.oneof({ weight: 5, arbitrary: fc.tuple(arpFrame(vlan), mutation).map(([f, m]) => mutate(ethernetFrame.encode(f), m)) }, { weight: 1, arbitrary: otherFrame });

function isArp(frame: Uint8Array): boolean {
  const decoded = ethernetFrame.decode(frame);
  return decoded.ok && decoded.value.kind === 'arp';
}

describe('the native fast path agrees with the responder', () => {
  it('gives byte-identical replies, or both stay silent, on random and mutated frames', () => {
    const native = addon();
    const seen = { replies: 0, silent: 0 };
    fc.assert(
      fc.property(
        scenario.chain((s) => fc.tuple(fc.constant(s), fc.array(frameBytes(s.vlan), { minLength: 1, maxLength: 20 }))),
        ([s, frames]) => {
        const responder = responderFor(s);
        const table = nativeArpTable(responder.arpTable('eth0')!);
        for (const bytes of frames) {
          const outcome = responder.handleFrame('eth0', bytes);
          const expected = outcome.kind === 'reply' && isArp(outcome.transmit.frame) ? outcome.transmit.frame : null;
          const got = native.decide(table, bytes);
          if (expected) seen.replies += 1;
          else seen.silent += 1;
          expect(got === null ? null : Buffer.from(got).toString('hex'), `frame ${Buffer.from(bytes).toString('hex')}`).toBe(
            expected === null ? null : Buffer.from(expected).toString('hex'),
          );
        }
        },
      ),
      { numRuns: 2000 },
    );
    expect(seen.replies).toBeGreaterThan(1000);
    expect(seen.silent).toBeGreaterThan(1000);
  });

  const base: ArpFrame = {
    kind: 'arp',
    eth: { dst: BROADCAST_MAC, src: CLIENT },
    arp: { op: ARP_REQUEST, sha: CLIENT, spa: '10.0.0.2', tha: ZERO_MAC, tpa: '10.0.0.100' },
  };
  const cases: Array<{ name: string; vlan?: number; frame: ArpFrame | Uint8Array; answered: boolean }> = [
    { name: 'a broadcast request for an announced address', frame: base, answered: true },
    { name: 'a request sent to our MAC', frame: { ...base, eth: { dst: OURS, src: CLIENT } }, answered: true },
    { name: 'a probe from 0.0.0.0 (RFC 5227)', frame: { ...base, arp: { ...base.arp, spa: '0.0.0.0' } }, answered: true },
    { name: 'a request with a zero sender MAC (answered to the frame source)', frame: { ...base, arp: { ...base.arp, sha: ZERO_MAC } }, answered: true },
    { name: 'a request tagged with our VLAN, priority kept', vlan: 10, frame: { ...base, eth: { ...base.eth, vlan: { id: 10, priority: 5, dropEligible: true } } }, answered: true },
    { name: 'a request from our own MAC', frame: { ...base, eth: { dst: BROADCAST_MAC, src: OURS } }, answered: false },
    { name: 'a request tagged for another VLAN', vlan: 10, frame: { ...base, eth: { ...base.eth, vlan: { id: 11 } } }, answered: false },
    { name: 'an untagged request on a tagged interface', vlan: 10, frame: base, answered: false },
    { name: 'a tagged request on an untagged interface', frame: { ...base, eth: { ...base.eth, vlan: { id: 0 } } }, answered: false },
    { name: 'a request unicast to another host', frame: { ...base, eth: { dst: OTHER_HOST, src: CLIENT } }, answered: false },
    { name: 'a request for an unannounced address', frame: { ...base, arp: { ...base.arp, tpa: UNANNOUNCED } }, answered: false },
    { name: 'a request for an address announced on another interface', frame: { ...base, arp: { ...base.arp, tpa: ELSEWHERE } }, answered: false },
    { name: 'a reply', frame: { ...base, arp: { ...base.arp, op: ARP_REPLY } }, answered: false },
    { name: 'a gratuitous reply from another host', frame: { ...base, arp: { op: ARP_REPLY, sha: CLIENT, spa: '10.0.0.100', tha: CLIENT, tpa: '10.0.0.100' } }, answered: false },
    { name: 'a truncated request', frame: ethernetFrame.encode(base).slice(0, 41), answered: false },
  ];

  it.each(cases)('$name: answered $answered, as the responder decides', ({ vlan, frame, answered }) => {
    expect(cases.length).toBeGreaterThan(0);
    const responder = responderFor({ vlan, announced: ['10.0.0.100'], arp: true });
    const bytes = frame instanceof Uint8Array ? frame : ethernetFrame.encode(frame);
    const outcome = responder.handleFrame('eth0', bytes);
    const got = addon().decide(nativeArpTable(responder.arpTable('eth0')!), bytes);
    expect(outcome.kind === 'reply').toBe(answered);
    expect(got === null ? null : Buffer.from(got).toString('hex')).toBe(outcome.kind === 'reply' ? Buffer.from(outcome.transmit.frame).toString('hex') : null);
  });

  it('reports bad tables with the field that is wrong', () => {
    const native = addon();
    const frame = ethernetFrame.encode(base);
    expect(() => native.decide({ mac: new Uint8Array(5), vlan: -1, addresses: new Uint8Array(0) }, frame)).toThrow(/table.mac must be a Uint8Array of 6 bytes/);
    expect(() => native.decide({ mac: new Uint8Array(6), vlan: 4096, addresses: new Uint8Array(0) }, frame)).toThrow(/table.vlan must be an integer in 0..4095/);
    expect(() => native.decide({ mac: new Uint8Array(6), vlan: -1, addresses: new Uint8Array(5) }, frame)).toThrow(/table.addresses .* 4 bytes each/);
  });
});

describe('nativeArpTable', () => {
  it('packs the MAC, the VLAN (-1 when untagged) and the addresses', () => {
    const table = nativeArpTable({ mac: OURS, addresses: ['10.0.0.1', '192.0.2.255'] });
    expect(Buffer.from(table.mac).toString('hex')).toBe('02000000000a');
    expect(table.vlan).toBe(-1);
    expect([...table.addresses]).toEqual([10, 0, 0, 1, 192, 0, 2, 255]);
    expect(nativeArpTable({ mac: OURS, vlan: 7, addresses: [] }).vlan).toBe(7);
  });
});

function macText(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').replace(/(..)(?!$)/g, '$1:');
}
