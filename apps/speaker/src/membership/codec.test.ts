import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { membershipMessage } from './codec.js';
import { type DecodeError } from './errors.js';
import { BODY_CODES, type Body, type Header, type Message } from './messages.js';

const header: Header = {
  sender: 'node-a',
  recipient: 'node-b',
  epoch: 1_767_225_600_123,
  sequence: 42,
  timestamp: 1_767_225_601_000,
  incarnation: 3,
  holdDownMs: 5000,
};

const bodies: Body[] = [
  { type: 'heartbeat', digest: 0xdeadbeef },
  { type: 'ping', probe: 7 },
  { type: 'ack', probe: 7 },
  { type: 'probe-request', probe: 9, target: 'node-c' },
  { type: 'probe-reply', probe: 9, target: 'node-c', alive: true, targetEpoch: 1_767_225_000_000, targetIncarnation: 2 },
  { type: 'probe-reply', probe: 9, target: 'node-c', alive: false, targetEpoch: 0, targetIncarnation: 0 },
  { type: 'news' },
  { type: 'join' },
  { type: 'sync-request', digest: 1 },
  { type: 'unknown', code: 200, payload: new Uint8Array([1, 2, 3]) },
];

describe('membershipMessage round trip', () => {
  it.each(bodies.map((body) => [body.type, body] as const))('%s', (_type, body) => {
    const message: Message = { header, body, updates: [{ member: 'node-d', epoch: 5, incarnation: 1, status: 2, holdDownMs: 0 }] };
    const bytes = membershipMessage.encode(message);
    expect(bytes.length).toBe(membershipMessage.encodingLength(message));
    expect(membershipMessage.decode(bytes)).toEqual({ ok: true, value: message, length: bytes.length });
  });

  it('encodes at an offset into a caller buffer and decodes between offsets', () => {
    const message: Message = { header, body: { type: 'ping', probe: 1 }, updates: [] };
    const length = membershipMessage.encodingLength(message);
    const buf = new Uint8Array(length + 10).fill(0xee);
    membershipMessage.encode(message, buf, 4);
    expect(buf[3]).toBe(0xee);
    expect(buf[4 + length]).toBe(0xee);
    expect(membershipMessage.decode(buf, 4, 4 + length)).toEqual({ ok: true, value: message, length });
  });

  it('copies what it returns: zeroing a Buffer after decode leaves an unknown body intact', () => {
    const message: Message = { header, body: { type: 'unknown', code: 200, payload: new Uint8Array([1, 2, 3]) }, updates: [] };
    const datagram = Buffer.from(membershipMessage.encode(message));
    const result = membershipMessage.decode(datagram);
    datagram.fill(0);
    expect(result).toEqual({ ok: true, value: message, length: datagram.length });
  });

  it('keeps an unknown update status as its number', () => {
    const message: Message = { header, body: { type: 'news' }, updates: [{ member: 'x', epoch: 1, incarnation: 1, status: 99, holdDownMs: 0 }] };
    expect(membershipMessage.decode(membershipMessage.encode(message))).toMatchObject({ ok: true, value: message });
  });

  const name = fc.stringMatching(/^[\x21-\x7e]{1,40}$/);
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  const u53 = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
  const arbitraryBody: fc.Arbitrary<Body> = fc.oneof(
    fc.record({ type: fc.constant('heartbeat' as const), digest: u32 }),
    fc.record({ type: fc.constant('ping' as const), probe: u32 }),
    fc.record({ type: fc.constant('ack' as const), probe: u32 }),
    fc.record({ type: fc.constant('probe-request' as const), probe: u32, target: name }),
    fc.record({ type: fc.constant('probe-reply' as const), probe: u32, target: name, alive: fc.boolean(), targetEpoch: u53, targetIncarnation: u32 }),
    fc.constant({ type: 'news' as const }),
    fc.constant({ type: 'join' as const }),
    fc.record({ type: fc.constant('sync-request' as const), digest: u32 }),
    fc.record({
      type: fc.constant('unknown' as const),
      code: fc.integer({ min: 0, max: 255 }).filter((c) => !Object.values(BODY_CODES).includes(c as never)),
      payload: fc.uint8Array({ maxLength: 64 }),
    }),
  );
  const arbitraryMessage: fc.Arbitrary<Message> = fc.record({
    header: fc.record({ sender: name, recipient: name, epoch: u53, sequence: u32, timestamp: u53, incarnation: u32, holdDownMs: u32 }),
    body: arbitraryBody,
    updates: fc.array(fc.record({ member: name, epoch: u53, incarnation: u32, status: fc.integer({ min: 0, max: 255 }), holdDownMs: u32 }), { maxLength: 20 }),
  });

  it('decode(encode(m)) equals m for any message', () => {
    fc.assert(
      fc.property(arbitraryMessage, (message) => {
        const bytes = membershipMessage.encode(message);
        expect(bytes.length).toBe(membershipMessage.encodingLength(message));
        expect(membershipMessage.decode(bytes)).toEqual({ ok: true, value: message, length: bytes.length });
      }),
    );
  });

  it('never throws on arbitrary bytes, and every truncation of a valid message is refused', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const result = membershipMessage.decode(bytes);
        expect(result.ok ? typeof result.value === 'object' : result.error.kind !== undefined).toBe(true);
      }),
    );
    fc.assert(
      fc.property(arbitraryMessage, fc.nat(), (message, cut) => {
        const bytes = membershipMessage.encode(message);
        const end = cut % bytes.length;
        expect(membershipMessage.decode(bytes, 0, end).ok).toBe(false);
      }),
    );
  });
});

describe('membershipMessage refusals', () => {
  const valid = membershipMessage.encode({ header, body: { type: 'heartbeat', digest: 1 }, updates: [] });
  const mutate = (edit: (bytes: Uint8Array) => Uint8Array): Uint8Array => edit(valid.slice());
  const cases: Array<{ name: string; bytes: Uint8Array; reason: DecodeError['kind'] }> = [
    { name: 'empty', bytes: new Uint8Array(0), reason: 'truncated' },
    { name: 'version 2', bytes: mutate((b) => ((b[0] = 2), b)), reason: 'unsupported-version' },
    { name: 'empty sender name', bytes: mutate((b) => ((b[4] = 0), b)), reason: 'bad-name' },
    { name: 'control character in the sender', bytes: mutate((b) => ((b[5] = 0x0a), b)), reason: 'bad-name' },
    { name: 'heartbeat body of 3 bytes', bytes: mutate((b) => ((b[3] = 3), b)), reason: 'bad-body-length' },
    { name: 'a byte after the updates', bytes: mutate((b) => Uint8Array.from([...b, 0])), reason: 'trailing-bytes' },
    { name: 'epoch beyond 2^53', bytes: mutate((b) => ((b[4 + 7 + 7] = 0xff), b)), reason: 'bad-number' },
    { name: 'update count past the end', bytes: mutate((b) => ((b[b.length - 1] = 1), b)), reason: 'truncated' },
  ];
  it.each(cases)('$name → $reason', ({ bytes, reason }) => {
    const result = membershipMessage.decode(bytes);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe(reason);
    expect(String(result.error)).toContain(reason);
  });
  it('covers the cases', () => expect(cases.length).toBeGreaterThan(0));
});

describe('membershipMessage.encode refuses what it cannot write', () => {
  const cases: Array<[string, Message]> = [
    ['a name with a space', { header: { ...header, sender: 'node a' }, body: { type: 'news' }, updates: [] }],
    ['a name of 256 characters', { header: { ...header, recipient: 'x'.repeat(256) }, body: { type: 'news' }, updates: [] }],
    ['a negative sequence', { header: { ...header, sequence: -1 }, body: { type: 'news' }, updates: [] }],
    ['a fractional epoch', { header: { ...header, epoch: 1.5 }, body: { type: 'news' }, updates: [] }],
    ['256 updates', { header, body: { type: 'news' }, updates: Array.from({ length: 256 }, () => ({ member: 'x', epoch: 1, incarnation: 1, status: 1, holdDownMs: 0 })) }],
  ];
  it.each(cases)('%s', (_name, message) => {
    expect(() => membershipMessage.encode(message)).toThrow(RangeError);
  });
});
