import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Authentication } from './auth.js';
import { SESSION_STATES } from './constants.js';
import { controlPacket, type ControlPacket } from './control-packet.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const byte = fc.integer({ min: 0, max: 255 });
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

const authentication: fc.Arbitrary<Authentication> = fc.oneof(
  fc.record({ kind: fc.constant('simple-password' as const), keyId: byte, password: bytes(1, 16) }),
  fc.record({ kind: fc.constantFrom('keyed-md5' as const, 'meticulous-keyed-md5' as const), keyId: byte, reserved: byte, sequence: u32, digest: bytes(16, 16) }),
  fc.record({ kind: fc.constantFrom('keyed-sha1' as const, 'meticulous-keyed-sha1' as const), keyId: byte, reserved: byte, sequence: u32, hash: bytes(20, 20) }),
  fc.record({ kind: fc.constant('unknown' as const), authType: fc.oneof(fc.constant(0), fc.integer({ min: 6, max: 255 })), keyId: byte, data: bytes(0, 60) }),
);

const packet: fc.Arbitrary<ControlPacket> = fc
  .record(
    {
      diagnostic: fc.integer({ min: 0, max: 31 }),
      state: fc.constantFrom(...SESSION_STATES),
      poll: fc.boolean(),
      final: fc.boolean(),
      controlPlaneIndependent: fc.boolean(),
      demand: fc.boolean(),
      multipoint: fc.boolean(),
      detectMultiplier: byte,
      myDiscriminator: u32,
      yourDiscriminator: u32,
      desiredMinTxInterval: u32,
      requiredMinRxInterval: u32,
      requiredMinEchoRxInterval: u32,
      authentication,
      trailing: bytes(1, 40),
    },
    { requiredKeys: ['diagnostic', 'state', 'poll', 'final', 'controlPlaneIndependent', 'demand', 'multipoint', 'detectMultiplier', 'myDiscriminator', 'yourDiscriminator', 'desiredMinTxInterval', 'requiredMinRxInterval', 'requiredMinEchoRxInterval'] },
  )
  .map((p) => p as ControlPacket);

describe('control packet properties', () => {
  it('decode(encode(p)) is p, at any offset', () => {
    fc.assert(
      fc.property(packet, fc.integer({ min: 0, max: 8 }), (p, offset) => {
        const buf = new Uint8Array(offset + controlPacket.encodingLength(p) + 3);
        controlPacket.encode(p, buf, offset);
        expect(controlPacket.decode(buf, offset, buf.length)).toEqual({ ok: true, value: p });
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary bytes, and what it accepts re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(bytes(0, 80), (input) => {
        const result = controlPacket.decode(input);
        if (!result.ok) return;
        const length = input[3] as number;
        expect(Buffer.from(controlPacket.encode(result.value)).equals(Buffer.from(input.subarray(0, length)))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('mutated valid packets: never throws, accepted ones re-encode exactly, nothing read past end', () => {
    fc.assert(
      fc.property(packet, fc.array(fc.tuple(fc.nat(), byte), { maxLength: 4 }), fc.nat(), (p, flips, cut) => {
        const wire = controlPacket.encode(p);
        for (const [at, value] of flips) wire[at % wire.length] = value;
        const end = Math.min(wire.length, cut % (wire.length + 1));
        // Poison what lies past `end`: a decode that read it would differ from one of a copy.
        const copy = new Uint8Array(wire.length).fill(0xa5);
        copy.set(wire.subarray(0, end));
        const a = controlPacket.decode(wire, 0, end);
        const b = controlPacket.decode(copy, 0, end);
        expect(a).toEqual(b);
        if (a.ok) expect(Buffer.from(controlPacket.encode(a.value)).equals(Buffer.from(wire.subarray(0, wire[3])))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
