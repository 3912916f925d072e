// What the speaker reads from the API: informers on Services, EndpointSlices, Nodes, the speaker
// Pods and the metallb.io configuration, compiled with @lb/config-schema's compile() (the last valid
// configuration stays in use, as in the controller). Changes are coalesced: a burst of events costs
// one decision. During an API outage the caches keep their last state, so nothing moves.
import { compile, DECKHOUSE_NETWORK_GROUP, formatIssue, KINDS, METALLB_GROUP, storageVersion, type CompiledConfig } from '@lb/config-schema';
import {
  EndpointSlices,
  InformerFactory,
  Nodes,
  Pods,
  resourceType,
  Secrets,
  Services,
  trimObject,
  type Informer,
  type KubeClient,
  type KubeObject,
  type ResourceType,
} from '@lb/k8s-watch';
import { type ServiceResource } from '../election/resources.js';
import { cachedEndpointSlice, cachedNode, cachedPod, cachedService } from './cached-objects.js';
import { type ApiSnapshot, type NodeWithAddresses, type PodResource } from './compose.js';
import { type Logger } from './log.js';
import { burstGap } from '../bgp/pacing.js';

/** Kinds that only report status: read by nobody. */
const STATUS_KINDS = new Set(['ConfigurationState', 'ServiceL2Status', 'ServiceBGPStatus']);

export const CONFIG_TYPES: ReadonlyArray<ResourceType<KubeObject>> = KINDS.filter(
  (k) => !STATUS_KINDS.has(k.kind) && (k.group === METALLB_GROUP || k.group === DECKHOUSE_NETWORK_GROUP),
).map((k) => resourceType<KubeObject>({ group: k.group, version: storageVersion(k).name, plural: k.plural, kind: k.kind, namespaced: k.scope === 'Namespaced' }));

export const ServiceBgpStatuses = resourceType<KubeObject & { status?: unknown }>({
  group: METALLB_GROUP,
  version: 'v1beta1',
  plural: 'servicebgpstatuses',
  kind: 'ServiceBGPStatus',
  namespaced: true,
});

export const ServiceL2Statuses = resourceType<KubeObject & { status?: unknown }>({
  group: METALLB_GROUP,
  version: 'v1beta1',
  plural: 'servicel2statuses',
  kind: 'ServiceL2Status',
  namespaced: true,
});

/** After the first event of a burst, wait this long (at least) before deciding. */
const COALESCE_MS = 5;

export interface ApiOptions {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly namespace: string;
  readonly mlNamespace: string;
  readonly mlLabels: string;
  /** Called (coalesced) after Services, endpoints, Nodes or the configuration changed. */
  readonly onChange: () => void;
  /** Called when the speaker Pods or Nodes changed (the expected members). */
  readonly onMembersChange: () => void;
}

export class ApiView {
  private readonly informers: InformerFactory;
  private readonly services: Informer<KubeObject>;
  private readonly slices: Informer<KubeObject>;
  private readonly nodeInformer: Informer<KubeObject>;
  private readonly pods: Informer<KubeObject>;
  private readonly configInformers: Array<Informer<KubeObject>> = [];
  private config: CompiledConfig | undefined;
  private configSignature = '';
  private timer: NodeJS.Timeout | undefined;
  private lastCostMs = 0;

  constructor(private readonly options: ApiOptions) {
    // The caches keep only what the cores read (cached-objects.ts), and no label index: nothing
    // here looks objects up by label, and with 10,000 Services and slices it would be 20,000 sets.
    this.informers = new InformerFactory(options.client, { defaults: { labelIndex: false } });
    this.services = this.informers.informer(Services, {}, { transform: cachedService });
    this.slices = this.informers.informer(EndpointSlices, {}, { transform: cachedEndpointSlice });
    this.nodeInformer = this.informers.informer(Nodes, {}, { transform: cachedNode });
    this.pods = this.informers.informer(Pods, { namespace: options.mlNamespace, labelSelector: options.mlLabels }, { transform: cachedPod });
    for (const type of CONFIG_TYPES) this.configInformers.push(this.informers.informer(type, type.namespaced ? { namespace: options.namespace } : {}, { transform: trimObject }));
    const changed = (): void => this.changed();
    for (const informer of [this.services, this.slices, this.nodeInformer, ...this.configInformers]) informer.addHandlers({ onAdd: changed, onUpdate: changed, onDelete: changed });
    const members = (): void => options.onMembersChange();
    for (const informer of [this.pods, this.nodeInformer]) informer.addHandlers({ onAdd: members, onUpdate: members, onDelete: members });
  }

  start(): void {
    this.informers.start();
  }

  synced(): Promise<void> {
    return this.informers.synced();
  }

  get hasSynced(): boolean {
    return [this.services, this.slices, this.nodeInformer, this.pods, ...this.configInformers].every((i) => i.hasSynced);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.informers.stop();
  }

  /** The time the last decision took: in a burst, the next waits several times as long (bgp/pacing.ts). */
  recordCost(ms: number): void {
    this.lastCostMs = ms;
  }

  snapshot(): ApiSnapshot {
    this.compileIfChanged();
    return {
      config: this.config,
      services: [...this.services.cache.values()] as ServiceResource[],
      endpointSlices: [...this.slices.cache.values()],
      nodes: [...this.nodeInformer.cache.values()],
    };
  }

  nodes(): NodeWithAddresses[] {
    return [...this.nodeInformer.cache.values()] as NodeWithAddresses[];
  }

  node(name: string): NodeWithAddresses | undefined {
    return this.nodeInformer.cache.get(name) as NodeWithAddresses | undefined;
  }

  speakerPods(): PodResource[] {
    return [...this.pods.cache.values()] as PodResource[];
  }

  /** The Service object for an Event, with its kind (the cache does not keep it). */
  service(key: string): KubeObject | undefined {
    const found = this.services.cache.get(key);
    return found ? { ...found, apiVersion: 'v1', kind: 'Service' } : undefined;
  }

  /** The memberlist key from the Secret (key `secretkey`), or undefined while it cannot be read. */
  async secretKey(name: string): Promise<Uint8Array | undefined> {
    const secret = await this.options.client.get(Secrets, this.options.namespace, name);
    const data = (secret as { data?: Record<string, string> }).data?.['secretkey'];
    return data ? new Uint8Array(Buffer.from(data, 'base64')) : undefined;
  }

  private changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.options.onChange();
      },
      Math.max(COALESCE_MS, burstGap(this.lastCostMs)),
    );
  }

  private compileIfChanged(): void {
    const objects = this.configInformers.flatMap((i) => [...i.cache.values()]);
    objects.sort((a, b) => ((a.metadata?.creationTimestamp ?? '') < (b.metadata?.creationTimestamp ?? '') ? -1 : 1));
    const nodes = this.nodes().map((n) => ({ name: n.metadata?.name ?? '', labels: n.metadata?.labels ?? {} }));
    const signature = JSON.stringify([objects.map((o) => [o.kind, o.metadata?.namespace, o.metadata?.name, o.metadata?.generation ?? o.metadata?.resourceVersion]), nodes]);
    if (signature === this.configSignature) return;
    this.configSignature = signature;
    const result = compile(objects, { namespace: this.options.namespace, nodes });
    if (!result.ok) {
      this.options.log.error('configuration invalid, keeping the last valid one', { errors: result.error.issues.map(formatIssue) });
      return;
    }
    for (const warning of result.warnings) this.options.log.debug('configuration warning', { warning: formatIssue(warning) });
    this.config = result.value;
    this.options.log.info('configuration loaded', { pools: result.value.pools.length });
  }
}
