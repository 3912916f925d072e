// Writers against kube-sim: conflict retries, create-or-update of owned objects, and Events with
// aggregation of repeats.
import { afterEach, describe, expect, it } from 'vitest';
import { COMBINED_PREFIX } from '../src/event-aggregator.js';
import {
  ConfigMaps,
  createOrUpdate,
  type ConfigMap,
  type Event,
  EventRecorder,
  isConflict,
  type Service,
  Services,
  updateStatus,
  updateWithRetry,
} from '../src/index.js';
import { harness, type Harness, service, waitFor } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type LoadBalancerStatus = NonNullable<Service['status']>;

async function setup(): Promise<Harness> {
  h = await harness();
  await h.sim.store.create({ ...service('web'), spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] } } as never);
  return h;
}

describe('updateStatus / updateWithRetry', () => {
  it('retries on conflict, recomputing from the fresh object', async () => {
    const { sim, client, requests } = await setup();
    let calls = 0;
    const result = await updateStatus<LoadBalancerStatus, Service>(client, Services, 'default', 'web', (current, obj) => {
      calls++;
      if (calls === 1) {
        // Another writer gets in between our read and our write.
        void sim.store.update({ ...obj, metadata: { ...obj.metadata, labels: { touched: 'yes' } } } as never);
      }
      return { ...current, loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } };
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toBe(2);
    expect(result.changed).toBe(true);
    const stored = sim.store.get('services', 'web', 'default') as Service;
    expect(stored.status?.loadBalancer?.ingress).toEqual([{ ip: '192.0.2.10' }]);
    expect(stored.metadata?.labels).toEqual({ touched: 'yes' });
    expect(requests.get('UPDATE')).toBe(2);
  });

  it('does not write a status that would not change', async () => {
    const { client, requests } = await setup();
    const set = (): Promise<unknown> => updateStatus<LoadBalancerStatus, Service>(client, Services, 'default', 'web', () => ({ loadBalancer: { ingress: [{ ip: '192.0.2.11' }] } }));
    await set();
    const writes = requests.get('UPDATE');
    const again = await updateStatus<LoadBalancerStatus, Service>(client, Services, 'default', 'web', () => ({ loadBalancer: { ingress: [{ ip: '192.0.2.11' }] } }));
    expect(again.changed).toBe(false);
    expect(requests.get('UPDATE')).toBe(writes);
    const skipped = await updateStatus<LoadBalancerStatus, Service>(client, Services, 'default', 'web', () => undefined);
    expect(skipped.changed).toBe(false);
  });

  it('starts from a cached copy without reading, leaves the copy untouched, and reads afresh on conflict', async () => {
    const { sim, client, requests } = await setup();
    const cached = sim.store.get('services', 'web', 'default') as Service;
    const pristine = structuredClone(cached);
    const result = await updateWithRetry(client, Services, 'default', 'web', (s) => {
      s.metadata = { ...s.metadata, annotations: { 'metallb.io/ip-allocated-from-pool': 'default' } };
      return s;
    }, { from: cached });
    expect(result.changed).toBe(true);
    expect(requests.get('GET') ?? 0).toBe(0);
    expect(cached).toEqual(pristine);
    // The cached copy is stale now: the first write conflicts, the retry reads and succeeds.
    const second = await updateWithRetry(client, Services, 'default', 'web', (s) => {
      s.metadata = { ...s.metadata, annotations: { ...s.metadata?.annotations, other: 'x' } };
      return s;
    }, { from: cached });
    expect(second.changed).toBe(true);
    expect(requests.get('GET')).toBe(1);
    expect((sim.store.get('services', 'web', 'default') as Service).metadata?.annotations).toEqual({ 'metallb.io/ip-allocated-from-pool': 'default', other: 'x' });
  });

  it('gives up with the conflict after the retries', async () => {
    const { sim, client } = await setup();
    const attempt = updateWithRetry(client, Services, 'default', 'web', (s) => {
      void sim.store.update({ ...s, metadata: { ...s.metadata, labels: { n: String(Math.random()) } } } as never);
      return { ...s, metadata: { ...s.metadata, annotations: { a: 'b' } } };
    }, { retries: 2 });
    await expect(attempt).rejects.toSatisfy(isConflict);
  });
});

describe('createOrUpdate', () => {
  it('creates with an owner reference, leaves an equal object alone, updates a changed one keeping foreign labels', async () => {
    const { sim, client, requests } = await setup();
    const owner = sim.store.get('services', 'web', 'default') as Service;
    const desired = (value: string): ConfigMap => ({ metadata: { name: 'web-state', namespace: 'default', labels: { app: 'lb' } }, data: { ip: value } });
    const created = await createOrUpdate(client, ConfigMaps, desired('192.0.2.1'), { owner });
    expect(created.result).toBe('created');
    expect(created.object.metadata?.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: owner.metadata?.uid, controller: true, blockOwnerDeletion: true }]);
    const writes = (requests.get('UPDATE') ?? 0) + (requests.get('CREATE') ?? 0);
    expect((await createOrUpdate(client, ConfigMaps, desired('192.0.2.1'), { owner })).result).toBe('unchanged');
    expect((requests.get('UPDATE') ?? 0) + (requests.get('CREATE') ?? 0)).toBe(writes);
    // Someone else labels it; our update must keep that label.
    const cm = sim.store.get('configmaps', 'web-state', 'default') as ConfigMap;
    await sim.store.update({ ...cm, metadata: { ...cm.metadata, labels: { ...cm.metadata?.labels, team: 'net' } } } as never);
    const updated = await createOrUpdate(client, ConfigMaps, desired('192.0.2.2'), { owner });
    expect(updated.result).toBe('updated');
    expect(updated.object.data).toEqual({ ip: '192.0.2.2' });
    expect(updated.object.metadata?.labels).toEqual({ app: 'lb', team: 'net' });
    expect(updated.object.metadata?.ownerReferences).toHaveLength(1);
  });

  it('updates when someone else creates the object between our read and our create', async () => {
    const { sim, client } = await setup();
    sim.faults.delayRequests(300, { method: 'POST', path: '/configmaps', count: 1 });
    const racing = createOrUpdate(client, ConfigMaps, { metadata: { name: 'raced', namespace: 'default' }, data: { mine: 'yes' } });
    await new Promise((r) => setTimeout(r, 100));
    await sim.store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'raced', namespace: 'default' }, data: { theirs: 'yes' } } as never);
    const outcome = await racing;
    expect(outcome.result).toBe('updated');
    expect((sim.store.get('configmaps', 'raced', 'default') as ConfigMap).data).toEqual({ mine: 'yes' });
  });
});

describe('EventRecorder', () => {
  const events = (hh: Harness): Event[] => hh.sim.store.list('events', 'default') as Event[];

  it('writes one Event per distinct event and counts repeats onto it', async () => {
    const { sim, client } = await setup();
    const web = sim.store.get('services', 'web', 'default') as Service;
    const recorder = new EventRecorder({ client, component: 'metallb-controller', instance: 'controller-0' });
    for (let i = 0; i < 5; i++) recorder.event(web, 'Normal', 'IPAllocated', 'Assigned IP ["192.0.2.1"]');
    recorder.event(web, 'Warning', 'AllocationFailed', 'no available IPs');
    await recorder.flush();
    const list = events(h!);
    expect(list).toHaveLength(2);
    const allocated = list.find((e) => e.reason === 'IPAllocated') as Event;
    expect(allocated.count).toBe(5);
    expect(allocated).toMatchObject({
      type: 'Normal',
      message: 'Assigned IP ["192.0.2.1"]',
      involvedObject: { kind: 'Service', namespace: 'default', name: 'web', uid: web.metadata?.uid, apiVersion: 'v1' },
      source: { component: 'metallb-controller' },
      reportingComponent: 'metallb-controller',
      reportingInstance: 'controller-0',
    });
    // Repeats after the first write become patches of the count.
    recorder.event(web, 'Normal', 'IPAllocated', 'Assigned IP ["192.0.2.1"]');
    await recorder.flush();
    expect((events(h!).find((e) => e.reason === 'IPAllocated') as Event).count).toBe(6);
    await recorder.stop();
  });

  it('combines many different messages, and starts a new Event when the old one is gone', async () => {
    const { sim, client } = await setup();
    const web = sim.store.get('services', 'web', 'default') as Service;
    const recorder = new EventRecorder({ client, component: 'c', similarThreshold: 3 });
    for (const m of ['a', 'b', 'c', 'd', 'e']) recorder.event(web, 'Warning', 'Flapping', m);
    await recorder.flush();
    const list = events(h!);
    expect(list.map((e) => e.message).sort()).toEqual([`${COMBINED_PREFIX}e`, 'a', 'b', 'c']);
    expect(list.find((e) => e.message?.startsWith(COMBINED_PREFIX))?.count).toBe(2);
    const a = list.find((e) => e.message === 'a') as Event;
    await sim.store.delete('events', a.metadata?.name ?? '', 'default');
    recorder.event(web, 'Warning', 'Flapping', 'a');
    await recorder.flush();
    const again = events(h!).filter((e) => e.message === 'a');
    expect(again).toHaveLength(1);
    expect(again[0]?.count).toBe(2);
    expect(again[0]?.metadata?.name).not.toBe(a.metadata?.name);
    await recorder.stop();
  });

  it('does not block the caller and retries a failing server', async () => {
    const { sim, client } = await setup();
    const web = sim.store.get('services', 'web', 'default') as Service;
    sim.faults.failRequests({ method: 'POST', path: '/events', status: 503, count: 2 });
    const recorder = new EventRecorder({ client, component: 'c' });
    const t0 = performance.now();
    recorder.event(web, 'Normal', 'Ok', 'fine');
    expect(performance.now() - t0).toBeLessThan(20);
    await waitFor(() => events(h!).length === 1, 5000, 'the Event');
    await recorder.stop();
  });
});
