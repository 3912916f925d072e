import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ARP_REQUEST } from './arp.js';
import { icmpv6Checksum } from './checksum.js';
import { DecodeError } from './errors.js';
import { ethernetFrame, type Frame, type NdpFrame } from './frame.js';
import { ndpMessage, type NdpOption } from './ndp.js';

const MAC_B = '02:00:00:00:00:0b';

const arpRequest: Frame = {
  kind: 'arp',
  eth: { dst: 'ff:ff:ff:ff:ff:ff', src: MAC_B },
  arp: { op: ARP_REQUEST, sha: MAC_B, spa: '10.0.0.2', tha: '00:00:00:00:00:00', tpa: '10.0.0.100' },
};
const solicitation: Frame = {
  kind: 'ndp',
  eth: { dst: '33:33:ff:00:01:00', src: MAC_B },
  ipv6: { src: 'fd00::2', dst: 'ff02::1:ff00:100' },
  ndp: { type: 'solicitation', target: 'fd00::100', options: [{ kind: 'source-link-layer', mac: MAC_B }] },
};
const encoded = (f: Frame): Uint8Array => ethernetFrame.encode(f);
const patched = (f: Frame, at: number, value: number): Uint8Array => {
  const out = encoded(f);
  out[at] = value;
  return out;
};
/** Recomputes the ICMPv6 checksum of an untagged frame after a test changed its bytes. */
const withFixedChecksum = (raw: Uint8Array): Uint8Array => {
  const out = Uint8Array.from(raw);
  out[56] = 0;
  out[57] = 0;
  const checksum = icmpv6Checksum(out, 54, out.length, 22, 38);
  out[56] = checksum >> 8;
  out[57] = checksum & 0xff;
  return out;
};

describe('ethernetFrame.decode refuses malformed frames with a reason and where', () => {
  const cases: Array<{ name: string; raw: Uint8Array; reason: string; offset?: number }> = [
    { name: 'empty frame', raw: new Uint8Array(0), reason: 'truncated', offset: 0 },
    { name: 'header only', raw: encoded(arpRequest).subarray(0, 14), reason: 'truncated', offset: 14 },
    { name: 'ARP cut short', raw: encoded(arpRequest).subarray(0, 41), reason: 'truncated' },
    { name: 'VLAN tag cut short', raw: Uint8Array.from([...encoded(arpRequest).subarray(0, 12), 0x81, 0x00, 0x00]), reason: 'truncated', offset: 12 },
    { name: 'IPv4 ethertype', raw: patched(arpRequest, 13, 0x00), reason: 'unsupported-ethertype', offset: 12 },
    { name: 'ARP hardware type 6', raw: patched(arpRequest, 15, 6), reason: 'unsupported-hardware', offset: 14 },
    { name: 'ARP hardware length 20 (InfiniBand)', raw: patched(arpRequest, 18, 20), reason: 'unsupported-hardware' },
    { name: 'ARP protocol length 16', raw: patched(arpRequest, 19, 16), reason: 'unsupported-hardware' },
    { name: 'IPv6 cut short', raw: encoded(solicitation).subarray(0, 50), reason: 'truncated', offset: 14 },
    { name: 'IPv6 payload cut short', raw: encoded(solicitation).subarray(0, 80), reason: 'truncated', offset: 18 },
    { name: 'IP version 4 in an IPv6 frame', raw: patched(solicitation, 14, 0x45), reason: 'bad-ipv6-header', offset: 14 },
    { name: 'next header UDP', raw: patched(solicitation, 20, 17), reason: 'not-neighbor-discovery', offset: 20 },
    { name: 'ICMPv6 echo request', raw: patched(solicitation, 54, 128), reason: 'not-neighbor-discovery', offset: 54 },
    { name: 'router solicitation', raw: patched(solicitation, 54, 133), reason: 'not-neighbor-discovery' },
    { name: 'hop limit 64', raw: patched(solicitation, 21, 64), reason: 'bad-hop-limit', offset: 21 },
    { name: 'checksum off by one', raw: patched(solicitation, 57, encoded(solicitation)[57]! ^ 1), reason: 'bad-checksum', offset: 56 },
    { name: 'ICMPv6 code 1', raw: patched(solicitation, 55, 1), reason: 'bad-code', offset: 55 },
  ];
  it.each(cases)('$name -> $reason', ({ raw, reason, offset }) => {
    const result = ethernetFrame.decode(raw);
    expect(result.ok).toBe(false);
    const error = (result as { error: DecodeError }).error;
    expect(error).toBeInstanceOf(DecodeError);
    expect(error.kind).toBe(reason);
    if (offset !== undefined) expect(error.offset).toBe(offset);
    expect(error.message.length).toBeGreaterThan(10);
  });

  it('names the expected checksum', () => {
    const raw = encoded(solicitation);
    const good = ((raw[56]! << 8) | raw[57]!).toString(16).padStart(4, '0');
    raw[57] = raw[57]! ^ 1;
    expect((ethernetFrame.decode(raw) as { error: DecodeError }).error.message).toContain(`expected 0x${good}`);
  });

  const semantic: Array<{ name: string; frame: Frame; reason: string }> = [
    { name: 'multicast target', frame: { ...solicitation, ndp: { type: 'solicitation', target: 'ff02::1', options: [] } }, reason: 'multicast-target' },
    {
      name: 'option of length zero',
      frame: { ...solicitation, ndp: { type: 'solicitation', target: 'fd00::100', options: [{ kind: 'unknown', type: 5, data: new Uint8Array(6) }] } },
      reason: 'bad-option',
    },
    {
      name: 'DAD with a source link-layer option',
      frame: { ...solicitation, ipv6: { src: '::', dst: 'ff02::1:ff00:100' } },
      reason: 'bad-option',
    },
    { name: 'DAD not sent to the solicited-node group', frame: { ...solicitation, ipv6: { src: '::', dst: 'ff02::1' }, ndp: { type: 'solicitation', target: 'fd00::100', options: [] } }, reason: 'bad-destination' },
    {
      name: 'solicited advertisement to multicast',
      frame: { ...solicitation, ipv6: { src: 'fd00::2', dst: 'ff02::1' }, ndp: { type: 'advertisement', router: false, solicited: true, override: true, target: 'fd00::2', options: [] } },
      reason: 'bad-destination',
    },
  ];
  it.each(semantic)('$name -> $reason', ({ frame, reason }) => {
    const raw = encoded(frame);
    if (frame.kind === 'ndp' && frame.ndp.options[0]?.kind === 'unknown') raw[14 + 40 + 24 + 1] = 0; // length zero, which encode cannot produce
    expect(ethernetFrame.decode(withFixedChecksum(raw))).toMatchObject({ ok: false, error: { kind: reason } });
  });
});

describe('ethernetFrame round trips', () => {
  const mac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => Buffer.from(b).toString('hex').replace(/(..)(?!$)/g, '$1:'));
  const ipv4 = fc.ipV4();
  const unicast6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).filter((b) => b[0] !== 0xff);
  const ipv6 = unicast6.map((b) => Buffer.from(b));
  const vlan = fc.option(fc.record({ id: fc.integer({ min: 0, max: 4095 }), priority: fc.integer({ min: 0, max: 7 }), dropEligible: fc.boolean() }), { nil: undefined });
  const padding = fc.option(fc.uint8Array({ minLength: 1, maxLength: 30 }), { nil: undefined });
  // Uncompressed text, so the round trip also exercises canonicalisation.
  const text6 = (b: Buffer): string => {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
    return groups.join(':');
  };
  const option: fc.Arbitrary<NdpOption> = fc.oneof(
    mac.map((m) => ({ kind: 'source-link-layer', mac: m }) as const),
    mac.map((m) => ({ kind: 'target-link-layer', mac: m }) as const),
    fc.integer({ min: 0, max: 3 }).chain((units) => fc.uint8Array({ minLength: 6 + units * 8, maxLength: 6 + units * 8 })).map((nonce) => ({ kind: 'nonce', nonce }) as const),
    fc
      .record({ type: fc.integer({ min: 3, max: 255 }).filter((t) => t !== 14), units: fc.integer({ min: 1, max: 3 }) })
      .chain(({ type, units }) => fc.uint8Array({ minLength: units * 8 - 2, maxLength: units * 8 - 2 }).map((data) => ({ kind: 'unknown', type, data }) as const)),
  );

  it('ARP frames: decode(encode(x)) == x', () => {
    fc.assert(
      fc.property(mac, mac, vlan, fc.integer({ min: 0, max: 0xffff }), mac, ipv4, mac, ipv4, padding, (dst, src, tag, op, sha, spa, tha, tpa, pad) => {
        const frame: Frame = { kind: 'arp', eth: tag ? { dst, src, vlan: tag } : { dst, src }, arp: { op, sha, spa, tha, tpa }, ...(pad ? { padding: pad } : {}) };
        const raw = ethernetFrame.encode(frame);
        expect(raw.length).toBe(ethernetFrame.encodingLength(frame));
        expect(ethernetFrame.decode(raw)).toEqual({ ok: true, value: frame, length: raw.length });
      }),
    );
  });

  it('NDP frames: decode(encode(x)) == x, and the checksum verifies', () => {
    fc.assert(
      fc.property(
        mac,
        mac,
        vlan,
        ipv6,
        ipv6,
        ipv6,
        fc.boolean(),
        fc.record({ router: fc.boolean(), override: fc.boolean() }),
        fc.array(option, { maxLength: 4 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 0xfffff }),
        (dst, src, tag, srcIp, dstIp, target, isSolicitation, flags, options, trafficClass, flowLabel) => {
          const ipv6 = { src: text6(srcIp), dst: text6(dstIp), trafficClass, flowLabel };
          const ndp = isSolicitation
            ? ({ type: 'solicitation', target: text6(target), options } as const)
            : ({ type: 'advertisement', router: flags.router, solicited: false, override: flags.override, target: text6(target), options } as const);
          const frame: Frame = { kind: 'ndp', eth: tag ? { dst, src, vlan: tag } : { dst, src }, ipv6, ndp };
          const result = ethernetFrame.decode(ethernetFrame.encode(frame));
          if (!result.ok) throw new Error(result.error.toString());
          const decoded = result.value;
          // Addresses come back in canonical form.
          expect(ethernetFrame.encode(decoded)).toEqual(ethernetFrame.encode(frame));
          expect(decoded.kind === 'ndp' && decoded.ndp.options).toEqual(options);
        },
      ),
    );
  });
});

describe('ethernetFrame.decode never throws', () => {
  const seeds = [encoded(arpRequest), encoded(solicitation), encoded({ ...arpRequest, eth: { ...arpRequest.eth, vlan: { id: 7 } } })];

  it('on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (raw) => {
        const result = ethernetFrame.decode(raw);
        if (result.ok) expect(ethernetFrame.encode(result.value).length).toBe(raw.length);
      }),
      { numRuns: 5000 },
    );
  });

  it('on every truncation of valid frames, which re-encode exactly when they decode', () => {
    expect(seeds.length).toBeGreaterThan(0);
    for (const seed of seeds) {
      for (let cut = 0; cut <= seed.length; cut++) {
        const raw = seed.subarray(0, cut);
        const result = ethernetFrame.decode(raw);
        if (!result.ok) expect(result.error.kind).toBe('truncated');
        else expect(ethernetFrame.encode(result.value)).toEqual(raw);
      }
    }
  });

  it('on valid frames with random bytes flipped, within a slice of a larger buffer', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (seed, flips) => {
        const big = new Uint8Array(seed.length + 20).fill(0xee);
        big.set(seed, 10);
        for (const [at, value] of flips) big[10 + (at % seed.length)] = value;
        const result = ethernetFrame.decode(big, 10, 10 + seed.length);
        if (result.ok) expect(ethernetFrame.encode(result.value)).toEqual(big.subarray(10, 10 + seed.length));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('decoders copy what they return', () => {
  const frame: Frame = {
    kind: 'ndp',
    eth: { dst: '33:33:ff:00:01:00', src: '02:00:00:00:00:0b' },
    ipv6: { src: 'fd00::2', dst: 'ff02::1:ff00:100', trafficClass: 0, flowLabel: 0 },
    ndp: {
      type: 'solicitation',
      target: 'fd00::100',
      options: [
        { kind: 'nonce', nonce: Uint8Array.of(1, 2, 3, 4, 5, 6) },
        { kind: 'unknown', type: 99, data: Uint8Array.of(7, 7, 7, 7, 7, 7) },
      ],
    },
    padding: Uint8Array.of(9, 9, 9),
  };
  const arp: Frame = { kind: 'arp', eth: { dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:0b' }, arp: { op: 1, sha: '02:00:00:00:00:0b', spa: '10.0.0.2', tha: '00:00:00:00:00:00', tpa: '10.0.0.1' }, padding: new Uint8Array(18).fill(5) };
  const inputs: Array<[string, (bytes: Uint8Array) => Uint8Array]> = [
    ['Buffer', (bytes) => Buffer.from(bytes)],
    ['Uint8Array', (bytes) => Uint8Array.from(bytes)],
  ];
  it.each(inputs)('from a %s: zeroing the input after decode changes nothing decoded', (_kind, make) => {
    for (const original of [frame, arp]) {
      const input = make(ethernetFrame.encode(original));
      const result = ethernetFrame.decode(input);
      if (!result.ok) throw new Error(result.error.toString());
      input.fill(0);
      expect(result.value).toEqual(original);
    }
    const message = make(ndpMessage.encode((frame as NdpFrame).ndp));
    const decoded = ndpMessage.decode(message);
    message.fill(0);
    expect(decoded).toMatchObject({ ok: true, value: { options: (frame as NdpFrame).ndp.options } });
  });
});
