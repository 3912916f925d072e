// Just enough of Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`) to read the
// bodies client-go's typed clients send for core/v1 kinds: kubectl's generator commands (`kubectl
// create namespace|configmap|secret|service`) and the DeleteOptions of a typed delete (helm's
// release Secrets on `helm uninstall`): the `k8s\0` Unknown envelope and the few message types
// involved, as tables of field numbers. Any other kind is refused with 415 so the client sees a
// clear error.

import { setOwn } from './objects.js';

type Field =
  | { readonly name: string; readonly type: 'string' | 'bytes' | 'int' | 'bool' }
  | { readonly name: string; readonly type: 'repeated-string' }
  | { readonly name: string; readonly type: 'message' | 'repeated-message'; readonly message: Message }
  | { readonly name: string; readonly type: 'map-string' | 'map-bytes' }
  | { readonly name: string; readonly type: 'time' | 'int-or-string' };

type Message = Readonly<Record<number, Field>>;

const ownerReference: Message = {
  1: { name: 'kind', type: 'string' },
  3: { name: 'name', type: 'string' },
  4: { name: 'uid', type: 'string' },
  5: { name: 'apiVersion', type: 'string' },
  6: { name: 'controller', type: 'bool' },
  7: { name: 'blockOwnerDeletion', type: 'bool' },
};

const objectMeta: Message = {
  1: { name: 'name', type: 'string' },
  2: { name: 'generateName', type: 'string' },
  3: { name: 'namespace', type: 'string' },
  5: { name: 'uid', type: 'string' },
  6: { name: 'resourceVersion', type: 'string' },
  7: { name: 'generation', type: 'int' },
  8: { name: 'creationTimestamp', type: 'time' },
  11: { name: 'labels', type: 'map-string' },
  12: { name: 'annotations', type: 'map-string' },
  13: { name: 'ownerReferences', type: 'repeated-message', message: ownerReference },
  14: { name: 'finalizers', type: 'repeated-string' },
};

const servicePort: Message = {
  1: { name: 'name', type: 'string' },
  2: { name: 'protocol', type: 'string' },
  3: { name: 'port', type: 'int' },
  4: { name: 'targetPort', type: 'int-or-string' },
  5: { name: 'nodePort', type: 'int' },
  6: { name: 'appProtocol', type: 'string' },
};

const serviceSpec: Message = {
  1: { name: 'ports', type: 'repeated-message', message: servicePort },
  2: { name: 'selector', type: 'map-string' },
  3: { name: 'clusterIP', type: 'string' },
  4: { name: 'type', type: 'string' },
  5: { name: 'externalIPs', type: 'repeated-string' },
  7: { name: 'sessionAffinity', type: 'string' },
  8: { name: 'loadBalancerIP', type: 'string' },
  9: { name: 'loadBalancerSourceRanges', type: 'repeated-string' },
  10: { name: 'externalName', type: 'string' },
  11: { name: 'externalTrafficPolicy', type: 'string' },
  21: { name: 'loadBalancerClass', type: 'string' },
};

const kinds: Readonly<Record<string, Message>> = {
  Namespace: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: { name: 'spec', type: 'message', message: { 1: { name: 'finalizers', type: 'repeated-string' } } },
  },
  ConfigMap: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: { name: 'data', type: 'map-string' },
    3: { name: 'binaryData', type: 'map-bytes' },
    4: { name: 'immutable', type: 'bool' },
  },
  Secret: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: { name: 'data', type: 'map-bytes' },
    3: { name: 'type', type: 'string' },
    4: { name: 'stringData', type: 'map-string' },
    5: { name: 'immutable', type: 'bool' },
  },
  Service: {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: { name: 'spec', type: 'message', message: serviceSpec },
  },
  // meta/v1 DeleteOptions, sent with apiVersion v1 in the envelope (it is registered in every group version).
  DeleteOptions: {
    1: { name: 'gracePeriodSeconds', type: 'int' },
    2: { name: 'preconditions', type: 'message', message: { 1: { name: 'uid', type: 'string' }, 2: { name: 'resourceVersion', type: 'string' } } },
    3: { name: 'orphanDependents', type: 'bool' },
    4: { name: 'propagationPolicy', type: 'string' },
    5: { name: 'dryRun', type: 'repeated-string' },
  },
};

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

class Reader {
  constructor(
    private readonly buf: Buffer,
    public pos = 0,
    private readonly end = buf.length,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++] as number;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) throw new Error('varint too long');
    }
  }

  bytes(): Buffer {
    const len = this.varint();
    if (this.pos + len > this.end) throw new Error('truncated length-delimited field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 2) this.bytes();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }

  /** Calls `fn(field, wireType)` for each field; fn must consume the value or return false. */
  fields(fn: (field: number, wireType: number) => boolean): void {
    while (!this.done) {
      const tag = this.varint();
      const field = Math.floor(tag / 8);
      const wireType = tag & 7;
      if (!fn(field, wireType)) this.skip(wireType);
    }
  }
}

function decodeMapEntry(buf: Buffer, bytesValue: boolean): [string, string] {
  const r = new Reader(buf);
  let key = '';
  let value = '';
  r.fields((f, w) => {
    if (w !== 2) return false;
    const b = r.bytes();
    if (f === 1) key = b.toString('utf8');
    else if (f === 2) value = bytesValue ? b.toString('base64') : b.toString('utf8');
    return true;
  });
  return [key, value];
}

function decodeMessage(buf: Buffer, message: Message): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const r = new Reader(buf);
  r.fields((number, wireType) => {
    const f = message[number];
    if (!f) return false;
    switch (f.type) {
      case 'string':
        out[f.name] = r.bytes().toString('utf8');
        return true;
      case 'bytes':
        out[f.name] = r.bytes().toString('base64');
        return true;
      case 'int':
        if (wireType !== 0) return false;
        out[f.name] = r.varint();
        return true;
      case 'bool':
        if (wireType !== 0) return false;
        out[f.name] = r.varint() !== 0;
        return true;
      case 'repeated-string':
        ((out[f.name] ??= []) as string[]).push(r.bytes().toString('utf8'));
        return true;
      case 'message':
        out[f.name] = decodeMessage(r.bytes(), f.message);
        return true;
      case 'repeated-message':
        ((out[f.name] ??= []) as unknown[]).push(decodeMessage(r.bytes(), f.message));
        return true;
      case 'map-string':
      case 'map-bytes': {
        const [k, v] = decodeMapEntry(r.bytes(), f.type === 'map-bytes');
        setOwn((out[f.name] ??= {}) as Record<string, string>, k, v);
        return true;
      }
      case 'time': {
        const t = decodeMessage(r.bytes(), { 1: { name: 'seconds', type: 'int' } });
        if (typeof t['seconds'] === 'number' && t['seconds'] > 0) out[f.name] = new Date(t['seconds'] * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        return true;
      }
      case 'int-or-string': {
        const v = decodeMessage(r.bytes(), { 1: { name: 'type', type: 'int' }, 2: { name: 'intVal', type: 'int' }, 3: { name: 'strVal', type: 'string' } });
        out[f.name] = v['type'] === 1 ? (v['strVal'] ?? '') : (v['intVal'] ?? 0);
        return true;
      }
    }
  });
  return out;
}

/** Go's omitempty: protobuf carries empty strings, zeros and false that JSON would leave out. */
function dropEmpty(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropEmpty);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const d = dropEmpty(x);
    if (d === '' || d === 0 || d === false) continue;
    if (typeof d === 'object' && d !== null && !Array.isArray(d) && Object.keys(d).length === 0 && k !== 'data') continue;
    out[k] = d;
  }
  return out;
}

export type ProtobufResult = { readonly ok: true; readonly value: Record<string, unknown> } | { readonly ok: false; readonly error: string };

/** Decodes a `k8s\0`-prefixed Unknown envelope into the JSON form of the object it carries. */
export function decodeProtobufObject(body: Buffer): ProtobufResult {
  if (body.length < 4 || !body.subarray(0, 4).equals(PROTOBUF_MAGIC)) return { ok: false, error: 'protobuf body lacks the k8s\\0 prefix' };
  try {
    const envelope = decodeMessage(body.subarray(4), {
      1: { name: 'typeMeta', type: 'message', message: { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } } },
      2: { name: 'raw', type: 'bytes' },
    });
    const typeMeta = (envelope['typeMeta'] ?? {}) as { apiVersion?: string; kind?: string };
    const kind = typeMeta.kind ?? '';
    const message = kinds[kind];
    if (!message || (typeMeta.apiVersion ?? '') !== 'v1') {
      return { ok: false, error: `protobuf is only accepted for v1 ${Object.keys(kinds).join(', ')}; send ${kind || 'this kind'} as application/json` };
    }
    const raw = Buffer.from(String(envelope['raw'] ?? ''), 'base64');
    const obj = dropEmpty(decodeMessage(raw, message)) as Record<string, unknown>;
    return { ok: true, value: { apiVersion: 'v1', kind, ...obj } };
  } catch (err) {
    return { ok: false, error: `malformed protobuf body: ${(err as Error).message}` };
  }
}
