// compile(): a set of resources (objects or multi-document YAML) in, one typed configuration out, or
// every problem at once. Each resource is first checked on its own as the API server would (schema,
// defaults, CEL), then against the others as MetalLB's webhook would, and more.
import { type Labels } from '@lb/labels';
import { bgpPeerToV1beta2 } from '../conversion.js';
import { type ConfigIssue, formatIssue, formatResource, type ResourceRef } from '../issues.js';
import {
  type BFDProfileResource,
  type BGPAdvertisementResource,
  type BGPPeerResource,
  type BGPPeerV1beta1Resource,
  type CommunityResource,
  type IPAddressPoolResource,
  type L2AdvertisementResource,
  type MetalLoadBalancerClassResource,
  type SecretObject,
} from '../resources.js';
import { refOf, validateResource } from '../validate.js';
import { parseYaml, type SourcedObject } from '../yaml.js';
import {
  checkBfdEchoWithIPv6,
  checkLocalPreferences,
  compileBgpAdvertisement,
  compileL2Advertisement,
  type Announcements,
} from './advertisements.js';
import { checkSingleDefault, compileClass, type ClassDraft } from './classes.js';
import { IssueSink, type Origin } from './context.js';
import { compileBfdProfiles, compileCommunities, compilePeers } from './peers.js';
import { checkPoolsTogether, draftIPAddressPool, type PoolDraft } from './pools.js';
import { PoolIndex, type NodeInventory } from './selectors.js';
import { type CompiledConfig, type CompiledPool } from './types.js';

export interface CompileOptions {
  /**
   * Read only resources in this namespace, as MetalLB reads only its own; namespaced resources
   * elsewhere are skipped with a warning. Cluster-scoped kinds are always read.
   */
  readonly namespace?: string;
  /** The file name YAML input came from, for positions in messages. */
  readonly file?: string;
  /** Fields the schema does not declare: errors (kubectl's strict validation, the default) or warnings. */
  readonly unknownFields?: 'error' | 'warning';
  /**
   * Node labels. With them, node selections are compared exactly (as MetalLB does); without them
   * (and without Node objects in the input), two selections are taken to overlap unless their
   * requirements contradict each other.
   */
  readonly nodes?: ReadonlyArray<{ readonly name: string; readonly labels?: Labels }>;
}

export type CompileInput = string | readonly unknown[];

export interface IgnoredObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly reason: string;
}

/** A configuration refused: every error at once, each naming the resource and field. */
export interface ConfigError {
  readonly kind: 'invalid-config';
  /** Every error, one per line, as `formatIssue` writes them. */
  readonly message: string;
  readonly issues: readonly ConfigIssue[];
}

/**
 * The compiled configuration or why it was refused; either way the warnings and the objects that
 * were not ours, which a caller reports whatever the outcome.
 */
export type CompileResult =
  | { readonly ok: true; readonly value: CompiledConfig; readonly warnings: readonly ConfigIssue[]; readonly ignored: readonly IgnoredObject[] }
  | { readonly ok: false; readonly error: ConfigError; readonly warnings: readonly ConfigIssue[]; readonly ignored: readonly IgnoredObject[] };

interface Entry<T> {
  readonly resource: T;
  readonly origin: Origin;
}

interface Buckets {
  pools: Entry<IPAddressPoolResource>[];
  l2: Entry<L2AdvertisementResource>[];
  bgp: Entry<BGPAdvertisementResource>[];
  peers: Entry<BGPPeerResource>[];
  bfd: Entry<BFDProfileResource>[];
  communities: Entry<CommunityResource>[];
  classes: Entry<MetalLoadBalancerClassResource>[];
  secrets: Map<string, SecretObject>;
  nodes: Array<{ name: string; labels: Labels }>;
}

/** Compiles a whole configuration; never throws on bad input. */
export function compile(input: CompileInput, options: CompileOptions = {}): CompileResult {
  const sink = new IssueSink();
  const ignored: IgnoredObject[] = [];
  let sourced: ReadonlyArray<{ object: unknown; locate?: SourcedObject['locate'] | undefined }>;
  if (typeof input === 'string') {
    const parsed = parseYaml(input, options.file === undefined ? {} : { file: options.file });
    for (const issue of parsed.issues) sink.add(issue, undefined);
    sourced = parsed.objects;
  } else {
    sourced = input.map((object) => ({ object }));
  }

  const buckets = sortIntoBuckets(sink, sourced, ignored, options);
  const nodes: NodeInventory | undefined =
    options.nodes || buckets.nodes.length > 0
      ? { labels: [...(options.nodes ?? []).map((n) => n.labels ?? {}), ...buckets.nodes.map((n) => n.labels)] }
      : undefined;

  const bfdProfiles = compileBfdProfiles(sink, buckets.bfd);
  const communities = compileCommunities(sink, buckets.communities);

  const poolDrafts = buckets.pools.map(({ resource, origin }) => draftIPAddressPool(sink, origin, resource));
  const classDrafts = buckets.classes
    .map(({ resource, origin }) => compileClass(sink, origin, resource))
    .filter((c): c is ClassDraft => c !== undefined);
  const defaultClass = checkSingleDefault(sink, classDrafts);
  const allDrafts = [...poolDrafts, ...classDrafts.map((c) => c.pool)];
  checkPoolsTogether(sink, allDrafts);

  const peers = compilePeers(sink, buckets.peers, { bfdProfiles, secrets: buckets.secrets, nodes });

  const draftsByName = new Map<string, PoolDraft>();
  for (const draft of allDrafts) if (!draftsByName.has(draft.name)) draftsByName.set(draft.name, draft);
  const announcements: Announcements = { l2: new Map(), bgp: new Map() };
  const inputs = {
    pools: draftsByName,
    poolIndex: new PoolIndex(poolDrafts),
    peerNames: new Set(buckets.peers.map((p) => p.resource.metadata.name)),
    communities,
  };
  for (const { resource, origin } of buckets.l2) compileL2Advertisement(sink, origin, resource, inputs, announcements);
  for (const { resource, origin } of buckets.bgp) compileBgpAdvertisement(sink, origin, resource, inputs, announcements);
  warnIdenticalAdvertisements(sink, buckets.l2);
  warnIdenticalAdvertisements(sink, buckets.bgp);

  const reportedPairs = new Set<string>();
  for (const [poolName, list] of announcements.bgp) {
    const pool = draftsByName.get(poolName);
    if (!pool) continue;
    checkLocalPreferences(sink, pool, list, nodes, reportedPairs);
    checkBfdEchoWithIPv6(sink, pool, list, peers);
  }

  if (sink.errors.length > 0) {
    return { ok: false, error: { kind: 'invalid-config', message: sink.errors.map(formatIssue).join('\n'), issues: sink.errors }, warnings: sink.warnings, ignored };
  }

  const classByPool = new Map(classDrafts.map((c) => [c.pool.name, c]));
  const pools: CompiledPool[] = [...draftsByName.values()]
    .map((draft) => {
      const classDraft = classByPool.get(draft.name);
      return {
        name: draft.name,
        source: draft.origin.ref,
        labels: draft.labels,
        spec: draft.spec,
        ranges: draft.entries.map((e) => e.range),
        families: draft.families,
        className: draft.className,
        l2: classDraft ? [classDraft.announcement] : (announcements.l2.get(draft.name) ?? []),
        bgp: (announcements.bgp.get(draft.name) ?? []).map((a) => a.announcement),
      };
    })
    .sort((a, b) => compareText(a.name, b.name));

  const config: CompiledConfig = {
    pools,
    poolSpecs: pools.map((p) => p.spec),
    peers: [...peers].sort((a, b) => compareText(a.name, b.name)),
    bfdProfiles: [...bfdProfiles.values()].sort((a, b) => compareText(a.name, b.name)),
    communities,
    classes: classDrafts.map((c) => c.compiled).sort((a, b) => compareText(a.name, b.name)),
    defaultClass,
  };
  return { ok: true, value: config, warnings: sink.warnings, ignored };
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function sortIntoBuckets(
  sink: IssueSink,
  sourced: ReadonlyArray<{ object: unknown; locate?: SourcedObject['locate'] | undefined }>,
  ignored: IgnoredObject[],
  options: CompileOptions,
): Buckets {
  const buckets: Buckets = { pools: [], l2: [], bgp: [], peers: [], bfd: [], communities: [], classes: [], secrets: new Map(), nodes: [] };
  const seen = new Map<string, Origin>();
  for (const { object, locate } of sourced) {
    const ref = refOf(object);
    const fallback: ResourceRef = ref ?? { kind: '(not an object)', name: '' };
    const origin: Origin = locate ? { ref: fallback, locate } : { ref: fallback };
    const result = validateResource(object, options.unknownFields ? { unknownFields: options.unknownFields } : {});
    if (result.status === 'foreign') {
      takeCoreObject(object, result.apiVersion, result.kind, buckets, ignored);
      continue;
    }
    for (const issue of result.issues) sink.add(issue, origin);
    if (result.status === 'invalid') continue;
    const { resource, kind } = result;
    const namespace = resource.metadata.namespace;
    if (kind.scope === 'Namespaced' && options.namespace !== undefined && (namespace ?? 'default') !== options.namespace) {
      sink.warning(origin, ['metadata', 'namespace'], `skipped: only resources in namespace '${options.namespace}' are read`);
      continue;
    }
    const identity = `${kind.group}/${kind.kind}/${kind.scope === 'Namespaced' ? (namespace ?? 'default') : ''}/${resource.metadata.name}`;
    const first = seen.get(identity);
    if (first) {
      sink.error(origin, ['metadata', 'name'], `${formatResource(origin.ref)} appears twice in the input${first.locate ? ` (first at line ${first.locate([]).line})` : ''}`);
      continue;
    }
    seen.set(identity, origin);
    switch (resource.kind) {
      case 'IPAddressPool':
        buckets.pools.push({ resource, origin });
        break;
      case 'L2Advertisement':
        buckets.l2.push({ resource, origin });
        break;
      case 'BGPAdvertisement':
        buckets.bgp.push({ resource, origin });
        break;
      case 'BGPPeer':
        buckets.peers.push({
          resource: resource.apiVersion === 'metallb.io/v1beta1' ? bgpPeerToV1beta2(resource as BGPPeerV1beta1Resource) : (resource as BGPPeerResource),
          origin,
        });
        break;
      case 'BFDProfile':
        buckets.bfd.push({ resource, origin });
        break;
      case 'Community':
        buckets.communities.push({ resource, origin });
        break;
      case 'MetalLoadBalancerClass':
        buckets.classes.push({ resource, origin });
        break;
      default:
        ignored.push({ apiVersion: resource.apiVersion, kind: resource.kind, name: resource.metadata.name, reason: 'reports state; not configuration' });
    }
  }
  return buckets;
}

function takeCoreObject(object: unknown, apiVersion: string, kind: string, buckets: Buckets, ignored: IgnoredObject[]): void {
  const record = object as { metadata?: { name?: unknown; namespace?: unknown; labels?: unknown } };
  const name = typeof record.metadata?.name === 'string' ? record.metadata.name : '';
  if (apiVersion === 'v1' && kind === 'Node' && name !== '') {
    const labels = record.metadata?.labels;
    buckets.nodes.push({ name, labels: typeof labels === 'object' && labels !== null ? (labels as Labels) : {} });
    return;
  }
  if (apiVersion === 'v1' && kind === 'Secret' && name !== '') {
    const namespace = typeof record.metadata?.namespace === 'string' ? record.metadata.namespace : 'default';
    buckets.secrets.set(`${namespace}/${name}`, object as SecretObject);
    return;
  }
  ignored.push({ apiVersion, kind, name, reason: 'not a kind this load balancer is configured with' });
}

/**
 * Two advertisements with the same spec do nothing the first does not; likely a copy left behind.
 * Validated specs list their fields in schema order, so equal specs print equal.
 */
function warnIdenticalAdvertisements(sink: IssueSink, entries: ReadonlyArray<Entry<{ spec?: unknown }>>): void {
  const bySpec = new Map<string, Origin>();
  for (const { resource, origin } of entries) {
    const key = JSON.stringify(resource.spec ?? {});
    const first = bySpec.get(key);
    if (first) sink.warning(origin, ['spec'], `the same spec as ${formatResource(first.ref)}; one of them is redundant`);
    else bySpec.set(key, origin);
  }
}
