import { DECKHOUSE_NETWORK_GROUP, KINDS, METALLB_GROUP, storageVersion } from '@lb/config-schema';
import { resourceType, type KubeObject, type ResourceType } from '@lb/k8s-watch';

/** Kinds that only report status; the controller writes ConfigurationState and reads none of them. */
const STATUS_KINDS = new Set(['ConfigurationState', 'ServiceL2Status', 'ServiceBGPStatus']);

/** The resources whose objects make up the configuration, at their storage version. */
export const CONFIG_TYPES: ReadonlyArray<ResourceType<KubeObject>> = KINDS.filter(
  (k) => !STATUS_KINDS.has(k.kind) && (k.group === METALLB_GROUP || k.group === DECKHOUSE_NETWORK_GROUP),
).map((k) =>
  resourceType<KubeObject>({ group: k.group, version: storageVersion(k).name, plural: k.plural, kind: k.kind, namespaced: k.scope === 'Namespaced' }),
);

export interface IPAddressPoolStatus {
  assignedIPv4: number;
  assignedIPv6: number;
  availableIPv4: number;
  availableIPv6: number;
}

export const IPAddressPools = resourceType<KubeObject & { status?: IPAddressPoolStatus }>({
  group: METALLB_GROUP,
  version: 'v1beta1',
  plural: 'ipaddresspools',
  kind: 'IPAddressPool',
  namespaced: true,
});

export interface ConfigurationStateStatus {
  result: 'Valid' | 'Invalid' | 'Unknown';
  errorSummary?: string;
  conditions?: Array<{ type: string; status: string; reason: string; message: string; lastTransitionTime: string }>;
}

export const ConfigurationStates = resourceType<KubeObject & { status?: ConfigurationStateStatus }>({
  group: METALLB_GROUP,
  version: 'v1beta1',
  plural: 'configurationstates',
  kind: 'ConfigurationState',
  namespaced: true,
});

export const ValidatingWebhookConfigurations = resourceType<KubeObject & { webhooks?: Array<Record<string, unknown>> }>({
  group: 'admissionregistration.k8s.io',
  version: 'v1',
  plural: 'validatingwebhookconfigurations',
  kind: 'ValidatingWebhookConfiguration',
  namespaced: false,
});

export const CustomResourceDefinitions = resourceType<KubeObject & { spec?: Record<string, unknown> }>({
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  namespaced: false,
});
