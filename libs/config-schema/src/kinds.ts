// The one registry of every kind this project serves: group, names, scope, versions and their
// schemas. CRD generation, validation and compile() all read it, so a kind is declared once.
import { type TSchema } from '@sinclair/typebox';
import { BFDProfileSchema } from './schema/bfdprofile.js';
import { BGPAdvertisementSchema } from './schema/bgpadvertisement.js';
import { BGPPeerSchema, BGPPeerV1beta1Schema } from './schema/bgppeer.js';
import { CommunitySchema } from './schema/community.js';
import { IPAddressPoolSchema } from './schema/ipaddresspool.js';
import { L2AdvertisementSchema } from './schema/l2advertisement.js';
import { MetalLoadBalancerClassSchema } from './schema/metalloadbalancerclass.js';
import { ConfigurationStateSchema, ServiceBGPStatusSchema, ServiceL2StatusSchema } from './schema/status-kinds.js';

export const METALLB_GROUP = 'metallb.io';
export const DECKHOUSE_NETWORK_GROUP = 'network.deckhouse.io';

export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly jsonPath: string;
  readonly priority?: number;
  readonly description?: string;
}

export interface VersionDefinition {
  readonly name: string;
  readonly schema: TSchema;
  readonly served: boolean;
  readonly storage: boolean;
  readonly deprecationWarning?: string;
  readonly printerColumns: readonly PrinterColumn[];
}

export interface KindDefinition {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly listKind: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly versions: readonly VersionDefinition[];
}

const bool = (name: string, field: string): PrinterColumn => ({ name, type: 'boolean', jsonPath: `.spec.${field}` });
const str = (name: string, jsonPath: string, priority?: number): PrinterColumn =>
  priority === undefined ? { name, type: 'string', jsonPath } : { name, type: 'string', jsonPath, priority };
const int = (name: string, field: string): PrinterColumn => ({ name, type: 'integer', jsonPath: `.spec.${field}` });

function metallbKind(kind: string, plural: string, versions: readonly VersionDefinition[]): KindDefinition {
  return {
    group: METALLB_GROUP,
    kind,
    plural,
    singular: kind.toLowerCase(),
    listKind: `${kind}List`,
    scope: 'Namespaced',
    versions,
  };
}

const v1beta1 = (schema: TSchema, printerColumns: readonly PrinterColumn[] = []): VersionDefinition => ({
  name: 'v1beta1',
  schema,
  served: true,
  storage: true,
  printerColumns,
});

const statusServiceColumns = (nodeColumn: string): PrinterColumn[] => [
  str(nodeColumn, '.status.node'),
  str('Service Name', '.status.serviceName'),
  str('Service Namespace', '.status.serviceNamespace'),
];

const peerColumns: PrinterColumn[] = [
  str('Address', '.spec.peerAddress'),
  str('ASN', '.spec.peerASN'),
  str('BFD Profile', '.spec.bfdProfile'),
  str('Multi Hops', '.spec.ebgpMultiHop'),
];

/** Every kind, in the order the CRDs are written. */
export const KINDS: readonly KindDefinition[] = [
  metallbKind('IPAddressPool', 'ipaddresspools', [
    v1beta1(IPAddressPoolSchema, [bool('Auto Assign', 'autoAssign'), bool('Avoid Buggy IPs', 'avoidBuggyIPs'), str('Addresses', '.spec.addresses')]),
  ]),
  metallbKind('L2Advertisement', 'l2advertisements', [
    v1beta1(L2AdvertisementSchema, [
      str('IPAddressPools', '.spec.ipAddressPools'),
      str('IPAddressPool Selectors', '.spec.ipAddressPoolSelectors'),
      str('Interfaces', '.spec.interfaces'),
      str('Node Selectors', '.spec.nodeSelectors', 10),
    ]),
  ]),
  metallbKind('BGPAdvertisement', 'bgpadvertisements', [
    v1beta1(BGPAdvertisementSchema, [
      str('IPAddressPools', '.spec.ipAddressPools'),
      str('IPAddressPool Selectors', '.spec.ipAddressPoolSelectors'),
      str('Peers', '.spec.peers'),
      str('Node Selectors', '.spec.nodeSelectors', 10),
    ]),
  ]),
  metallbKind('BGPPeer', 'bgppeers', [
    {
      name: 'v1beta1',
      schema: BGPPeerV1beta1Schema,
      served: true,
      storage: false,
      deprecationWarning: 'metallb.io/v1beta1 BGPPeer is deprecated; use metallb.io/v1beta2',
      printerColumns: peerColumns,
    },
    { name: 'v1beta2', schema: BGPPeerSchema, served: true, storage: true, printerColumns: peerColumns },
  ]),
  metallbKind('BFDProfile', 'bfdprofiles', [
    v1beta1(BFDProfileSchema, [
      bool('Passive Mode', 'passiveMode'),
      int('Transmit Interval', 'transmitInterval'),
      int('Receive Interval', 'receiveInterval'),
      int('Multiplier', 'detectMultiplier'),
    ]),
  ]),
  metallbKind('Community', 'communities', [v1beta1(CommunitySchema)]),
  metallbKind('ServiceL2Status', 'servicel2statuses', [v1beta1(ServiceL2StatusSchema, statusServiceColumns('Allocated Node'))]),
  metallbKind('ServiceBGPStatus', 'servicebgpstatuses', [v1beta1(ServiceBGPStatusSchema, statusServiceColumns('Node'))]),
  metallbKind('ConfigurationState', 'configurationstates', [
    v1beta1(ConfigurationStateSchema, [
      { name: 'Result', type: 'string', jsonPath: '.status.result' },
      { name: 'ErrorSummary', type: 'string', jsonPath: '.status.errorSummary' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]),
  ]),
  {
    group: DECKHOUSE_NETWORK_GROUP,
    kind: 'MetalLoadBalancerClass',
    plural: 'metalloadbalancerclasses',
    singular: 'metalloadbalancerclass',
    listKind: 'MetalLoadBalancerClassList',
    scope: 'Cluster',
    versions: [
      {
        name: 'v1alpha1',
        schema: MetalLoadBalancerClassSchema,
        served: true,
        storage: true,
        printerColumns: [
          { name: 'Default', type: 'boolean', jsonPath: '.spec.isDefault' },
          { name: 'Type', type: 'string', jsonPath: '.spec.type' },
          { name: 'Addresses', type: 'string', jsonPath: '.spec.addressPool' },
        ],
      },
    ],
  },
];

export type KindName =
  | 'IPAddressPool'
  | 'L2Advertisement'
  | 'BGPAdvertisement'
  | 'BGPPeer'
  | 'BFDProfile'
  | 'Community'
  | 'ServiceL2Status'
  | 'ServiceBGPStatus'
  | 'ConfigurationState'
  | 'MetalLoadBalancerClass';

const byGroupKind = new Map(KINDS.map((k) => [`${k.group}/${k.kind}`, k]));

/** The kind an apiVersion/kind pair names, or undefined when it is not one of ours. */
export function kindFor(apiVersion: string, kind: string): { kind: KindDefinition; version: VersionDefinition } | undefined {
  const slash = apiVersion.lastIndexOf('/');
  if (slash === -1) return undefined;
  const definition = byGroupKind.get(`${apiVersion.slice(0, slash)}/${kind}`);
  const version = definition?.versions.find((v) => v.name === apiVersion.slice(slash + 1));
  return definition && version ? { kind: definition, version } : undefined;
}

/** The kind with this name in any of our groups, whatever the version asked for. */
export function kindNamed(kind: string): KindDefinition | undefined {
  return KINDS.find((k) => k.kind === kind);
}

export function storageVersion(kind: KindDefinition): VersionDefinition {
  return kind.versions.find((v) => v.storage) as VersionDefinition;
}
