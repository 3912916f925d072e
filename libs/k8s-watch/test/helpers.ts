// Shared by the kube-sim tests: a server and a client, objects, waiting, and the object-by-object
// comparison of an informer's cache with a fresh list from the server.
import { start, type KubeSim, type StartOptions } from '@lb/kube-sim';
import { jsonEqual } from '../src/json-equal.js';
import { connect, type Informer, type KubeClient, type KubeClientOptions, type KubeObject, objectKey, type ResourceType, type Service } from '../src/index.js';

export interface Harness {
  readonly sim: KubeSim;
  readonly client: KubeClient;
  /** Requests seen by the client, by verb. */
  readonly requests: Map<string, number>;
  close(): Promise<void>;
}

export async function harness(options: StartOptions = {}, clientOptions: KubeClientOptions = {}): Promise<Harness> {
  const sim = await start(options);
  const requests = new Map<string, number>();
  const client = await connect(
    { kubeconfig: sim.kubeconfigPath },
    { observer: { request: (verb) => requests.set(verb, (requests.get(verb) ?? 0) + 1) }, ...clientOptions },
  );
  return {
    sim,
    client,
    requests,
    async close() {
      client.close();
      await sim.stop();
    },
  };
}

export function service(name: string, namespace = 'default', labels: Record<string, string> = {}): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels }, spec: { ports: [{ port: 80, protocol: 'TCP' }], type: 'ClusterIP' } };
}

export async function ensureNamespace(sim: KubeSim, name: string): Promise<void> {
  if (!sim.store.get('namespaces', name)) await sim.store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as never);
}

export async function createServices(sim: KubeSim, count: number, namespace = 'default', prefix = 'svc'): Promise<void> {
  await ensureNamespace(sim, namespace);
  for (let i = 0; i < count; i++) await sim.store.create(service(`${prefix}-${i}`, namespace, { app: `app-${i % 7}` }) as never);
}

/** A small deterministic PRNG so that churn is the same on every run. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random creates, label updates and deletes of Services in `namespace`, straight into the store. */
export async function churn(sim: KubeSim, ops: number, random: () => number, namespace = 'default'): Promise<{ created: number; updated: number; deleted: number }> {
  const counts = { created: 0, updated: 0, deleted: 0 };
  for (let i = 0; i < ops; i++) {
    const existing = sim.store.list('services', namespace);
    const r = random();
    if (existing.length === 0 || r < 0.3) {
      await sim.store.create(service(`churn-${Math.floor(random() * 1e9).toString(36)}`, namespace, { app: 'churn' }) as never);
      counts.created++;
    } else if (r < 0.75) {
      const target = existing[Math.floor(random() * existing.length)] as Service;
      await sim.store.update({ ...target, metadata: { ...target.metadata, labels: { ...target.metadata?.labels, rev: String(i) } } } as never);
      counts.updated++;
    } else {
      const target = existing[Math.floor(random() * existing.length)] as Service;
      await sim.store.delete('services', target.metadata?.name ?? '', namespace);
      counts.deleted++;
    }
  }
  return counts;
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every list page, all namespaces. */
export async function listAll<T extends KubeObject>(client: KubeClient, type: ResourceType<T>, namespace?: string): Promise<T[]> {
  const items: T[] = [];
  let cont: string | undefined;
  do {
    const page = await client.list(type, { limit: 500, ...(cont ? { continue: cont } : {}), ...(namespace ? { namespace } : {}) });
    items.push(...page.items);
    cont = page.metadata.continue;
  } while (cont);
  return items;
}

/** Differences between the informer's cache and a fresh list: missing, extra and differing keys. */
export async function differences<T extends KubeObject>(informer: Informer<T>, client: KubeClient, type: ResourceType<T>, namespace?: string): Promise<string[]> {
  const fresh = await listAll(client, type, namespace);
  const out: string[] = [];
  const seen = new Set<string>();
  for (const obj of fresh) {
    const key = objectKey(obj);
    seen.add(key);
    const cached = informer.cache.get(key);
    if (!cached) out.push(`missing ${key}`);
    else if (!jsonEqual(cached, obj)) out.push(`differs ${key} (cached rv ${cached.metadata?.resourceVersion}, server rv ${obj.metadata?.resourceVersion})`);
  }
  for (const key of informer.cache.keys()) if (!seen.has(key)) out.push(`extra ${key}`);
  return out;
}

/** Waits until the cache equals a fresh list object by object; returns how many objects compared. */
export async function expectConverged<T extends KubeObject>(informer: Informer<T>, client: KubeClient, type: ResourceType<T>, timeoutMs = 10_000, namespace?: string): Promise<number> {
  let last: string[] = [];
  try {
    await waitFor(async () => (last = await differences(informer, client, type, namespace)).length === 0, timeoutMs, 'the informer to converge');
  } catch (error) {
    throw new Error(`${(error as Error).message}; differences: ${last.slice(0, 10).join(', ')}${last.length > 10 ? ` … (${last.length})` : ''}`);
  }
  return informer.cache.size;
}

/** Counts what an informer reports, for assertions. */
export function recorder() {
  const counts = new Map<string, number>();
  const bump = (k: string): void => void counts.set(k, (counts.get(k) ?? 0) + 1);
  return {
    counts,
    get: (k: string): number => counts.get(k) ?? 0,
    observer: {
      listed: () => bump('listed'),
      watchEnded: (reason: string) => bump(`end:${reason}`),
      malformed: () => bump('malformed'),
      error: () => bump('error'),
      handlerError: () => bump('handler-error'),
    },
  };
}
