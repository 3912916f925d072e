// What compile() hands the controller and the speakers: every default applied, every reference
// resolved, pools already in the shape @lb/ipam's Allocator takes.
import { type IpFamily } from '@lb/ip';
import { type AddressRange, type PoolSpec } from '@lb/ipam';
import { type LabelSelector, type Labels } from '@lb/labels';
import { type BgpCommunity } from '../community.js';
import { type ResourceRef } from '../issues.js';
import { type Toleration } from '../schema/metalloadbalancerclass.js';

export interface PreferredNodes {
  readonly selector: LabelSelector;
  readonly weight: number;
}

/** How the addresses of one pool are announced on the local network (from one L2Advertisement or class). */
export interface L2Announcement {
  /** The L2Advertisement, or the MetalLoadBalancerClass, this comes from. */
  readonly source: ResourceRef;
  /** Nodes that may announce; empty means every node. */
  readonly nodeSelectors: readonly LabelSelector[];
  /** Interfaces to announce from; empty means every interface. */
  readonly interfaces: readonly string[];
  /** Services announced; empty means all of the pool's. */
  readonly serviceSelectors: readonly LabelSelector[];
  readonly preferredNodes: readonly PreferredNodes[];
  /**
   * Each address of a Service goes to a different node (MetalLoadBalancerClass); otherwise one node
   * announces all of a Service's addresses, as in MetalLB.
   */
  readonly spreadAcrossNodes: boolean;
  /** Taints the announcing nodes may have (MetalLoadBalancerClass only). */
  readonly tolerations: readonly Toleration[];
}

/** How the addresses of one pool are announced over BGP (from one BGPAdvertisement). */
export interface BgpAnnouncement {
  readonly source: ResourceRef;
  readonly aggregationLength: number;
  readonly aggregationLengthV6: number;
  /** Sent to iBGP peers; undefined when not set (MetalLB's 0). */
  readonly localPref: number | undefined;
  readonly communities: readonly BgpCommunity[];
  /** Nodes announced as next hops; empty means every node. */
  readonly nodeSelectors: readonly LabelSelector[];
  /** Peer names; empty means every peer. */
  readonly peers: readonly string[];
  readonly serviceSelectors: readonly LabelSelector[];
}

export interface CompiledPool {
  /** The name the allocator knows the pool by: the IPAddressPool's name, or classPoolName(class). */
  readonly name: string;
  readonly source: ResourceRef;
  readonly labels: Labels;
  /** Ready for Allocator.setPools. */
  readonly spec: PoolSpec;
  readonly ranges: readonly AddressRange[];
  readonly families: readonly IpFamily[];
  /** Set for the pool of a MetalLoadBalancerClass. */
  readonly className: string | undefined;
  readonly l2: readonly L2Announcement[];
  readonly bgp: readonly BgpAnnouncement[];
}

export interface CompiledBfdProfile {
  readonly name: string;
  readonly source: ResourceRef;
  /** Milliseconds. */
  readonly receiveInterval: number;
  readonly transmitInterval: number;
  readonly echoInterval: number;
  readonly detectMultiplier: number;
  readonly minimumTtl: number;
  readonly echoMode: boolean;
  readonly passiveMode: boolean;
}

export interface CompiledPeer {
  readonly name: string;
  readonly source: ResourceRef;
  readonly myASN: number;
  /** Exactly one of peerASN and dynamicASN is set. */
  readonly peerASN: number | undefined;
  readonly dynamicASN: 'internal' | 'external' | undefined;
  readonly localASN: number | undefined;
  /** Exactly one of address and interface is set; address is canonical. */
  readonly address: string | undefined;
  readonly interface: string | undefined;
  readonly sourceAddress: string | undefined;
  readonly port: number;
  /** Whole seconds; 0 disables keepalives and the hold timer. */
  readonly holdTime: number;
  readonly keepaliveTime: number;
  /** Whole seconds between connection attempts; undefined leaves the speaker's default. */
  readonly connectTime: number | undefined;
  readonly routerID: string | undefined;
  /** Nodes that open the session; empty means every node. */
  readonly nodeSelectors: readonly LabelSelector[];
  readonly password: string | undefined;
  /** The Secret holding the password, when given by reference. */
  readonly passwordSecret: { readonly name: string; readonly namespace: string } | undefined;
  /** Resolved from passwordSecret when the Secret was among compile()'s input. */
  readonly secretPassword: string | undefined;
  readonly bfdProfile: CompiledBfdProfile | undefined;
  readonly enableGracefulRestart: boolean;
  readonly ebgpMultiHop: boolean;
  readonly vrf: string;
  readonly dualStackAddressFamily: boolean;
  /** Deprecated in MetalLB in favour of dualStackAddressFamily; passed on as given. */
  readonly disableMP: boolean;
  /** True when myASN equals peerASN, or dynamicASN is internal. */
  readonly internal: boolean;
}

export interface CompiledClass {
  readonly name: string;
  readonly source: ResourceRef;
  readonly isDefault: boolean;
  readonly type: 'L2';
  /** The allocator pool holding the class's addresses. */
  readonly pool: string;
  readonly nodeSelector: Labels;
  readonly tolerations: readonly Toleration[];
  readonly interfaces: readonly string[];
}

export interface CompiledConfig {
  /** Every pool, IPAddressPools and classes, sorted by name. */
  readonly pools: readonly CompiledPool[];
  /** pools.map(p => p.spec): what Allocator.setPools takes. */
  readonly poolSpecs: readonly PoolSpec[];
  readonly peers: readonly CompiledPeer[];
  readonly bfdProfiles: readonly CompiledBfdProfile[];
  /** Community aliases from Community resources. */
  readonly communities: ReadonlyMap<string, BgpCommunity>;
  readonly classes: readonly CompiledClass[];
  readonly defaultClass: string | undefined;
}
