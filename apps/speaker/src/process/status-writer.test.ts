// StatusWriter against kube-sim serving the chart's ServiceL2Status CRD: what it writes, and that a
// pass costs the API server only the writes that change something.
import { join } from 'node:path';
import { EventRecorder, connect, type KubeClient } from '@lb/k8s-watch';
import { start, type KubeSim } from '@lb/kube-sim';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { L2_STATUS_LABELS, type DesiredL2Status } from '../election/status.js';
import { ServiceL2Statuses } from './api.js';
import { createLogger } from './log.js';
import { StatusWriter } from './status-writer.js';
import { waitFor } from '@lb/netlab';

const crd = join(import.meta.dirname, '..', '..', '..', '..', 'charts', 'lb', 'crds', 'metallb.io_servicel2statuses.yaml');
const namespace = 'metallb-system';
const node = 'n1';

const desired = (name: string, iface?: string): DesiredL2Status => ({
  service: `default/${name}`,
  labels: { [L2_STATUS_LABELS.node]: node, [L2_STATUS_LABELS.serviceName]: name, [L2_STATUS_LABELS.serviceNamespace]: 'default' },
  status: { node, serviceName: name, serviceNamespace: 'default', ...(iface ? { interfaces: [{ name: iface }] } : {}) },
});
const want = (...statuses: DesiredL2Status[]): Map<string, DesiredL2Status> => new Map(statuses.map((s) => [s.service, s]));

describe('StatusWriter', () => {
  let sim: KubeSim;
  let client: KubeClient;
  let events: EventRecorder;

  beforeAll(async () => {
    sim = await start({ files: [crd] });
    client = await connect({ kubeconfig: sim.kubeconfigPath });
    events = new EventRecorder({ client, component: 'metallb-speaker', host: node });
    await client.create({ group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false } as never, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  });
  afterAll(async () => {
    await events?.stop();
    client?.close();
    await sim?.stop();
  });
  beforeEach(async () => {
    for (const o of (await client.list(ServiceL2Statuses, { namespace })).items) await client.delete(ServiceL2Statuses, namespace, o.metadata?.name ?? '');
  });

  const writer = (passDelayMs = 0): StatusWriter => new StatusWriter({ client, events, log: createLogger('error'), namespace, node, service: () => undefined, passDelayMs });
  const statuses = async (): Promise<Array<{ service: string; status: unknown }>> =>
    (await client.list(ServiceL2Statuses, { namespace })).items
      .map((o) => ({ service: o.metadata?.labels?.[L2_STATUS_LABELS.serviceName] ?? '', status: o.status }))
      .sort((a, b) => a.service.localeCompare(b.service));

  it('lists once, then writes only what changed: creates, updates (clearing what is no longer said) and deletes', async () => {
    const w = writer();
    w.set(want(desired('a'), desired('b', 'eth0')), []);
    await w.flush();
    expect(await statuses()).toEqual([
      { service: 'a', status: desired('a').status },
      { service: 'b', status: desired('b', 'eth0').status },
    ]);
    expect(w.counts).toEqual({ lists: 1, passes: 1, writes: 4 });

    // Unchanged: a pass writes nothing and lists nothing.
    w.set(want(desired('a'), desired('b', 'eth0')), []);
    await w.flush();
    expect(w.counts).toEqual({ lists: 1, passes: 2, writes: 4 });

    // b loses its interface (a merge patch with null), a goes, c comes.
    w.set(want(desired('b'), desired('c')), []);
    await w.flush();
    expect(await statuses()).toEqual([
      { service: 'b', status: desired('b').status },
      { service: 'c', status: desired('c').status },
    ]);
    expect(w.counts).toEqual({ lists: 1, passes: 3, writes: 4 + 1 + 2 + 1 });
    w.stop();
  });

  it('takes over what an earlier process wrote: duplicates and strays deleted, nothing rewritten that is right', async () => {
    const first = writer();
    first.set(want(desired('a'), desired('b')), []);
    await first.flush();
    first.stop();
    // A stray duplicate of a's object, as a crash between two writes could leave.
    const dup = await client.create(ServiceL2Statuses, { apiVersion: 'metallb.io/v1beta1', kind: 'ServiceL2Status', metadata: { name: 'l2-zz-dup', namespace, labels: desired('a').labels } });
    const second = writer();
    second.set(want(desired('a'), desired('b')), []);
    await second.flush();
    expect(second.counts).toEqual({ lists: 1, passes: 1, writes: 1 });
    expect((await client.list(ServiceL2Statuses, { namespace })).items.map((o) => o.metadata?.name)).not.toContain(dup.metadata?.name);
    expect(await statuses()).toHaveLength(2);
    second.stop();
  });

  it('lists in pages and compares statuses whatever their keys\' order: takes over all an earlier process wrote', async () => {
    const first = writer();
    const all = want(...Array.from({ length: 7 }, (_, i) => desired(`p${i}`, i % 2 ? 'eth0' : undefined)));
    first.set(all, []);
    await first.flush();
    first.stop();
    const second = new StatusWriter({ client, events, log: createLogger('error'), namespace, node, service: () => undefined, passDelayMs: 0, listPageSize: 2 });
    second.set(all, []);
    await second.flush();
    // Had it read only the first page, it would create the other 5 again; had it compared the
    // statuses in the order written, it would rewrite the 3 with interfaces (listed in another order).
    expect(second.counts).toEqual({ lists: 1, passes: 1, writes: 0 });
    expect(await statuses()).toHaveLength(7);
    second.stop();
  });

  it('makes one pass of a burst of changes', async () => {
    const w = writer(100);
    for (let i = 0; i < 20; i++) w.set(want(...Array.from({ length: i + 1 }, (_, j) => desired(`s${j}`))), []);
    await w.flush();
    expect(w.counts.passes).toBe(1);
    expect(await statuses()).toHaveLength(20);
    w.stop();
  });

  it('records every announcement Event of a burst larger than the recorder\'s queue, none dropped', async () => {
    const Events = { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true } as const;
    const before = (await client.list(Events as never, { namespace: 'default' })).items.length;
    const count = 1500;
    const w = new StatusWriter({
      client,
      events,
      log: createLogger('error'),
      namespace,
      node,
      passDelayMs: 0,
      service: (key) => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: key.slice('default/'.length), uid: key } }),
    });
    const announced = Array.from({ length: count }, (_, i) => ({ service: `default/e${i}`, type: 'Normal', reason: 'nodeAssigned', message: `announcing from node "${node}" with protocol "layer2"` }) as const);
    w.set(new Map(), announced.slice(0, 1000));
    w.set(new Map(), announced.slice(1000));
    // The writer pauses three times as long as each batch took: on a loaded machine 1,500 Events
    // take well over the default 20 s, so the wait (and the test) allow more.
    await waitFor('every Event written', async () => (await client.list(Events as never, { namespace: 'default' })).items.length - before === count, { timeoutMs: 50_000, intervalMs: 200 });
    w.stop();
  }, 60_000);

  it('lists again after a failed write, and writes what the failure left out', async () => {
    const w = writer();
    w.set(want(desired('a')), []);
    await w.flush();
    // Deleted behind its back: the patch of an update fails with NotFound.
    const [object] = (await client.list(ServiceL2Statuses, { namespace })).items;
    await client.delete(ServiceL2Statuses, namespace, object?.metadata?.name ?? '');
    w.set(want(desired('a', 'eth0')), []);
    await w.flush();
    expect(w.counts.lists).toBe(1);
    // The retry (a second later) lists again and creates it.
    await new Promise((resolve) => setTimeout(resolve, 1300));
    await w.flush();
    expect(w.counts.lists).toBe(2);
    expect(await statuses()).toEqual([{ service: 'a', status: desired('a', 'eth0').status }]);
    w.stop();
  });
});
