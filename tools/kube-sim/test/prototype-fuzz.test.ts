// Fuzz (fast-check) over every write path — create, update, the three patch types, the status
// subresource, custom resources and built-in kinds — with bodies, patch paths and object keys
// drawn from the names JavaScript gives meaning to (`__proto__`, `constructor`, `prototype`, ...).
// Whatever is sent: no 5xx, Object.prototype and its friends unchanged, and keys that are data
// come back as data.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeSim, start } from '../src/index.js';

const HOSTILE = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf', 'a', 'b'];
const key = fc.constantFrom(...HOSTILE);

/** JSON text (not a JS object: the keys must reach the server exactly as written, duplicates included). */
type Tree = null | boolean | number | string | Tree[] | { entries: Array<[string, Tree]> };
const { tree } = fc.letrec<{ tree: Tree }>((t) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<Tree>(null, true, 1, 'x', '__proto__'),
    fc.array(t('tree'), { maxLength: 3 }),
    fc.record({ entries: fc.array(fc.tuple(key, t('tree')), { maxLength: 4 }) }),
  ),
}));
function json(t: Tree): string {
  if (Array.isArray(t)) return `[${t.map(json).join(',')}]`;
  if (t !== null && typeof t === 'object') return `{${t.entries.map(([k, v]) => `${JSON.stringify(k)}:${json(v)}`).join(',')}}`;
  return JSON.stringify(t);
}
const object = fc.array(fc.tuple(key, tree), { maxLength: 4 }).map((entries) => json({ entries }));
const stringMap = fc.array(fc.tuple(key, fc.constantFrom('v', '__proto__')), { maxLength: 4 }).map((entries) => json({ entries }));
// Most paths start at a prototype name and go on below it (`/__proto__/x`, `/constructor/prototype/x`);
// the rest wander through real fields first.
const segment = fc.oneof(key, fc.constantFrom('data', 'metadata', 'spec', 'status', 'labels', '0', '-'));
const pointer = fc
  .tuple(fc.oneof({ weight: 3, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype') }, { weight: 1, arbitrary: segment }), fc.array(segment, { minLength: 1, maxLength: 3 }))
  .map(([first, rest]) => `/${[first, ...rest].join('/')}`);
const jsonPatchOps = fc
  .array(
    fc.record({ op: fc.constantFrom('add', 'add', 'add', 'replace', 'remove', 'move', 'copy', 'test'), path: pointer, from: pointer, value: tree }),
    { minLength: 1, maxLength: 3 },
  )
  .map((ops) => `[${ops.map((o) => `{"op":"${o.op}","path":${JSON.stringify(o.path)},"from":${JSON.stringify(o.from)},"value":${json(o.value)}}`).join(',')}]`);
const strategicBody = fc
  .tuple(object, key, fc.constantFrom('merge', 'replace', 'delete'))
  .map(([body, k, directive]) => `{"spec":${body},"metadata":{"labels":${body}},"$setElementOrder/${k}":[${body}],"$retainKeys":["${k}"],"$deleteFromPrimitiveList/${k}":["x"],"data":{"$patch":"${directive}"}}`);

/** Own properties of the built-in prototypes, with their values: any change is pollution. */
function prototypes(): string {
  const describe = (o: object): string[] => Reflect.ownKeys(o).map((k) => `${String(k)}=${typeof (Object.getOwnPropertyDescriptor(o, k)?.value ?? 'accessor')}`);
  return JSON.stringify([Object.prototype, Array.prototype, Function.prototype, String.prototype].map(describe));
}

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.fuzz.example.com' },
  spec: {
    group: 'fuzz.example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer' }, free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }, required: ['size'], 'x-kubernetes-validations': [{ rule: 'self.size >= 0' }] },
              status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        },
      },
    ],
  },
};

describe('no body, patch path or key reaches a prototype', () => {
  let sim: KubeSim;
  let n = 0;
  const pristine = prototypes();

  beforeAll(async () => {
    sim = await start({ https: false, token: '' });
    await sim.store.create(crd);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  async function send(method: string, path: string, body: string, contentType = 'application/json'): Promise<{ status: number; body: string }> {
    const r = await fetch(`${sim.url}${path}`, { method, headers: { 'content-type': contentType }, body });
    return { status: r.status, body: await r.text() };
  }

  /** Every request: answered below 500, prototypes untouched. */
  async function check(method: string, path: string, body: string, contentType?: string): Promise<{ status: number; body: string }> {
    const r = await send(method, path, body, contentType);
    expect(r.status, `${method} ${path} ${body}\n${r.body}`).toBeLessThan(500);
    expect(prototypes()).toBe(pristine);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    return r;
  }

  const cm = (name: string, data: string, extra = ''): string => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"${extra}},"data":${data}}`;
  const widget = (name: string, free: string, extra = ''): string => `{"apiVersion":"fuzz.example.com/v1","kind":"Widget","metadata":{"name":"${name}"},"spec":{"size":1,"free":${free}${extra}}}`;
  const fresh = (prefix: string): string => `${prefix}-${n++}`;
  const params = fc.constantFrom('', '?fieldValidation=Strict', '?fieldValidation=Ignore');

  it('create: ConfigMap data keys come back exactly as sent', async () => {
    await fc.assert(
      fc.asyncProperty(stringMap, object, params, async (data, extra, q) => {
        const name = fresh('cm');
        const r = await check('POST', `/api/v1/namespaces/default/configmaps${q}`, cm(name, data, `,"annotations":{},"x":${extra}`));
        if (r.status === 201) {
          const stored = sim.store.get('configmaps', name, 'default');
          expect(JSON.stringify(stored?.['data'])).toBe(JSON.stringify(JSON.parse(data)));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('create and update: Services, custom resources', async () => {
    await fc.assert(
      fc.asyncProperty(object, object, params, async (a, b, q) => {
        const svc = fresh('svc');
        await check('POST', `/api/v1/namespaces/default/services${q}`, `{"apiVersion":"v1","kind":"Service","metadata":{"name":"${svc}","labels":${a}},"spec":{"ports":[{"port":80,"x":${b}}],"selector":${a}}}`);
        const w = fresh('w');
        await check('POST', `/apis/fuzz.example.com/v1/namespaces/default/widgets${q}`, widget(w, a, `,"extra":${b}`));
        await check('PUT', `/apis/fuzz.example.com/v1/namespaces/default/widgets/${w}${q}`, widget(w, b, `,"more":${a}`));
        await check('PUT', `/api/v1/namespaces/default/services/${svc}${q}`, `{"apiVersion":"v1","kind":"Service","metadata":{"name":"${svc}"},"spec":{"ports":[{"port":80}],"selector":${b}},"status":${a}}`);
      }),
      { numRuns: 40 },
    );
  });

  it('JSON patches with prototype paths, on built-in and custom objects', async () => {
    await check('POST', '/api/v1/namespaces/default/configmaps', cm('jp', '{"a":"b"}'));
    await check('POST', '/apis/fuzz.example.com/v1/namespaces/default/widgets', widget('jp', '{"a":1}'));
    await fc.assert(
      fc.asyncProperty(jsonPatchOps, async (ops) => {
        await check('PATCH', '/api/v1/namespaces/default/configmaps/jp', ops, 'application/json-patch+json');
        await check('PATCH', '/apis/fuzz.example.com/v1/namespaces/default/widgets/jp', ops, 'application/json-patch+json');
        await check('PATCH', '/apis/fuzz.example.com/v1/namespaces/default/widgets/jp/status', ops, 'application/json-patch+json');
      }),
      { numRuns: 60 },
    );
  });

  it('merge patches of ConfigMap data merge field by field, prototype names included', async () => {
    await check('POST', '/api/v1/namespaces/default/configmaps', cm('merge', '{"a":"b"}'));
    await fc.assert(
      fc.asyncProperty(stringMap, async (data) => {
        const before = sim.store.get('configmaps', 'merge', 'default')?.['data'] as Record<string, string> | undefined;
        const r = await check('PATCH', '/api/v1/namespaces/default/configmaps/merge', `{"data":${data}}`, 'application/merge-patch+json');
        expect(r.status).toBe(200);
        // The merge as kube-apiserver does it: every key of the patch is a field of the result.
        const expected: Record<string, unknown> = {};
        for (const [k, v] of [...Object.entries(before ?? {}), ...Object.entries(JSON.parse(data) as object)]) Object.defineProperty(expected, k, { value: v, enumerable: true, writable: true, configurable: true });
        expect(JSON.stringify(sim.store.get('configmaps', 'merge', 'default')?.['data'])).toBe(JSON.stringify(expected));
      }),
      { numRuns: 40 },
    );
  });

  it('merge and strategic merge patches, main resource and status', async () => {
    await check('POST', '/api/v1/namespaces/default/services', '{"apiVersion":"v1","kind":"Service","metadata":{"name":"mp"},"spec":{"ports":[{"port":80}]}}');
    await check('POST', '/apis/fuzz.example.com/v1/namespaces/default/widgets', widget('mp', '{"a":1}'));
    await fc.assert(
      fc.asyncProperty(object, strategicBody, params, async (body, strategic, q) => {
        await check('PATCH', `/api/v1/namespaces/default/services/mp${q}`, body, 'application/merge-patch+json');
        await check('PATCH', `/api/v1/namespaces/default/services/mp${q}`, strategic, 'application/strategic-merge-patch+json');
        await check('PATCH', `/api/v1/namespaces/default/services/mp/status${q}`, `{"status":${body}}`, 'application/merge-patch+json');
        await check('PATCH', `/apis/fuzz.example.com/v1/namespaces/default/widgets/mp${q}`, `{"spec":{"free":${body}},"metadata":{"annotations":${body}}}`, 'application/merge-patch+json');
        await check('PATCH', `/apis/fuzz.example.com/v1/namespaces/default/widgets/mp/status${q}`, `{"status":${body}}`, 'application/merge-patch+json');
      }),
      { numRuns: 40 },
    );
  });

  it('stored objects are plain JSON data', () => {
    for (const resource of ['configmaps', 'services', 'widgets.fuzz.example.com']) {
      for (const obj of sim.store.list(resource, 'default')) {
        expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
        expect(JSON.parse(JSON.stringify(obj))).toEqual(obj);
      }
    }
  });
});
