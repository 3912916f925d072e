import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { vectorsDir } from '@lb/testdata';
import { describe, expect, it } from 'vitest';
import { answersByAddress, neighborFrames, ownerChanges, parseNeighborFrame, type NeighborFrame } from './neighbor-frames.js';

interface Vector {
  readonly name: string;
  readonly hex: string;
  readonly layer: string;
  readonly decoded?: {
    eth_src: string;
    arp?: { op: string; sha: string; spa: string; tpa: string };
    ipv6?: { src: string };
    icmpv6?: { type: string; target: string; flags?: { S: boolean } };
  };
}

const vectors = (JSON.parse(readFileSync(join(vectorsDir(), 'arp-ndp.json'), 'utf8')) as { vectors: Vector[] }).vectors;
const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));

/** What the vector file's own decoding says the frame means, in this module's words. */
function expected(v: Vector): Partial<NeighborFrame> {
  const d = v.decoded!;
  if (d.arp) {
    const { op, sha, spa, tpa } = d.arp;
    if (spa === tpa) return { kind: 'gratuitous', address: spa, mac: sha };
    return op === 'request' ? { kind: spa === '0.0.0.0' ? 'probe' : 'request', address: tpa, mac: sha } : { kind: 'reply', address: spa, mac: sha };
  }
  const icmp = d.icmpv6!;
  if (icmp.type === 'NeighborSolicitation') return { kind: d.ipv6?.src === '::' ? 'dad' : 'solicit', address: icmp.target };
  return { kind: icmp.flags?.S ? 'advert' : 'unsolicited-advert', address: icmp.target, mac: d.eth_src };
}

describe('parseNeighborFrame', () => {
  const frames = vectors.filter((v) => v.layer === 'ethernet' && v.decoded);
  it('reads every real Ethernet frame of the shared vectors as the vector file decodes it', () => {
    expect(frames.length).toBeGreaterThan(0);
    for (const v of frames) expect(parseNeighborFrame(bytes(v.hex), 7n), v.name).toMatchObject({ ...expected(v), timeNs: 7n, ethSource: v.decoded!.eth_src });
  });

  const eth = (dst: string, src: string, type: string): string => `${dst}${src}${type}`;
  const node = '024c0000000b';
  const target = 'fc00f8530ccde7990000000000000214';
  const icmpNa = (flags: string, option: string): string => `88000000${flags}000000${target}${option}`;
  const ipv6 = (src: string, payload: string): string => `6000000000${(payload.length / 2).toString(16).padStart(2, '0')}3aff${src}ff020000000000000000000000000001${payload}`;
  const cases: Array<{ name: string; hex: string; want: Partial<NeighborFrame> | undefined }> = [
    {
      name: 'unsolicited NA with Override and a target link-layer address (a failover announcement)',
      hex: eth('333300000001', node, '86dd') + ipv6('fd300000000000000000000000000011', icmpNa('20', `0201${node}`)),
      want: { kind: 'unsolicited-advert', address: 'fc00:f853:ccd:e799::214', mac: '02:4c:00:00:00:0b', sender: 'fd30::11' },
    },
    {
      name: 'NS with a source link-layer address',
      hex: eth('3333ff000214', '024c00000064', '86dd') + ipv6('fd300000000000000000000000000100', `87000000 00000000 ${target} 0101024c00000064`.replace(/ /g, '')),
      want: { kind: 'solicit', address: 'fc00:f853:ccd:e799::214', mac: '02:4c:00:00:00:64', sender: 'fd30::100' },
    },
    {
      name: 'ARP reply in an 802.1Q tag',
      hex: eth('024c00000064', node, '8100') + '0014' + '0806' + '0001080006040002' + node + '0adc02d6' + '024c00000064' + 'ac1e0064',
      want: { kind: 'reply', address: '10.220.2.214', mac: '02:4c:00:00:00:0b', sender: '10.220.2.214' },
    },
    { name: 'IPv4 (not ARP)', hex: eth('024c00000064', node, '0800') + '45000014000000004006000000000000000000000000', want: undefined },
    { name: 'ARP cut short', hex: eth('ffffffffffff', node, '0806') + '00010800060400', want: undefined },
    { name: 'ICMPv6 echo (not NDP)', hex: eth('024c00000064', node, '86dd') + ipv6('fd300000000000000000000000000011', `80000000${'00'.repeat(20)}`), want: undefined },
    { name: 'a runt', hex: '0102', want: undefined },
  ];
  it.each(cases)('$name', ({ hex, want }) => {
    const parsed = parseNeighborFrame(bytes(hex));
    if (want === undefined) expect(parsed).toBeUndefined();
    else expect(parsed).toMatchObject(want);
  });
});

describe('answersByAddress and ownerChanges', () => {
  const f = (timeNs: bigint, kind: NeighborFrame['kind'], address: string, mac: string): NeighborFrame => ({ timeNs, kind, address, mac, ethSource: mac, ethDestination: '', sender: address });
  const frames = [
    f(1n, 'request', '10.0.0.9', 'cc'), // a question: not an answer
    f(2n, 'gratuitous', '10.0.0.9', 'aa'),
    f(3n, 'reply', '10.0.0.9', 'aa'),
    f(4n, 'gratuitous', '10.0.0.9', 'bb'),
    f(5n, 'reply', '10.0.0.9', 'aa'),
    f(6n, 'unsolicited-advert', 'fd::9', 'bb'),
  ];
  it('lists per address each MAC that answered, first and last time and count', () => {
    const answers = answersByAddress(frames);
    expect(answers.get('10.0.0.9')).toEqual([
      { mac: 'aa', firstNs: 2n, lastNs: 5n, count: 3 },
      { mac: 'bb', firstNs: 4n, lastNs: 4n, count: 1 },
    ]);
    expect(answers.get('fd::9')).toEqual([{ mac: 'bb', firstNs: 6n, lastNs: 6n, count: 1 }]);
  });
  it('lists the moments the answering MAC changed', () => {
    expect(ownerChanges(frames, '10.0.0.9')).toEqual([
      { mac: 'aa', timeNs: 2n },
      { mac: 'bb', timeNs: 4n },
      { mac: 'aa', timeNs: 5n },
    ]);
  });
  it('reads the frames of pcap records, leaving out other traffic', () => {
    const garp = vectors.find((v) => v.name === 'arp_gratuitous_request_announcement')!;
    expect(neighborFrames([{ timeNs: 9n, frame: bytes(garp.hex) }, { timeNs: 10n, frame: new Uint8Array(60) }])).toHaveLength(1);
  });
});
