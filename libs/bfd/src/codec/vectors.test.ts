// Real packets of FRR 8.4's bfdd and ours (test/vectors/frr-bfdd.json, captured by
// test/vectors/capture-frr.ts), checked against tcpdump's reading of each: an independent decoder.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { controlPacket, receptionProblem } from './control-packet.js';

interface Vector {
  from: 'frr' | 'ours';
  ttl: number;
  hex: string;
  tcpdump: string;
}
const vectors = (JSON.parse(readFileSync(new URL('../../test/vectors/frr-bfdd.json', import.meta.url), 'utf8')) as { packets: Vector[] }).packets;

const field = (text: string, pattern: RegExp): string => {
  const m = pattern.exec(text);
  if (!m?.[1]) throw new Error(`tcpdump output lacks ${pattern}: ${text}`);
  return m[1];
};
const FLAG_NAMES = { poll: 'Poll', final: 'Final', controlPlaneIndependent: 'Control Plane Independent', demand: 'Demand', multipoint: 'Multipoint' } as const;

describe('FRR bfdd captures', () => {
  it('has packets from both sides', () => {
    expect(vectors.filter((v) => v.from === 'frr').length).toBeGreaterThan(5);
    expect(vectors.filter((v) => v.from === 'ours').length).toBeGreaterThan(5);
  });

  it.each(vectors.map((v, i) => [`${i} ${v.from} ${v.hex.slice(0, 4)}`, v] as const))('%s: decodes as tcpdump reads it and re-encodes byte for byte', (_name, vector) => {
    const bytes = Uint8Array.from(Buffer.from(vector.hex, 'hex'));
    const decoded = controlPacket.decode(bytes);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const p = decoded.value;
    const text = vector.tcpdump;
    expect(vector.ttl).toBe(255);
    expect(p.state).toBe(field(text, /State (\w+)/));
    const flags = field(text, /Flags: \[([^\]]*)\]/);
    for (const [key, name] of Object.entries(FLAG_NAMES)) expect(p[key as keyof typeof FLAG_NAMES], name).toBe(flags.split(', ').includes(name));
    expect(p.diagnostic).toBe(parseInt(field(text, /Diagnostic: [^(]*\(0x([0-9a-f]+)\)/), 16));
    expect(p.detectMultiplier).toBe(Number(field(text, /Detection Timer Multiplier: (\d+)/)));
    expect(p.myDiscriminator).toBe(parseInt(field(text, /My Discriminator: 0x([0-9a-f]+)/), 16));
    expect(p.yourDiscriminator).toBe(parseInt(field(text, /Your Discriminator: 0x([0-9a-f]+)/), 16));
    expect(p.desiredMinTxInterval / 1000).toBe(Number(field(text, /Desired min Tx Interval: (\d+) ms/)));
    expect(p.requiredMinRxInterval / 1000).toBe(Number(field(text, /Required min Rx Interval: (\d+) ms/)));
    expect(p.requiredMinEchoRxInterval / 1000).toBe(Number(field(text, /Required min Echo Interval: (\d+) ms/)));
    expect(p.authentication).toBeUndefined();
    expect(receptionProblem(p)).toBeUndefined();
    expect(Buffer.from(controlPacket.encode(p)).toString('hex')).toBe(vector.hex);
  });
});
