// Shared informers: one list+watch per resource type and selection however many consumers ask for
// it, started, awaited and stopped together. This is what the apps use; Informer alone is for
// tests and special cases.
import { compileLabelSelector, type LabelSelector } from '@lb/labels';
import { type KubeClient } from './client.js';
import { Informer, type InformerOptions } from './informer.js';
import { httpListWatcher } from './list-watch.js';
import { type WatchMetrics } from './metrics.js';
import { type KubeObject } from './objects.js';
import { resourceName, type ResourceType } from './resources.js';

export interface InformerSelection {
  readonly namespace?: string;
  /** Server-side label filtering: the string form, or a selector (checked here). */
  readonly labelSelector?: string | LabelSelector;
  readonly fieldSelector?: string;
}

export type SharedInformerOptions = Omit<InformerOptions<KubeObject>, 'observer' | 'indexers' | 'transform'>;

/** Options of one shared informer, fixed by whoever asks for it first. */
export interface PerInformerOptions<T> {
  /** See InformerOptions.transform. Every consumer of a shared informer must pass the same function. */
  readonly transform?: (obj: T) => T;
  /** Index labels for byLabels (default: the factory's default, else true). */
  readonly labelIndex?: boolean;
}

export interface InformerFactoryOptions {
  /** Options for every informer (page size, backoff, label index, clock…). */
  readonly defaults?: SharedInformerOptions;
  readonly metrics?: WatchMetrics;
}

export class InformerFactory {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly transforms = new Map<string, ((obj: KubeObject) => KubeObject) | undefined>();
  private started = false;
  private stopped = false;

  constructor(
    private readonly client: KubeClient,
    private readonly options: InformerFactoryOptions = {},
  ) {}

  /**
   * The informer for `type` and `selection`, created on first request and shared afterwards. If
   * the factory has started, a new informer starts at once.
   */
  informer<T extends KubeObject>(type: ResourceType<T>, selection: InformerSelection = {}, options: PerInformerOptions<T> = {}): Informer<T> {
    if (this.stopped) throw new Error('InformerFactory: stopped; create a new factory');
    let labelSelector = '';
    if (typeof selection.labelSelector === 'string') labelSelector = selection.labelSelector;
    else if (selection.labelSelector) {
      const compiled = compileLabelSelector(selection.labelSelector, 'labelSelector');
      if (!compiled.ok) throw new TypeError(`informer ${resourceName(type)}: ${compiled.error.message}`);
      labelSelector = compiled.value.toString();
    }
    const namespace = type.namespaced ? (selection.namespace ?? '') : '';
    const fieldSelector = selection.fieldSelector ?? '';
    const key = JSON.stringify([resourceName(type), type.version, namespace, labelSelector, fieldSelector]);
    let informer = this.informers.get(key) as Informer<T> | undefined;
    if (informer && this.transforms.get(key) !== options.transform) {
      // Consumers of one cache would otherwise read objects trimmed for someone else.
      throw new Error(`InformerFactory: informer ${resourceName(type)} ${key} was created with a different transform`);
    }
    if (!informer) {
      const source = httpListWatcher(this.client, type, {
        ...(namespace ? { namespace } : {}),
        ...(labelSelector ? { labelSelector } : {}),
        ...(fieldSelector ? { fieldSelector } : {}),
      });
      informer = new Informer<T>(source, {
        ...(this.options.defaults as InformerOptions<T>),
        ...(this.options.metrics ? { observer: this.options.metrics.informer(resourceName(type)) } : {}),
        ...(options.transform ? { transform: options.transform } : {}),
        ...(options.labelIndex !== undefined ? { labelIndex: options.labelIndex } : {}),
      });
      this.informers.set(key, informer as unknown as Informer<KubeObject>);
      this.transforms.set(key, options.transform as ((obj: KubeObject) => KubeObject) | undefined);
      if (this.started) informer.start();
    }
    return informer;
  }

  /** Starts every informer, and any created later. */
  start(): void {
    if (this.stopped) return;
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  /** Resolves when every informer created so far has synced. */
  async synced(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.synced));
  }

  /** Stops every informer and waits for them; the client stays open (it is the caller's). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
