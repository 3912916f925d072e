import { parseLabelSelector } from '@lb/labels';
import { describe, expect, it, vi } from 'vitest';
import { KubeApi, type Target } from './api.js';
import { type Obj } from './objects.js';
import { parseFieldSelector } from './field-selectors.js';
import { ApiError } from './status.js';

function setup(historyWindow = 1000): { api: KubeApi; t: (apiVersion: string, kind: string, ns: string, name?: string, sub?: string) => Target } {
  const api = new KubeApi({ historyWindow });
  const t = (apiVersion: string, kind: string, ns: string, name = '', sub = ''): Target => {
    const target = api.targetFor(apiVersion, kind, ns, name, sub);
    if (!target) throw new Error(`no ${kind}`);
    return target;
  };
  return { api, t };
}

async function failure(p: Promise<unknown> | (() => unknown)): Promise<ApiError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

const svc = (name: string, extra: Obj = {}): Obj => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 80 }] }, ...extra });

const poolCrd: Obj = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'pools.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'pools', singular: 'pool', kind: 'Pool', listKind: 'PoolList' },
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
              spec: { type: 'object', required: ['size'], properties: { size: { type: 'integer', maximum: 10 }, auto: { type: 'boolean', default: true } } },
              status: { type: 'object', properties: { used: { type: 'integer' } } },
            },
          },
        },
      },
      { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
    ],
  },
};

describe('KubeApi', () => {
  it('gives every write a new, increasing resourceVersion and fills server metadata', async () => {
    const { api, t } = setup();
    const a = await api.create(t('v1', 'Service', 'default'), svc('a'));
    const b = await api.create(t('v1', 'Service', 'default'), svc('b'));
    const rvA = Number(a.object.metadata?.resourceVersion);
    expect(Number(b.object.metadata?.resourceVersion)).toBeGreaterThan(rvA);
    expect(a.object.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.object.metadata?.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(a.object['spec']).toMatchObject({ type: 'ClusterIP', clusterIP: expect.stringMatching(/^10\./) as unknown, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] });
    expect(a.object['status']).toEqual({ loadBalancer: {} });
  });

  it('generates names from generateName', async () => {
    const { api, t } = setup();
    const r = await api.create(t('v1', 'ConfigMap', 'default'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'cm-' } });
    expect(r.object.metadata?.name).toMatch(/^cm-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('draws another generated name when one is taken, up to 8 tries, as kube-apiserver does', async () => {
    const { api, t } = setup();
    const cm = (metadata: NonNullable<Obj['metadata']>): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata });
    await api.create(t('v1', 'ConfigMap', 'default'), cm({ name: 'cm-bbbbb' }));
    // Math.random() = 0 draws 'bbbbb' (taken), then 0.999 draws 'zzzzz'... the alphabet's last: '9'.
    const random = vi.spyOn(Math, 'random');
    try {
      random.mockReturnValueOnce(0).mockReturnValueOnce(0).mockReturnValueOnce(0).mockReturnValueOnce(0).mockReturnValueOnce(0).mockReturnValue(0.999);
      const r = await api.create(t('v1', 'ConfigMap', 'default'), cm({ generateName: 'cm-' }));
      expect(r.object.metadata?.name).toBe('cm-99999');
      // Every try taken: AlreadyExists.
      random.mockReturnValue(0);
      const failed = await failure(api.create(t('v1', 'ConfigMap', 'default'), cm({ generateName: 'cm-' })));
      expect(failed.status).toMatchObject({ code: 409, reason: 'AlreadyExists' });
      expect(random).toHaveBeenCalledTimes(5 + 5 + 8 * 5);
    } finally {
      random.mockRestore();
    }
  });

  it('refuses duplicates, missing namespaces and bad names with the real reasons', async () => {
    const { api, t } = setup();
    await api.create(t('v1', 'Service', 'default'), svc('a'));
    const dup = await failure(api.create(t('v1', 'Service', 'default'), svc('a')));
    expect(dup.status).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'services "a" already exists', details: { name: 'a', kind: 'services' } });
    const noNs = await failure(api.create(t('v1', 'Service', 'nope'), { ...svc('b'), metadata: { name: 'b' } }));
    expect(noNs.status).toMatchObject({ code: 404, reason: 'NotFound', message: 'namespaces "nope" not found' });
    const bad = await failure(api.create(t('v1', 'ConfigMap', 'default'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name', labels: { 'bad key': 'x' } } }));
    expect(bad.status.code).toBe(422);
    expect(bad.status.details?.causes?.map((c) => c.field)).toEqual(['metadata.name', 'metadata.labels']);
  });

  it('rejects a stale resourceVersion with 409 Conflict and skips no-op updates', async () => {
    const { api, t } = setup();
    const created = (await api.create(t('v1', 'Service', 'default'), svc('a'))).object;
    const target = t('v1', 'Service', 'default', 'a');
    const updated = (await api.update(target, { ...created, metadata: { ...created.metadata, labels: { x: '1' } } })).object;
    const stale = await failure(api.update(target, { ...created, metadata: { ...created.metadata, labels: { x: '2' } } }));
    expect(stale.status).toMatchObject({ code: 409, reason: 'Conflict', message: 'Operation cannot be fulfilled on services "a": the object has been modified; please apply your changes to the latest version and try again' });
    const rv = api.store.resourceVersion;
    const same = (await api.update(target, updated)).object;
    expect(api.store.resourceVersion).toBe(rv);
    expect(same.metadata?.resourceVersion).toBe(updated.metadata?.resourceVersion);
  });

  it('keeps status out of main writes and spec out of status writes', async () => {
    const { api, t } = setup();
    await api.create(t('v1', 'Service', 'default'), svc('a', { status: { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } } }));
    const target = t('v1', 'Service', 'default', 'a');
    expect(api.get(target)['status']).toEqual({ loadBalancer: {} });
    await api.patch(t('v1', 'Service', 'default', 'a', 'status'), 'application/merge-patch+json', { spec: { type: 'NodePort' }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } });
    const afterStatus = api.get(target);
    expect(afterStatus['status']).toEqual({ loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } });
    expect((afterStatus['spec'] as Obj)['type']).toBe('ClusterIP');
    await api.patch(target, 'application/merge-patch+json', { spec: { type: 'LoadBalancer' }, status: { loadBalancer: null } });
    const afterMain = api.get(target);
    expect((afterMain['spec'] as Obj)['type']).toBe('LoadBalancer');
    expect(afterMain['status']).toEqual({ loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } });
  });

  it('holds objects with finalizers until the last one is removed', async () => {
    const { api, t } = setup();
    const events: string[] = [];
    api.store.onEvent((e) => events.push(e.type));
    await api.create(t('v1', 'ConfigMap', 'default'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'f', finalizers: ['example.com/hold'] } });
    const target = t('v1', 'ConfigMap', 'default', 'f');
    const del = await api.delete(target);
    expect(del.code).toBe(202);
    expect(api.get(target).metadata?.deletionTimestamp).toBeDefined();
    await api.patch(target, 'application/json-patch+json', [{ op: 'remove', path: '/metadata/finalizers' }]);
    expect((await failure(() => api.get(target))).status.reason).toBe('NotFound');
    expect(events).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
  });

  it('terminates a namespace: content deleted, then the namespace', async () => {
    const { api, t } = setup();
    await api.create(t('v1', 'Namespace', ''), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone' } });
    await api.create(t('v1', 'ConfigMap', 'gone'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['x/y'] } });
    await api.delete(t('v1', 'Namespace', '', 'gone'));
    expect(api.get(t('v1', 'Namespace', '', 'gone'))['status']).toEqual({ phase: 'Terminating' });
    const refused = await failure(api.create(t('v1', 'ConfigMap', 'gone'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'new' } }));
    expect(refused.status.code).toBe(403);
    await api.patch(t('v1', 'ConfigMap', 'gone', 'held'), 'application/merge-patch+json', { metadata: { finalizers: null } });
    expect(api.store.get('namespaces', 'gone')).toBeUndefined();
  });

  it('pages lists with limit/continue and answers 410 once history is compacted', async () => {
    const { api, t } = setup();
    for (let i = 0; i < 5; i++) await api.create(t('v1', 'ConfigMap', 'default'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` } });
    const target = t('v1', 'ConfigMap', 'default');
    const first = api.list(target, { limit: 2 });
    expect(first.items.map((s) => s.name)).toEqual(['c0', 'c1']);
    const second = api.list(target, { limit: 2, continue: first.continue as string });
    expect(second.items.map((s) => s.name)).toEqual(['c2', 'c3']);
    expect(second.resourceVersion).toBe(first.resourceVersion);
    const third = api.list(target, { limit: 2, continue: second.continue as string });
    expect(third.items.map((s) => s.name)).toEqual(['c4']);
    expect(third.continue).toBeUndefined();
    await api.create(target, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c9' } });
    api.store.compact();
    expect((await failure(() => api.list(target, { limit: 2, continue: second.continue as string }))).status).toMatchObject({ code: 410, reason: 'Expired' });
  });

  it('filters by label and field selectors', async () => {
    const { api, t } = setup();
    const pod = (name: string, node: string, app: string): Obj => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app } }, spec: { nodeName: node, containers: [{ name: 'c', image: 'i' }] } });
    await api.create(t('v1', 'Pod', 'default'), pod('p1', 'n1', 'web'));
    await api.create(t('v1', 'Pod', 'default'), pod('p2', 'n2', 'web'));
    await api.create(t('v1', 'Pod', 'default'), pod('p3', 'n1', 'db'));
    const labelSelector = parseLabelSelector('app in (web)');
    const fieldSelector = parseFieldSelector('spec.nodeName=n1', ['spec.nodeName']);
    if (!labelSelector.ok || !fieldSelector.ok) throw new Error('selector');
    expect(api.list(t('v1', 'Pod', ''), { labelSelector: labelSelector.value, fieldSelector: fieldSelector.value }).items.map((s) => s.name)).toEqual(['p1']);
  });

  it('serves a CRD at once, validating, defaulting and converting its objects', async () => {
    const { api, t } = setup();
    await api.create(t('apiextensions.k8s.io/v1', 'CustomResourceDefinition', ''), poolCrd);
    expect(api.registry.resourceList('example.com', 'v1')).toMatchObject({ resources: [{ name: 'pools', kind: 'Pool', namespaced: true }, { name: 'pools/status' }] });
    const created = await api.create(t('example.com/v1', 'Pool', 'default'), { apiVersion: 'example.com/v1', kind: 'Pool', metadata: { name: 'p' }, spec: { size: 3, junk: 1 } });
    expect(created.object['spec']).toEqual({ size: 3, auto: true });
    expect(created.warnings).toEqual(['unknown field "spec.junk"']);
    expect(created.object.metadata?.generation).toBe(1);
    const strict = await failure(api.create(t('example.com/v1', 'Pool', 'default'), { apiVersion: 'example.com/v1', kind: 'Pool', metadata: { name: 'q' }, spec: { size: 1, junk: 1 } }, { fieldValidation: 'Strict' }));
    expect(strict.status).toMatchObject({ code: 400, message: 'Pool in version "v1" cannot be handled as a Pool: strict decoding error: unknown field "spec.junk"' });
    const bad = await failure(api.create(t('example.com/v1', 'Pool', 'default'), { apiVersion: 'example.com/v1', kind: 'Pool', metadata: { name: 'r' }, spec: { size: 'big' } }));
    expect(bad.status).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message: 'Pool.example.com "r" is invalid: spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"',
      details: { group: 'example.com', kind: 'Pool', causes: [{ field: 'spec.size', reason: 'FieldValueTypeInvalid' }] },
    });
    expect(api.get(t('example.com/v1beta1', 'Pool', 'default', 'p'))['apiVersion']).toBe('example.com/v1beta1');
    const bumped = await api.patch(t('example.com/v1', 'Pool', 'default', 'p'), 'application/merge-patch+json', { spec: { size: 4 } });
    expect(bumped.object.metadata?.generation).toBe(2);
    const smp = await failure(api.patch(t('example.com/v1', 'Pool', 'default', 'p'), 'application/strategic-merge-patch+json', { spec: { size: 5 } }));
    expect(smp.status.code).toBe(415);
    await api.delete(t('apiextensions.k8s.io/v1', 'CustomResourceDefinition', '', 'pools.example.com'));
    expect(api.registry.resolve('example.com', 'v1', 'pools')).toBeUndefined();
    expect(api.store.count('pools.example.com')).toBe(0);
  });

  it('rejects a malformed CRD with every problem at once', async () => {
    const { api, t } = setup();
    const err = await failure(api.create(t('apiextensions.k8s.io/v1', 'CustomResourceDefinition', ''), { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'wrong' }, spec: { group: 'nodots', names: {}, scope: 'Everywhere', versions: [] } }));
    expect(err.status.details?.causes?.map((c) => c.field)).toEqual(['spec.group', 'spec.names.plural', 'spec.names.kind', 'spec.scope', 'spec.versions', 'metadata.name']);
  });
});

describe('KubeApi on arbitrary input', () => {
  it('answers every body with a result or a client error, never a crash or a 5xx', async () => {
    const fc = await import('fast-check');
    const { api, t } = setup();
    const json = fc.jsonValue({ maxDepth: 3 });
    const body = fc.oneof(
      json,
      fc.record({ apiVersion: fc.constantFrom('v1', 'v2', undefined), kind: fc.constantFrom('ConfigMap', 'Service', 'Namespace', ''), metadata: fc.oneof(json, fc.record({ name: json, namespace: json, labels: json, annotations: json, finalizers: json, generateName: json })), spec: json, data: json }),
    );
    await api.create(t('apiextensions.k8s.io/v1', 'CustomResourceDefinition', ''), poolCrd);
    const kinds: Array<[string, string]> = [['v1', 'ConfigMap'], ['v1', 'Service'], ['example.com/v1', 'Pool'], ['example.com/v1beta1', 'Pool']];
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom(...kinds), fc.constantFrom('create', 'merge', 'json', 'strategic'), async (b, [v, k], verb) => {
        runs++;
        try {
          if (verb === 'create') await api.create(t(v, k, 'default'), b);
          else {
            const target = t(v, k, 'default', 'fixed');
            if (!api.store.get(target.resolved.storeKey, 'default/fixed')) {
              const spec = k === 'Service' ? { spec: { ports: [{ port: 1 }] } } : k === 'Pool' ? { spec: { size: 1 } } : {};
              await api.create(t(v, k, 'default'), { apiVersion: v, kind: k, metadata: { name: 'fixed' }, ...spec });
            }
            const type = { merge: 'application/merge-patch+json', json: 'application/json-patch+json', strategic: 'application/strategic-merge-patch+json' }[verb];
            await api.patch(target, type, b);
          }
        } catch (err) {
          expect(err).toBeInstanceOf(ApiError);
          expect((err as ApiError).code).toBeGreaterThanOrEqual(400);
          expect((err as ApiError).code).toBeLessThan(500);
        }
      }),
      { numRuns: 600 },
    );
    expect(runs).toBeGreaterThan(0);
  });
});

describe('events through both APIs', () => {
  it('stores events.k8s.io/v1 Events as core/v1 Events, converting both ways', async () => {
    const { api, t } = setup();
    const created = await api.create(t('events.k8s.io/v1', 'Event', 'default'), {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'e1' },
      eventTime: '2026-01-01T00:00:00.000000Z',
      regarding: { kind: 'Service', name: 'web', namespace: 'default' },
      note: 'IP allocated',
      reason: 'IPAllocated',
      type: 'Normal',
      reportingController: 'lb-controller',
      reportingInstance: 'lb-controller-0',
      action: 'Allocate',
    });
    expect(created.object).toMatchObject({ apiVersion: 'events.k8s.io/v1', regarding: { name: 'web' }, note: 'IP allocated' });
    const core = api.get(t('v1', 'Event', 'default', 'e1'));
    expect(core).toMatchObject({ apiVersion: 'v1', kind: 'Event', involvedObject: { kind: 'Service', name: 'web' }, message: 'IP allocated', reportingComponent: 'lb-controller', reason: 'IPAllocated' });
    expect(core).not.toHaveProperty('regarding');
    await api.create(t('v1', 'Event', 'default'), { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e2' }, involvedObject: { kind: 'Pod', name: 'p' }, message: 'hello', count: 3 });
    expect(api.get(t('events.k8s.io/v1', 'Event', 'default', 'e2'))).toMatchObject({ apiVersion: 'events.k8s.io/v1', regarding: { kind: 'Pod', name: 'p' }, note: 'hello', deprecatedCount: 3 });
    const byRegarding = parseFieldSelector('regarding.name=web', ['regarding.name']);
    const byInvolved = parseFieldSelector('involvedObject.name=p', ['involvedObject.name']);
    if (!byRegarding.ok || !byInvolved.ok) throw new Error('selector');
    expect(api.list(t('events.k8s.io/v1', 'Event', 'default'), { fieldSelector: byRegarding.value }).items.map((s) => s.name)).toEqual(['e1']);
    expect(api.list(t('v1', 'Event', 'default'), { fieldSelector: byInvolved.value }).items.map((s) => s.name)).toEqual(['e2']);
    expect(api.store.count('events')).toBe(2);
    const dup = await failure(api.create(t('v1', 'Event', 'default'), { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1' }, involvedObject: {} }));
    expect(dup.status.reason).toBe('AlreadyExists');
  });
});

describe('CRD updates', () => {
  it('re-applying an unchanged CRD writes nothing; stored versions accumulate', async () => {
    const { api, t } = setup();
    const crdTarget = t('apiextensions.k8s.io/v1', 'CustomResourceDefinition', '');
    await api.create(crdTarget, poolCrd);
    const named = t('apiextensions.k8s.io/v1', 'CustomResourceDefinition', '', 'pools.example.com');
    const rv = api.store.resourceVersion;
    await api.update(named, poolCrd);
    expect(api.store.resourceVersion).toBe(rv);
    const versions = (poolCrd['spec'] as { versions: Array<Record<string, unknown>> }).versions.map((v) => ({ ...v, storage: v['name'] === 'v1beta1' }));
    await api.update(named, { ...poolCrd, spec: { ...(poolCrd['spec'] as object), versions } });
    expect(api.get(named)['status']).toMatchObject({ storedVersions: ['v1', 'v1beta1'], conditions: [{ type: 'NamesAccepted' }, { type: 'Established', status: 'True' }] });
  });
});
