import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { arpPacket, type ArpPacket } from './arp.js';
import { ethernetFrame, type Frame } from './frame.js';
import { ndpMessage, type NdpMessage } from './ndp.js';
import { vectorsDir } from '@lb/testdata';
import { join } from 'node:path';

// Real frames with their documented meaning, shared by the whole team (see ../shared/vectors/README.md).
interface Vector {
  readonly name: string;
  readonly hex: string;
  readonly length: number;
  readonly layer: 'ethernet' | 'arp' | 'icmpv6';
  readonly decoded?: Record<string, unknown>;
  readonly upstream_expected_decoding?: unknown;
}

const file = join(vectorsDir(), 'arp-ndp.json');
const vectors = (JSON.parse(readFileSync(file, 'utf8')) as { vectors: Vector[] }).vectors;
const bytes = (v: Vector): Uint8Array => Uint8Array.from(Buffer.from(v.hex, 'hex'));
const hex16 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

/** Our decoded value, expressed in the vocabulary the vector file uses. */
function arpMeaning(arp: ArpPacket, paddingBytes = 0): Record<string, unknown> {
  return {
    htype: 1,
    ptype: '0x0800',
    hlen: 6,
    plen: 4,
    op: arp.op === 1 ? 'request' : arp.op === 2 ? 'reply' : arp.op,
    sha: arp.sha,
    spa: arp.spa,
    tha: arp.tha,
    tpa: arp.tpa,
    ...(paddingBytes > 0 ? { trailing_padding_bytes: paddingBytes } : {}),
    ...(arp.spa === arp.tpa ? { gratuitous: true } : {}),
  };
}

function ndpMeaning(ndp: NdpMessage, checksum: number): Record<string, unknown> {
  return {
    type: ndp.type === 'solicitation' ? 'NeighborSolicitation' : 'NeighborAdvertisement',
    code: 0,
    checksum: hex16(checksum),
    checksum_valid: true,
    ...(ndp.type === 'advertisement' ? { flags: { R: ndp.router, S: ndp.solicited, O: ndp.override } } : {}),
    target: ndp.target,
    options: ndp.options.map((o) => (o.kind === 'nonce' ? { type: 'Nonce', value: Buffer.from(o.nonce).toString('hex') } : o)),
  };
}

function frameMeaning(frame: Frame, raw: Uint8Array): Record<string, unknown> {
  const eth = { eth_dst: frame.eth.dst, eth_src: frame.eth.src };
  if (frame.kind === 'arp') return { ...eth, ethertype: '0x0806', arp: arpMeaning(frame.arp, frame.padding?.length ?? 0) };
  const ip = frame.eth.vlan ? 18 : 14;
  const payloadLength = (raw[ip + 4]! << 8) | raw[ip + 5]!;
  const checksum = (raw[ip + 42]! << 8) | raw[ip + 43]!;
  return {
    ...eth,
    ethertype: '0x86dd',
    ipv6: { src: frame.ipv6.src, dst: frame.ipv6.dst, hop_limit: 255, next_header: 58, payload_len: payloadLength },
    icmpv6: ndpMeaning(frame.ndp, checksum),
  };
}

describe('shared vectors (../shared/vectors/arp-ndp.json)', () => {
  it('has vectors of every layer', () => {
    expect(vectors.length).toBeGreaterThan(0);
    expect(new Set(vectors.map((v) => v.layer))).toEqual(new Set(['ethernet', 'arp', 'icmpv6']));
  });

  const frames = vectors.filter((v) => v.layer === 'ethernet');
  it('has Ethernet frames', () => expect(frames.length).toBeGreaterThan(0));
  it.each(frames.map((v) => [v.name, v] as const))('%s decodes to its meaning and re-encodes byte for byte', (_name, v) => {
    const raw = bytes(v);
    expect(raw.length).toBe(v.length);
    const decoded = ethernetFrame.decode(raw);
    if (!decoded.ok) throw new Error(decoded.error.toString());
    expect(decoded.length).toBe(raw.length);
    const frame = decoded.value;
    expect(frameMeaning(frame, raw)).toEqual(v.decoded);
    expect(ethernetFrame.encodingLength(frame)).toBe(v.length);
    expect(Buffer.from(ethernetFrame.encode(frame)).toString('hex')).toBe(v.hex);
  });

  const payloads = vectors.filter((v) => v.layer === 'arp');
  it('has bare ARP payloads', () => expect(payloads.length).toBeGreaterThan(0));
  it.each(payloads.map((v) => [v.name, v] as const))('%s decodes to its meaning and re-encodes byte for byte', (_name, v) => {
    const decoded = arpPacket.decode(bytes(v));
    if (!decoded.ok) throw new Error(decoded.error.toString());
    const packet = decoded.value;
    expect(arpMeaning(packet)).toEqual(v.decoded);
    expect(Buffer.from(arpPacket.encode(packet)).toString('hex')).toBe(v.hex);
  });

  const messages = vectors.filter((v) => v.layer === 'icmpv6');
  it('has bare ICMPv6 messages', () => expect(messages.length).toBeGreaterThan(0));
  it.each(messages.map((v) => [v.name, v] as const))('%s verifies against its pseudo-header and re-encodes byte for byte', (_name, v) => {
    const expected = v.upstream_expected_decoding as { pseudo_header: { src: string; dst: string }; checksum: string };
    const pseudo = { src: expected.pseudo_header.src, dst: expected.pseudo_header.dst };
    const raw = bytes(v);
    const decoded = ndpMessage.decode(raw, 0, raw.length, pseudo);
    if (!decoded.ok) throw new Error(decoded.error.toString());
    const message = decoded.value;
    expect(hex16((raw[2]! << 8) | raw[3]!)).toBe(expected.checksum);
    expect(message).toEqual({
      type: 'advertisement',
      router: false,
      solicited: true,
      override: true,
      target: '2001:db8::10',
      options: [{ kind: 'target-link-layer', mac: 'de:ad:be:ef:de:ad' }],
    });
    expect(Buffer.from(ndpMessage.encode(message, undefined, 0, pseudo)).toString('hex')).toBe(v.hex);
    const wrongPseudo = { src: '2001:db8::11', dst: pseudo.dst };
    expect(ndpMessage.decode(raw, 0, raw.length, wrongPseudo)).toMatchObject({ ok: false, error: { kind: 'bad-checksum' } });
  });
});
