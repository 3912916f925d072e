// Informers against kube-sim over HTTPS: after each kind of fault the cache must equal a fresh
// list, object by object.
import { afterEach, describe, expect, it } from 'vitest';
import { Informer, InformerFactory, httpListWatcher, resourceType, type KubeObject, Services, type Service } from '../src/index.js';
import { churn, createServices, ensureNamespace, expectConverged, harness, type Harness, prng, recorder, service, waitFor } from './helpers.js';

const fastBackoff = { initialMs: 100, maxMs: 2000, jitter: 0.5 };
let h: Harness | undefined;
let informers: Informer<KubeObject>[] = [];

afterEach(async () => {
  await Promise.all(informers.map((i) => i.stop()));
  informers = [];
  await h?.close();
  h = undefined;
});

function watchServices(harnessed: Harness, options: { pageSize?: number; namespace?: string } = {}) {
  const rec = recorder();
  const informer = new Informer<Service>(httpListWatcher(harnessed.client, Services, options.namespace ? { namespace: options.namespace } : {}), {
    backoff: fastBackoff,
    pageSize: options.pageSize ?? 100,
    observer: rec.observer,
  });
  informers.push(informer as Informer<KubeObject>);
  const events = { add: 0, update: 0, delete: 0, deleteUnknown: 0 };
  informer.addHandlers({
    onAdd: () => events.add++,
    onUpdate: () => events.update++,
    onDelete: (_o, info) => (info.finalStateUnknown ? events.deleteUnknown++ : events.delete++),
  });
  informer.start();
  return { informer, rec, events };
}

describe('informer against kube-sim', () => {
  it('lists in pages, syncs, and follows changes with old and new objects', async () => {
    h = await harness();
    await createServices(h.sim, 1234);
    const seen: string[] = [];
    const { informer } = watchServices(h);
    informer.addHandlers({
      onUpdate: (a, b) => seen.push(`update ${a.metadata?.name} ${a.metadata?.labels?.['app']}->${b.metadata?.labels?.['app']}`),
      onDelete: (o, info) => seen.push(`delete ${o.metadata?.name} ${info.finalStateUnknown}`),
    });
    await informer.synced;
    expect(informer.cache.size).toBe(1234);
    // 1234 objects at 100 per page: 13 pages.
    expect(h.requests.get('LIST')).toBe(13);
    const s = h.sim.store.get('services', 'svc-5', 'default') as Service;
    await h.sim.store.update({ ...s, metadata: { ...s.metadata, labels: { app: 'changed' } } } as never);
    await h.sim.store.delete('services', 'svc-6', 'default');
    await waitFor(() => seen.length >= 2, 5000, 'two events');
    expect(seen).toEqual(['update svc-5 app-5->changed', 'delete svc-6 false']);
    expect([...informer.cache.byLabels({ app: 'changed' })].map((o) => o.metadata?.name)).toEqual(['svc-5']);
    expect(await expectConverged(informer, h.client, Services)).toBe(1233);
  });

  it('converges after dropped watches, resuming without relisting', async () => {
    h = await harness();
    await createServices(h.sim, 300);
    const { informer, rec } = watchServices(h);
    await informer.synced;
    await waitFor(() => h!.sim.watchCount > 0, 5000, 'the first watch');
    const random = prng(1);
    let drops = 0;
    for (let round = 0; round < 5; round++) {
      await churn(h.sim, 40, random);
      drops += h.sim.faults.closeWatches();
      await churn(h.sim, 40, random);
      await waitFor(() => h!.sim.watchCount > 0, 5000, 'the watch to come back');
    }
    await expectConverged(informer, h.client, Services);
    expect(drops).toBe(5);
    expect(rec.get('end:closed')).toBeGreaterThanOrEqual(5);
    expect(rec.get('listed')).toBe(1);
  });

  it('relists after 410 Gone and reports what vanished meanwhile as deletes', async () => {
    h = await harness();
    await createServices(h.sim, 200);
    const { informer, rec, events } = watchServices(h);
    await informer.synced;
    // Keep the watch down while objects change and the history is compacted away.
    h.sim.faults.failRequests({ watch: true, status: 500 });
    h.sim.faults.closeWatches();
    for (let i = 0; i < 20; i++) await h.sim.store.delete('services', `svc-${i}`, 'default');
    await churn(h.sim, 50, prng(2));
    h.sim.faults.compactHistory();
    await waitFor(() => rec.get('error') >= 1, 5000, 'a failed watch');
    h.sim.faults.clear();
    await expectConverged(informer, h.client, Services, 15_000);
    expect(rec.get('end:gone')).toBeGreaterThanOrEqual(1);
    expect(rec.get('listed')).toBe(2);
    expect(events.deleteUnknown).toBeGreaterThanOrEqual(20);
  });

  it('converges after a server restart that lost nothing, without relisting', async () => {
    h = await harness();
    await createServices(h.sim, 200);
    const { informer, rec } = watchServices(h);
    await informer.synced;
    const outage = h.sim.faults.outage(1500);
    await churn(h.sim, 60, prng(3));
    await outage;
    await expectConverged(informer, h.client, Services, 15_000);
    expect(rec.get('listed')).toBe(1);
  });

  it('relists after a restart whose watch history starts afresh', async () => {
    h = await harness();
    await createServices(h.sim, 200);
    const { informer, rec } = watchServices(h);
    await informer.synced;
    const outage = h.sim.faults.outage(1000);
    await churn(h.sim, 60, prng(4));
    h.sim.faults.compactHistory();
    await outage;
    await expectConverged(informer, h.client, Services, 15_000);
    expect(rec.get('listed')).toBe(2);
  });

  it('keeps its resourceVersion current through bookmarks, so a quiet watch resumes without 410', async () => {
    h = await harness({ bookmarkIntervalMs: 100 });
    await createServices(h.sim, 50, 'quiet');
    const { informer, rec } = watchServices(h, { namespace: 'quiet' });
    await informer.synced;
    await createServices(h.sim, 100, 'busy');
    const serverRv = h.sim.store.resourceVersion;
    await waitFor(() => Number(informer.resourceVersion) >= serverRv, 5000, 'a bookmark carrying the latest resourceVersion');
    h.sim.faults.compactHistory();
    h.sim.faults.closeWatches();
    await h.sim.store.create(service('late', 'quiet') as never);
    await expectConverged(informer, h.client, Services, 10_000, 'quiet');
    expect(rec.get('end:gone')).toBe(0);
    expect(rec.get('listed')).toBe(1);
  });

  it('retries a throttled and failing list, honouring Retry-After', async () => {
    h = await harness();
    await createServices(h.sim, 10);
    h.sim.faults.failRequests({ watch: false, path: '/services', status: 429, retryAfterSeconds: 2, count: 1 });
    h.sim.faults.failRequests({ watch: false, path: '/services', status: 500, count: 1 });
    const started = performance.now();
    const { informer, rec } = watchServices(h);
    await informer.synced;
    expect(performance.now() - started).toBeGreaterThanOrEqual(1900);
    expect(rec.get('error')).toBe(2);
    await expectConverged(informer, h.client, Services);
  });

  it('watches custom resources through the shared factory', async () => {
    h = await harness();
    await h.sim.store.apply(POOL_CRD);
    await ensureNamespace(h.sim, 'metallb-system');
    const pools = resourceType<KubeObject & { spec?: { addresses?: string[] } }>({ group: 'metallb.io', version: 'v1beta1', plural: 'ipaddresspools', kind: 'IPAddressPool', namespaced: true });
    const factory = new InformerFactory(h.client);
    const a = factory.informer(pools, { namespace: 'metallb-system' });
    expect(factory.informer(pools, { namespace: 'metallb-system' })).toBe(a);
    expect(factory.informer(pools)).not.toBe(a);
    a.addIndex('address', (p) => p.spec?.addresses);
    factory.start();
    await factory.synced();
    await h.sim.store.create({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p1', namespace: 'metallb-system' }, spec: { addresses: ['10.0.0.0/24'] } });
    await waitFor(() => a.cache.size === 1, 5000, 'the pool');
    expect([...a.cache.byIndex('address', '10.0.0.0/24')].map((p) => p.metadata?.name)).toEqual(['p1']);
    await expectConverged(a, h.client, pools, 5000, 'metallb-system');
    await factory.stop();
  });
});

const POOL_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ipaddresspools.metallb.io
spec:
  group: metallb.io
  scope: Namespaced
  names: { plural: ipaddresspools, singular: ipaddresspool, kind: IPAddressPool, listKind: IPAddressPoolList }
  versions:
    - name: v1beta1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                addresses: { type: array, items: { type: string } }
`;
