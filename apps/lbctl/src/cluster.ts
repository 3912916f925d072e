// The API adapter: reads a snapshot through the kubeconfig (or kube-sim). Kinds whose CRD is not
// installed (the speaker's status kinds, frr-k8s's session state) read as empty: a cluster without
// a speaker yet still gets an answer.
import { KINDS, storageVersion } from '@lb/config-schema';
import {
  ConfigError,
  EndpointSlices,
  Events,
  Namespaces,
  Nodes,
  Pods,
  Secrets,
  Services,
  connect,
  isNotFound,
  resourceType,
  type KubeClient,
  type KubeObject,
  type ResourceType,
} from '@lb/k8s-watch';
import { CLASS_KIND, CONFIG_KINDS, DEFAULT_NAMESPACE, DEFAULT_SPEAKER_LABELS, emptySnapshot, normalize, type ClusterSnapshot } from './snapshot.js';

export interface ClusterOptions {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  readonly namespace?: string;
  readonly speakerLabels?: string;
  /** Speaker Pods' namespace (default: the configuration namespace). */
  readonly speakerNamespace?: string | undefined;
}

/** What a command needs; everything else is not read (a cluster of 10,000 Services is large). */
export interface Needs {
  readonly services?: boolean;
  readonly endpointSlices?: boolean;
  readonly statuses?: boolean;
  /** Events about one Service, or every Event in the configuration namespace ('config'). */
  readonly events?: { readonly namespace: string; readonly name: string } | 'config';
}

const typeOf = (kindName: string): ResourceType => {
  const kind = KINDS.find((k) => k.kind === kindName);
  if (!kind) throw new Error(`unknown kind ${kindName}`);
  return resourceType({ group: kind.group, version: storageVersion(kind).name, plural: kind.plural, kind: kind.kind, namespaced: kind.scope === 'Namespaced' });
};

export const SessionStates = resourceType({ group: 'frrk8s.metallb.io', version: 'v1beta1', plural: 'bgpsessionstates', kind: 'BGPSessionState', namespaced: true });

/** A connection failure a user can act on, without a stack trace. */
export class ClusterError extends Error {
  override readonly name = 'ClusterError';
}

export async function openCluster(options: ClusterOptions): Promise<KubeClient> {
  try {
    return await connect({ ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}), ...(options.context ? { context: options.context } : {}) }, { userAgent: 'lbctl', requestTimeoutMs: 20_000 });
  } catch (error) {
    if (error instanceof ConfigError) throw new ClusterError(error.message);
    throw error;
  }
}

export async function readSnapshot(client: KubeClient, options: ClusterOptions, needs: Needs): Promise<ClusterSnapshot> {
  const snapshot = emptySnapshot(options.namespace);
  const namespace = snapshot.configNamespaces[0] ?? DEFAULT_NAMESPACE;
  const list = async <T extends KubeObject>(type: ResourceType<T>, extra: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {}, optional = false): Promise<T[]> => {
    try {
      const items: T[] = [];
      let next: string | undefined;
      do {
        const page = await client.list(type, { ...extra, limit: 5000, ...(next ? { continue: next } : {}) });
        // A list's items carry no kind; the cores sort by it.
        for (const item of page.items) {
          const object = normalize({ ...item, kind: type.kind, apiVersion: type.group ? `${type.group}/${type.version}` : type.version });
          if (object) items.push(object as T);
        }
        next = page.metadata.continue || undefined;
      } while (next);
      return items;
    } catch (error) {
      if (optional && isNotFound(error)) return [];
      throw new ClusterError(`reading ${type.plural}${extra.namespace ? ` in ${extra.namespace}` : ''} from ${client.server}: ${(error as Error).message}`);
    }
  };
  const configKinds = snapshot.configNamespaces.flatMap((ns) => [
    ...[...CONFIG_KINDS].map((k) => list(typeOf(k), { namespace: ns }, true)),
    list(Secrets, { namespace: ns, fieldSelector: 'type=kubernetes.io/basic-auth' }, true),
  ]);
  const jobs = await Promise.all([
    Promise.all(configKinds),
    list(typeOf(CLASS_KIND), {}, true),
    list(Nodes),
    list(Namespaces),
    needs.services ? list(Services) : Promise.resolve([]),
    needs.endpointSlices ? list(EndpointSlices) : Promise.resolve([]),
    list(Pods, { namespace: options.speakerNamespace ?? namespace, labelSelector: options.speakerLabels ?? DEFAULT_SPEAKER_LABELS }),
    needs.statuses ? list(typeOf('ServiceL2Status'), {}, true) : Promise.resolve([]),
    needs.statuses ? list(typeOf('ServiceBGPStatus'), {}, true) : Promise.resolve([]),
    needs.statuses ? list(SessionStates, {}, true) : Promise.resolve([]),
    list(typeOf('ConfigurationState'), { namespace }, true),
    needs.events === undefined
      ? Promise.resolve([])
      : needs.events === 'config'
        ? list(Events, { namespace }, true)
        : list(Events, { namespace: needs.events.namespace, fieldSelector: `involvedObject.kind=Service,involvedObject.name=${needs.events.name}` }, true),
  ]);
  const [config, classes, nodes, namespaces, services, slices, speakers, l2, bgp, sessions, states, events] = jobs;
  snapshot.config.push(...config.flat(), ...classes);
  snapshot.nodes.push(...nodes);
  snapshot.namespaces.push(...namespaces);
  snapshot.services.push(...services);
  snapshot.endpointSlices.push(...slices);
  snapshot.speakers.push(...speakers);
  snapshot.l2Statuses.push(...l2);
  snapshot.bgpStatuses.push(...bgp);
  snapshot.sessionStates.push(...sessions);
  snapshot.configurationStates.push(...states);
  snapshot.events.push(...events);
  return snapshot;
}
