// The two calls an informer makes, as an interface: a page of a list, and a watch from a
// resourceVersion. The HTTP implementation parses and checks each watch line; anything that is not
// a well-formed event stops the watch with MalformedEventError, so the informer resumes from the
// last good resourceVersion and loses nothing.
import { type KubeClient } from './client.js';
import { ApiError } from './errors.js';
import { type KubeObject, type Status } from './objects.js';
import { collectionPath, type ResourceType } from './resources.js';

export interface ListPage<T> {
  readonly items: T[];
  readonly resourceVersion: string;
  readonly continue?: string;
}

export type WatchEvent<T> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: T }
  | { readonly type: 'BOOKMARK'; readonly resourceVersion: string }
  | { readonly type: 'ERROR'; readonly status: Status };

/** How a watch ended without error: the server closed it, or our deadline passed. */
export type WatchEnd = 'closed' | 'deadline';

export interface ListWatcher<T> {
  list(page: { readonly limit: number; readonly continue?: string }, signal: AbortSignal): Promise<ListPage<T>>;
  /** `onOpen` is told when the server has accepted the watch, before any event. */
  watch(
    from: { readonly resourceVersion: string; readonly timeoutSeconds: number },
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
    onOpen?: () => void,
  ): Promise<WatchEnd>;
}

export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
}

export interface Selection {
  /** Only this namespace (namespaced types); all namespaces when omitted. */
  readonly namespace?: string;
  /** Server-side label selector, in the API's string form. */
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

const OBJECT_EVENTS = new Set(['ADDED', 'MODIFIED', 'DELETED']);

/** Checks one watch line; returns the event or a description of what is wrong with it. */
export function parseWatchLine<T extends KubeObject>(line: string): WatchEvent<T> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  if (!parsed || typeof parsed !== 'object') return 'not a JSON object';
  const { type, object } = parsed as { type?: unknown; object?: unknown };
  if (typeof type !== 'string') return 'no "type"';
  if (!object || typeof object !== 'object' || Array.isArray(object)) return `${type} event without an "object"`;
  if (type === 'ERROR') return { type, status: object as Status };
  const rv = (object as KubeObject).metadata?.resourceVersion;
  if (typeof rv !== 'string' || rv === '') return `${type} event whose object has no metadata.resourceVersion`;
  if (type === 'BOOKMARK') return { type, resourceVersion: rv };
  if (!OBJECT_EVENTS.has(type)) return `unknown event type "${type.slice(0, 40)}"`;
  if (typeof (object as KubeObject).metadata?.name !== 'string') return `${type} event whose object has no metadata.name`;
  return { type: type as 'ADDED', object: object as T };
}

/** List and watch of one resource type through a KubeClient. */
export function httpListWatcher<T extends KubeObject>(client: KubeClient, type: ResourceType<T>, selection: Selection = {}): ListWatcher<T> {
  const path = collectionPath(type, selection.namespace);
  return {
    async list(page, signal) {
      const list = await client.list(type, {
        limit: page.limit,
        signal,
        ...(selection.namespace ? { namespace: selection.namespace } : {}),
        ...(selection.labelSelector ? { labelSelector: selection.labelSelector } : {}),
        ...(selection.fieldSelector ? { fieldSelector: selection.fieldSelector } : {}),
        ...(page.continue ? { continue: page.continue } : {}),
      });
      const rv = list.metadata.resourceVersion;
      if (!rv) throw new MalformedEventError(`LIST ${path}: list has no metadata.resourceVersion`);
      return { items: list.items, resourceVersion: rv, ...(list.metadata.continue ? { continue: list.metadata.continue } : {}) };
    },

    async watch(from, onEvent, signal, onOpen) {
      // Our own cut-off: the server's timeoutSeconds plus grace, for a server that never ends the stream.
      const stop = new AbortController();
      const forward = (): void => stop.abort(signal.reason);
      if (signal.aborted) forward();
      else signal.addEventListener('abort', forward, { once: true });
      let failure: Error | undefined;
      const end = await client
        .stream(
          path,
          (line) => {
            if (failure) return;
            const event = parseWatchLine<T>(line);
            if (typeof event === 'string') {
              failure = new MalformedEventError(`WATCH ${path}: ${event}`);
              stop.abort(failure);
              return;
            }
            if (event.type === 'ERROR') {
              const code = Number(event.status.code ?? 500);
              failure = new ApiError({ method: 'WATCH', path, code, status: event.status });
              stop.abort(failure);
              return;
            }
            onEvent(event);
          },
          {
            signal: stop.signal,
            deadlineMs: (from.timeoutSeconds + 30) * 1000,
            ...(onOpen ? { onOpen } : {}),
            query: {
              watch: 'true',
              resourceVersion: from.resourceVersion,
              allowWatchBookmarks: 'true',
              timeoutSeconds: from.timeoutSeconds,
              labelSelector: selection.labelSelector || undefined,
              fieldSelector: selection.fieldSelector || undefined,
            },
          },
        )
        .catch((error: unknown) => {
          if (failure) throw failure;
          throw error;
        })
        .finally(() => signal.removeEventListener('abort', forward));
      if (failure) throw failure;
      return end === 'end' ? 'closed' : 'deadline';
    },
  };
}
