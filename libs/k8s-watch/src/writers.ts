// Writes that controllers make over and over: read-modify-write with conflict retry (for status and
// for metadata such as annotations), and create-or-update of objects a controller owns. Each write
// is conditional on the version read, a 409 means "read again and redo", and a write that would
// change nothing is not sent.
import { Backoff } from './backoff.js';
import { type KubeClient } from './client.js';
import { type Clock, sleep, systemClock } from './clock.js';
import { isAlreadyExists, isConflict, isNotFound } from './errors.js';
import { jsonEqual } from './json-equal.js';
import { type KubeObject, type OwnerReference } from './objects.js';
import { apiVersionOf, type ResourceType } from './resources.js';

export interface RetryOptions {
  /** Attempts after the first, on conflict (default 5). */
  readonly retries?: number;
  /** Pause before each retry (default 10 ms doubling to 1 s, jittered). */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
}

export interface UpdateOptions<T> extends RetryOptions {
  /** Start from this copy (an informer's) instead of reading; a conflict reads afresh. */
  readonly from?: T;
  /** Write to a subresource (`status`). */
  readonly subresource?: string;
  readonly fieldManager?: string;
}

export interface WriteOutcome<T> {
  readonly object: T;
  /** False when mutate asked for no change, or the change was already there. */
  readonly changed: boolean;
}

async function withConflictRetry<R>(
  options: RetryOptions,
  attempt: (first: boolean) => Promise<R>,
  retryOn: (error: unknown) => boolean = isConflict,
): Promise<R> {
  const retries = options.retries ?? 5;
  const clock = options.clock ?? systemClock;
  const backoff = new Backoff({ initialMs: options.initialBackoffMs ?? 10, maxMs: options.maxBackoffMs ?? 1000 });
  for (let n = 0; ; n++) {
    try {
      return await attempt(n === 0);
    } catch (error) {
      if (!retryOn(error) || n >= retries) throw error;
      await sleep(clock, backoff.next(), options.signal);
    }
  }
}

/**
 * Read-modify-write of one object. `mutate` gets the current object and returns the object to
 * write (it may modify and return its argument's copy), or undefined for "leave it". The write is
 * skipped when nothing would change; on 409 Conflict the object is read again and mutate re-run.
 * With `subresource: 'status'` only the status is written. Throws NotFound when it does not exist.
 */
export function updateWithRetry<T extends KubeObject>(
  client: KubeClient,
  type: ResourceType<T>,
  namespace: string | undefined,
  name: string,
  mutate: (current: T) => T | undefined,
  options: UpdateOptions<T> = {},
): Promise<WriteOutcome<T>> {
  return withConflictRetry(options, async (first) => {
    const current = first && options.from ? options.from : await client.get(type, namespace, name, options.signal ? { signal: options.signal } : {});
    // mutate works on a copy: the informer's object (options.from) must stay untouched.
    const next = mutate(structuredClone(current));
    if (next === undefined || jsonEqual(next, current)) return { object: current, changed: false };
    const body = { ...next, metadata: { ...next.metadata, resourceVersion: current.metadata?.resourceVersion } } as T;
    const written = await client.update(type, body, {
      ...(options.subresource ? { subresource: options.subresource } : {}),
      ...(options.fieldManager ? { fieldManager: options.fieldManager } : {}),
    });
    return { object: written, changed: true };
  });
}

/**
 * Sets an object's status through the status subresource: `status` gets the current status and
 * returns the new one (undefined: leave it). Unchanged statuses are not written; conflicts retry.
 */
export function updateStatus<S, T extends KubeObject & { status?: S }>(
  client: KubeClient,
  type: ResourceType<T>,
  namespace: string | undefined,
  name: string,
  status: (current: S | undefined, object: T) => S | undefined,
  options: Omit<UpdateOptions<T>, 'subresource'> = {},
): Promise<WriteOutcome<T>> {
  return updateWithRetry(
    client,
    type,
    namespace,
    name,
    (current) => {
      const next = status(current.status, current);
      if (next === undefined) return undefined;
      return { ...current, status: next };
    },
    { ...options, subresource: 'status' },
  );
}

/** An owner reference making `owner` the managing controller (for garbage collection too). */
export function controllerReference(owner: KubeObject): OwnerReference {
  const meta = owner.metadata;
  if (!owner.apiVersion || !owner.kind || !meta?.name || !meta.uid) {
    throw new TypeError(`controllerReference: the owner needs apiVersion, kind, metadata.name and metadata.uid (got ${owner.kind ?? '?'} '${meta?.name ?? '?'}')`);
  }
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: meta.name, uid: meta.uid, controller: true, blockOwnerDeletion: true };
}

export interface CreateOrUpdateOptions<T> extends RetryOptions {
  /** Made the controller owner of the object (added to ownerReferences, kept on update). */
  readonly owner?: KubeObject;
  /**
   * Merges the desired object into the current one. Default: desired labels and annotations are
   * added over the current ones, owner references are added, and every top-level field other than
   * metadata and status (spec, data, …) is taken from desired.
   */
  readonly merge?: (current: T, desired: T) => T;
  readonly fieldManager?: string;
}

export type CreateOrUpdateResult = 'created' | 'updated' | 'unchanged';

function defaultMerge<T extends KubeObject>(current: T, desired: T): T {
  const out: Record<string, unknown> = { ...(current as Record<string, unknown>) };
  for (const [k, v] of Object.entries(desired as Record<string, unknown>)) {
    if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind') continue;
    out[k] = v;
  }
  const cm = current.metadata ?? {};
  const dm = desired.metadata ?? {};
  const refs = [...(cm.ownerReferences ?? [])];
  for (const ref of dm.ownerReferences ?? []) if (!refs.some((r) => r.uid === ref.uid)) refs.push(ref);
  out['metadata'] = {
    ...cm,
    ...(dm.labels || cm.labels ? { labels: { ...cm.labels, ...dm.labels } } : {}),
    ...(dm.annotations || cm.annotations ? { annotations: { ...cm.annotations, ...dm.annotations } } : {}),
    ...(refs.length > 0 ? { ownerReferences: refs } : {}),
  };
  return out as T;
}

/**
 * Creates `desired`, or brings the existing object in line with it. Returns what happened and the
 * object as stored. Races with other writers (AlreadyExists, Conflict) are retried.
 */
export function createOrUpdate<T extends KubeObject>(
  client: KubeClient,
  type: ResourceType<T>,
  desired: T,
  options: CreateOrUpdateOptions<T> = {},
): Promise<{ result: CreateOrUpdateResult; object: T }> {
  const name = desired.metadata?.name;
  if (!name) throw new TypeError(`createOrUpdate ${type.kind}: metadata.name is required`);
  const namespace = desired.metadata?.namespace ?? (type.namespaced ? client.namespace : undefined);
  if (type.namespaced && !namespace) throw new TypeError(`createOrUpdate ${type.kind} '${name}': metadata.namespace is required`);
  const ownerRef = options.owner ? controllerReference(options.owner) : undefined;
  const want: T = {
    ...desired,
    apiVersion: apiVersionOf(type),
    kind: type.kind,
    metadata: {
      ...desired.metadata,
      name,
      ...(namespace ? { namespace } : {}),
      ...(ownerRef ? { ownerReferences: [...(desired.metadata?.ownerReferences ?? []).filter((r) => r.uid !== ownerRef.uid), ownerRef] } : {}),
    },
  };
  const merge = options.merge ?? defaultMerge;
  const retry: RetryOptions = { ...options, retries: options.retries ?? 5 };
  return withConflictRetry(retry, async () => {
    let current: T | undefined;
    try {
      current = await client.get(type, namespace, name, options.signal ? { signal: options.signal } : {});
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (!current) {
      const created = await client.create(type, want, options.fieldManager ? { fieldManager: options.fieldManager } : {});
      return { result: 'created' as const, object: created };
    }
    const next = merge(structuredClone(current), want);
    if (jsonEqual(next, current)) return { result: 'unchanged' as const, object: current };
    const body = { ...next, metadata: { ...next.metadata, resourceVersion: current.metadata?.resourceVersion } } as T;
    const written = await client.update(type, body, options.fieldManager ? { fieldManager: options.fieldManager } : {});
    return { result: 'updated' as const, object: written };
    // Created by someone else between our read and our create: read again and update.
  }, (error) => isConflict(error) || isAlreadyExists(error));
}
