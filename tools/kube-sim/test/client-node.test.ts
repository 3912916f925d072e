// @kubernetes/client-node 1.4 against kube-sim: its informer (list, then watch) sees every change,
// resumes after a dropped watch without relisting, relists after 410 Gone, and recovers from an
// API outage; typed clients see real metav1.Status errors.
import { CoreV1Api, CustomObjectsApi, KubeConfig, makeInformer, PatchStrategy, setHeaderOptions, type V1Service } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type KubeSim, start } from '../src/index.js';
import { eventually } from './helpers.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function service(name: string, port = 80): V1Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { type: 'LoadBalancer', ports: [{ port }] } };
}

describe('@kubernetes/client-node', () => {
  let sim: KubeSim;
  let kc: KubeConfig;
  let core: CoreV1Api;
  const stops: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    sim = await start({ bookmarkIntervalMs: 200 });
    kc = new KubeConfig();
    kc.loadFromFile(sim.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    sim.faults.clear();
  });
  afterAll(async () => {
    await sim?.stop();
  });

  /** An informer on default/services, counting its list calls and collecting its errors. */
  async function serviceInformer(): Promise<{ informer: ReturnType<typeof makeInformer<V1Service>>; lists: () => number; errors: unknown[] }> {
    let lists = 0;
    const errors: unknown[] = [];
    const informer = makeInformer<V1Service>(kc, '/api/v1/namespaces/default/services', () => {
      lists++;
      return core.listNamespacedService({ namespace: 'default' });
    });
    let stopped = false;
    informer.on('error', (err) => {
      errors.push(err);
      // client-node's informer stops on errors; restarting is the caller's job (not after the test stopped it).
      setTimeout(() => void (stopped ? undefined : informer.start().catch(() => undefined)), 100);
    });
    await informer.start();
    stops.push(() => {
      stopped = true;
      return informer.stop();
    });
    return { informer, lists: () => lists, errors };
  }

  const cacheMatchesStore = (informer: { list(namespace?: string): ReadonlyArray<V1Service> }): boolean => {
    const cached = new Map(informer.list('default').map((s) => [s.metadata?.name, s.metadata?.resourceVersion]));
    const stored = sim.store.list('services', 'default');
    return cached.size === stored.length && stored.every((s) => cached.get(s.metadata?.name) === s.metadata?.resourceVersion);
  };

  it('sees every add, update and delete', async () => {
    const { informer } = await serviceInformer();
    const seen = { add: 0, update: 0, delete: 0 };
    informer.on('add', () => seen.add++);
    informer.on('update', () => seen.update++);
    informer.on('delete', () => seen.delete++);
    for (let i = 0; i < 40; i++) await core.createNamespacedService({ namespace: 'default', body: service(`s${i}`) });
    for (let i = 0; i < 20; i++) await core.patchNamespacedService({ namespace: 'default', name: `s${i}`, body: { metadata: { labels: { touched: 'yes' } } } }, mergePatch);
    for (let i = 30; i < 40; i++) await core.deleteNamespacedService({ namespace: 'default', name: `s${i}` });
    await eventually(() => seen.add === 40 && seen.update === 20 && seen.delete === 10, `all events (saw ${JSON.stringify(seen)})`);
    expect(cacheMatchesStore(informer)).toBe(true);
  });

  it('resumes after a dropped watch without relisting', async () => {
    const { informer, lists } = await serviceInformer();
    await eventually(() => cacheMatchesStore(informer), 'the initial sync');
    expect(sim.faults.closeWatches()).toBeGreaterThan(0);
    await core.createNamespacedService({ namespace: 'default', body: service('after-drop') });
    await eventually(() => informer.get('after-drop', 'default') !== undefined, 'the object created after the drop');
    expect(lists()).toBe(1);
    expect(cacheMatchesStore(informer)).toBe(true);
  });

  it('relists after 410 Gone when its resourceVersion left the history', async () => {
    const { informer, lists } = await serviceInformer();
    await eventually(() => cacheMatchesStore(informer), 'the initial sync');
    await eventually(() => sim.watchCount > 0, 'the watch');
    // Drop the watch while the history it would resume from is gone.
    sim.faults.delayRequests(300, { watch: true, count: 1 });
    sim.faults.closeWatches();
    await sim.store.create(service('while-away'));
    await sim.store.delete('services', 's0');
    sim.faults.compactHistory();
    await eventually(() => lists() === 2, 'a relist');
    await eventually(() => informer.get('while-away', 'default') !== undefined && informer.get('s0', 'default') === undefined, 'the changes made while away');
    expect(cacheMatchesStore(informer)).toBe(true);
  });

  it('recovers from an API outage (connections refused)', async () => {
    const { informer, errors } = await serviceInformer();
    await eventually(() => cacheMatchesStore(informer), 'the initial sync');
    const outage = sim.faults.outage(400);
    await expect(core.listNamespacedService({ namespace: 'default' })).rejects.toThrow(/ECONNREFUSED|fetch failed|connect/);
    await outage;
    await sim.store.create(service('after-outage'));
    await eventually(() => informer.get('after-outage', 'default') !== undefined, 'the object created after the outage', 15_000);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('gets metav1.Status errors: 404, 409 AlreadyExists and 409 Conflict', async () => {
    const statusOf = async (p: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> => {
      try {
        await p;
      } catch (err) {
        const e = err as { code: number; body: string };
        return { code: e.code, body: JSON.parse(e.body) as Record<string, unknown> };
      }
      throw new Error('expected a failure');
    };
    expect(await statusOf(core.readNamespacedService({ namespace: 'default', name: 'nope' }))).toEqual({
      code: 404,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'services "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'services' }, code: 404 },
    });
    const exists = await statusOf(core.createNamespacedService({ namespace: 'default', body: service('s1') }));
    expect(exists).toMatchObject({ code: 409, body: { reason: 'AlreadyExists' } });
    const current = await core.readNamespacedService({ namespace: 'default', name: 's1' });
    await core.replaceNamespacedService({ namespace: 'default', name: 's1', body: { ...current, metadata: { ...current.metadata, labels: { v: '2' } } } });
    const stale = await statusOf(core.replaceNamespacedService({ namespace: 'default', name: 's1', body: { ...current, metadata: { ...current.metadata, labels: { v: '3' } } } }));
    expect(stale).toMatchObject({ code: 409, body: { reason: 'Conflict' } });
  });

  it('works with custom resources through CustomObjectsApi and an informer', async () => {
    await sim.store.apply(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Cluster
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer, default: 1}}}
          status: {type: object, properties: {ready: {type: boolean}}}
`);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const list = () => custom.listClusterCustomObject({ group: 'example.com', version: 'v1', plural: 'widgets' }) as never;
    const informer = makeInformer<{ apiVersion?: string; kind?: string; metadata?: { name?: string }; status?: { ready?: boolean } }>(kc, '/apis/example.com/v1/widgets', list);
    await informer.start();
    stops.push(() => informer.stop());
    await custom.createClusterCustomObject({ group: 'example.com', version: 'v1', plural: 'widgets', body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: {} } });
    await custom.patchClusterCustomObjectStatus({ group: 'example.com', version: 'v1', plural: 'widgets', name: 'w', body: { status: { ready: true } } }, mergePatch);
    await eventually(() => informer.get('w')?.status?.ready === true, 'the status write');
    expect(sim.store.get('widgets.example.com', 'w')?.['spec']).toEqual({ size: 1 });
  });
});
