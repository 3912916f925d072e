// The resources this library reads, typed from their schemas, with the envelope pinned.
import { type BFDProfile } from './schema/bfdprofile.js';
import { type BGPAdvertisement } from './schema/bgpadvertisement.js';
import { type BGPPeer, type BGPPeerV1beta1 } from './schema/bgppeer.js';
import { type Community } from './schema/community.js';
import { type IPAddressPool } from './schema/ipaddresspool.js';
import { type ObjectMeta } from './schema/kube.js';
import { type L2Advertisement } from './schema/l2advertisement.js';
import { type MetalLoadBalancerClass } from './schema/metalloadbalancerclass.js';
import { type ConfigurationState, type ServiceBGPStatus, type ServiceL2Status } from './schema/status-kinds.js';

/** Metadata of an accepted resource: it always has a name. */
export type NamedMeta = ObjectMeta & { name: string };

export type Resource<Kind extends string, Body> = Omit<Body, 'apiVersion' | 'kind' | 'metadata'> & {
  apiVersion: string;
  kind: Kind;
  metadata: NamedMeta;
};

export type IPAddressPoolResource = Resource<'IPAddressPool', IPAddressPool>;
export type L2AdvertisementResource = Resource<'L2Advertisement', L2Advertisement>;
export type BGPAdvertisementResource = Resource<'BGPAdvertisement', BGPAdvertisement>;
/** A BGPPeer in the storage version (v1beta2). */
export type BGPPeerResource = Resource<'BGPPeer', BGPPeer>;
export type BGPPeerV1beta1Resource = Resource<'BGPPeer', BGPPeerV1beta1>;
export type BFDProfileResource = Resource<'BFDProfile', BFDProfile>;
export type CommunityResource = Resource<'Community', Community>;
export type ServiceL2StatusResource = Resource<'ServiceL2Status', ServiceL2Status>;
export type ServiceBGPStatusResource = Resource<'ServiceBGPStatus', ServiceBGPStatus>;
export type ConfigurationStateResource = Resource<'ConfigurationState', ConfigurationState>;
export type MetalLoadBalancerClassResource = Resource<'MetalLoadBalancerClass', MetalLoadBalancerClass>;

/** Any resource of ours, in the version it was written in. */
export type KnownResource =
  | IPAddressPoolResource
  | L2AdvertisementResource
  | BGPAdvertisementResource
  | BGPPeerResource
  | BGPPeerV1beta1Resource
  | BFDProfileResource
  | CommunityResource
  | ServiceL2StatusResource
  | ServiceBGPStatusResource
  | ConfigurationStateResource
  | MetalLoadBalancerClassResource;

/** The core objects compile() also reads: nodes (for node selectors), secrets (peer passwords). */
export interface NodeObject {
  apiVersion: 'v1';
  kind: 'Node';
  metadata: NamedMeta;
}

export interface SecretObject {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: NamedMeta;
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}
