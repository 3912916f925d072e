import { describe, expect, it } from 'vitest';
import { decodeProtobufObject, PROTOBUF_MAGIC } from './protobuf.js';

/** Minimal protobuf writer for building test bodies: field `n` as length-delimited bytes. */
function field(n: number, value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([varint(n * 8 + 2), varint(bytes.length), bytes]);
}
function varintField(n: number, value: number): Buffer {
  return Buffer.concat([varint(n * 8), varint(value)]);
}
function varint(v: number): Buffer {
  const out: number[] = [];
  while (v > 127) {
    out.push((v & 127) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}
function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  return Buffer.concat([PROTOBUF_MAGIC, field(1, Buffer.concat([field(1, apiVersion), field(2, kind)])), field(2, raw)]);
}

describe('decodeProtobufObject', () => {
  it('decodes a Service as kubectl create service sends it', () => {
    const meta = Buffer.concat([field(1, 'web'), field(11, Buffer.concat([field(1, 'app'), field(2, 'web')]))]);
    const port = Buffer.concat([field(1, '80-8080'), field(2, 'TCP'), varintField(3, 80), field(4, Buffer.concat([varintField(1, 0), varintField(2, 8080)]))]);
    const spec = Buffer.concat([field(1, port), field(2, Buffer.concat([field(1, 'app'), field(2, 'web')])), field(3, ''), field(4, 'LoadBalancer')]);
    const r = decodeProtobufObject(envelope('v1', 'Service', Buffer.concat([field(1, meta), field(2, spec)])));
    expect(r).toEqual({
      ok: true,
      value: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', labels: { app: 'web' } },
        spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 'web' }, type: 'LoadBalancer' },
      },
    });
  });

  it('keeps Secret data base64-encoded, as JSON carries it', () => {
    const r = decodeProtobufObject(envelope('v1', 'Secret', Buffer.concat([field(1, field(1, 's')), field(2, Buffer.concat([field(1, 'pw'), field(2, 'x')])), field(3, 'Opaque')])));
    expect(r).toEqual({ ok: true, value: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { pw: 'eA==' }, type: 'Opaque' } });
  });

  it('decodes the DeleteOptions helm uninstall sends for its release Secret (empty), and one with every field it reads', () => {
    // Captured from helm v4's `uninstall` purging the release Secret.
    const helmUninstall = Buffer.from('6b3873000a130a027631120d44656c6574654f7074696f6e7312001a002200', 'hex');
    expect(decodeProtobufObject(helmUninstall)).toEqual({ ok: true, value: { apiVersion: 'v1', kind: 'DeleteOptions' } });
    const options = Buffer.concat([varintField(1, 30), field(2, Buffer.concat([field(1, 'u-1'), field(2, '42')])), field(4, 'Foreground'), field(5, 'All')]);
    expect(decodeProtobufObject(envelope('v1', 'DeleteOptions', options))).toEqual({
      ok: true,
      value: { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 30, preconditions: { uid: 'u-1', resourceVersion: '42' }, propagationPolicy: 'Foreground', dryRun: ['All'] },
    });
  });

  const bad: Array<[string, Buffer, RegExp]> = [
    ['no k8s prefix', Buffer.from('{"kind":"x"}'), /lacks the k8s\\0 prefix/],
    ['a kind it does not know', envelope('apps/v1', 'Deployment', Buffer.alloc(0)), /only accepted for v1 Namespace, ConfigMap, Secret, Service/],
    ['a truncated varint', Buffer.concat([PROTOBUF_MAGIC, Buffer.from([0x0a, 0xff])]), /malformed protobuf body: truncated/],
    ['a length past the end', Buffer.concat([PROTOBUF_MAGIC, Buffer.from([0x0a, 0x7f, 0x01])]), /malformed protobuf body: truncated length-delimited field/],
  ];
  it.each(bad)('refuses %s with an error, not a throw', (_name, body, message) => {
    const r = decodeProtobufObject(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });
  it('ran the table', () => expect(bad.length).toBeGreaterThan(0));
});
