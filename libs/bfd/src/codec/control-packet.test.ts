import { describe, expect, it } from 'vitest';
import { controlPacket, encodeProblem, receptionProblem, type ControlPacket } from './control-packet.js';
import { Diagnostic } from './constants.js';
import { packetOf } from '../../test/helpers/packets.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const base: ControlPacket = packetOf();

// Hand-built from the RFC 5880 §4.1 layout: Vers(3) Diag(5) | Sta(2) P F C A D M | Detect Mult |
// Length | My Discriminator | Your Discriminator | Desired Min TX | Required Min RX | Required Min Echo RX.
const cases: Array<{ name: string; bytes: string; packet: ControlPacket }> = [
  { name: 'first packet of a session (Down, slow start 1 s)', bytes: '20 40 03 18 00000001 00000000 000f4240 000f4240 00000000', packet: base },
  {
    name: 'Up with Poll, 100 ms timers, echo 50 ms',
    bytes: '20 e0 03 18 c0a80101 8359c33c 000186a0 000186a0 0000c350',
    packet: { ...base, state: 'Up', poll: true, myDiscriminator: 0xc0a80101, yourDiscriminator: 0x8359c33c, desiredMinTxInterval: 100_000, requiredMinRxInterval: 100_000, requiredMinEchoRxInterval: 50_000 },
  },
  { name: 'Final answering a Poll', bytes: '20 d0 05 18 00000002 00000003 0000c350 0000c350 00000000', packet: { ...base, state: 'Up', final: true, detectMultiplier: 5, myDiscriminator: 2, yourDiscriminator: 3, desiredMinTxInterval: 50_000, requiredMinRxInterval: 50_000 } },
  { name: 'AdminDown with diagnostic 7', bytes: '27 00 03 18 00000001 00000009 000f4240 000f4240 00000000', packet: { ...base, diagnostic: Diagnostic.AdministrativelyDown, state: 'AdminDown', yourDiscriminator: 9 } },
  { name: 'Down after detection timeout (diag 1), Init state bits', bytes: '21 80 03 18 00000001 00000000 000f4240 000f4240 00000000', packet: { ...base, diagnostic: 1, state: 'Init' } },
  { name: 'C, D and M bits, reserved diagnostic 31', bytes: '3f cb ff 18 ffffffff ffffffff ffffffff ffffffff ffffffff', packet: { ...base, diagnostic: 31, state: 'Up', controlPlaneIndependent: true, demand: true, multipoint: true, detectMultiplier: 255, myDiscriminator: 0xffffffff, yourDiscriminator: 0xffffffff, desiredMinTxInterval: 0xffffffff, requiredMinRxInterval: 0xffffffff, requiredMinEchoRxInterval: 0xffffffff } },
  {
    name: 'simple password (RFC 5880 §4.2)',
    bytes: '20 44 03 23 00000001 00000000 000f4240 000f4240 00000000 01 0b 05 70617373776f7264',
    packet: { ...base, authentication: { kind: 'simple-password', keyId: 5, password: new TextEncoder().encode('password') } },
  },
  {
    name: 'meticulous keyed MD5 (RFC 5880 §4.3)',
    bytes: '20 44 03 30 00000001 00000000 000f4240 000f4240 00000000 03 18 02 00 0000002a' + '11'.repeat(16),
    packet: { ...base, authentication: { kind: 'meticulous-keyed-md5', keyId: 2, reserved: 0, sequence: 42, digest: new Uint8Array(16).fill(0x11) } },
  },
  {
    name: 'keyed SHA1 with a nonzero reserved byte kept (RFC 5880 §4.4)',
    bytes: '20 44 03 34 00000001 00000000 000f4240 000f4240 00000000 04 1c 07 ff ffffffff' + '22'.repeat(20),
    packet: { ...base, authentication: { kind: 'keyed-sha1', keyId: 7, reserved: 0xff, sequence: 0xffffffff, hash: new Uint8Array(20).fill(0x22) } },
  },
  {
    name: 'unknown authentication type 9 passes through',
    bytes: '20 44 03 1d 00000001 00000000 000f4240 000f4240 00000000 09 05 01 abcd',
    packet: { ...base, authentication: { kind: 'unknown', authType: 9, keyId: 1, data: hex('abcd') } },
  },
  { name: 'Length 28 without A bit: the extra bytes are kept', bytes: '20 40 03 1c 00000001 00000000 000f4240 000f4240 00000000 deadbeef', packet: { ...base, trailing: hex('deadbeef') } },
  {
    name: 'authentication shorter than Length: the rest is kept',
    bytes: '20 44 03 20 00000001 00000000 000f4240 000f4240 00000000 01 05 01 7878 0102 03',
    packet: { ...base, authentication: { kind: 'simple-password', keyId: 1, password: hex('7878') }, trailing: hex('010203') },
  },
];

describe('controlPacket', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));

  it.each(cases)('decodes and re-encodes: $name', ({ bytes, packet }) => {
    const wire = hex(bytes);
    const decoded = controlPacket.decode(wire);
    expect(decoded).toEqual({ ok: true, value: packet });
    expect(controlPacket.encodingLength(packet)).toBe(wire.length);
    expect(toHex(controlPacket.encode(packet))).toBe(toHex(wire));
  });

  it('encodes into a caller buffer at an offset and decodes from there', () => {
    const buf = new Uint8Array(40).fill(0xee);
    controlPacket.encode(base, buf, 7);
    expect(buf[6]).toBe(0xee);
    expect(buf[31]).toBe(0xee);
    expect(controlPacket.decode(buf, 7, 31)).toEqual({ ok: true, value: base });
  });

  it('ignores bytes after Length (they belong to the UDP payload, not the packet)', () => {
    const wire = hex('20 40 03 18 00000001 00000000 000f4240 000f4240 00000000 ffff');
    expect(controlPacket.decode(wire)).toEqual({ ok: true, value: base });
  });

  it('returns copies, so the receive buffer can be reused', () => {
    const wire = hex(cases.find((c) => c.name.startsWith('simple password'))!.bytes);
    const decoded = controlPacket.decode(wire);
    wire.fill(0);
    expect(decoded.ok && decoded.value.authentication?.kind === 'simple-password' && Buffer.from(decoded.value.authentication.password).toString()).toBe('password');
  });

  it('refuses to encode what does not fit the fields, saying which', () => {
    expect(encodeProblem({ ...base, diagnostic: 32 })).toMatch(/diagnostic 32/);
    expect(encodeProblem({ ...base, myDiscriminator: 2 ** 32 })).toMatch(/myDiscriminator/);
    expect(encodeProblem({ ...base, detectMultiplier: 256 })).toMatch(/detect multiplier/);
    expect(encodeProblem({ ...base, authentication: { kind: 'simple-password', keyId: 1, password: new Uint8Array(17) } })).toMatch(/1 to 16 bytes/);
    expect(encodeProblem({ ...base, trailing: new Uint8Array(232) })).toMatch(/Length is one byte/);
    expect(() => controlPacket.encode({ ...base, yourDiscriminator: -1 })).toThrow(RangeError);
  });
});

describe('receptionProblem (RFC 5880 §6.8.6)', () => {
  const table: Array<[string, Partial<ControlPacket>, string | undefined]> = [
    ['a first packet is fine', {}, undefined],
    ['Detect Mult 0', { detectMultiplier: 0 }, 'zero-detect-multiplier'],
    ['M bit', { multipoint: true }, 'multipoint'],
    ['My Discriminator 0', { myDiscriminator: 0 }, 'zero-my-discriminator'],
    ['Your Discriminator 0 in Init', { state: 'Init' }, 'zero-your-discriminator'],
    ['Your Discriminator 0 in Up', { state: 'Up' }, 'zero-your-discriminator'],
    ['Your Discriminator 0 in AdminDown', { state: 'AdminDown' }, undefined],
    ['Your Discriminator set in Up', { state: 'Up', yourDiscriminator: 5 }, undefined],
  ];
  it.each(table)('%s', (_name, change, problem) => expect(receptionProblem({ ...base, ...change })).toBe(problem));
});
