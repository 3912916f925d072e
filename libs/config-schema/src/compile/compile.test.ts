import { Allocator, definePools } from '@lb/ipam';
import { describe, expect, it } from 'vitest';
import { bfd, bgp, community, l2, lbClass, node, peer, pool } from '../../test/helpers.js';
import { formatIssue, type ConfigIssue } from '../issues.js';
import { compile } from './compile.js';

interface Expected {
  readonly kind: string;
  readonly name: string;
  readonly path: string;
  readonly message: RegExp;
  readonly transient?: boolean;
}

interface Rule {
  readonly rule: string;
  /** A configuration the rule lets through. */
  readonly accepted: readonly unknown[];
  /** The closest configuration the rule refuses, and the error it must give. */
  readonly rejected: readonly unknown[];
  readonly error: Expected;
}

const p4 = pool('p4', ['10.0.0.0/24']);
const p6 = pool('p6', ['fc00::/120']);
const echo = bfd('echo', { echoMode: true });

const rules: Rule[] = [
  // Pools
  { rule: 'pool without addresses', accepted: [p4], rejected: [pool('p', [])], error: { kind: 'IPAddressPool', name: 'p', path: 'spec.addresses', message: /no addresses/ } },
  { rule: 'invalid CIDR', accepted: [pool('p', ['10.0.0.0/32'])], rejected: [pool('p', ['10.0.0.0/33'])], error: { kind: 'IPAddressPool', name: 'p', path: 'spec.addresses[0]', message: /prefix length/ } },
  { rule: 'invalid address', accepted: [pool('p', ['10.0.0.1'])], rejected: [pool('p', ['10.0.0.256'])], error: { kind: 'IPAddressPool', name: 'p', path: 'spec.addresses[0]', message: /not an IP address/ } },
  { rule: 'invalid range end', accepted: [pool('p', ['10.0.0.1-10.0.0.9'])], rejected: [pool('p', ['10.0.0.1-10.0.0.x'])], error: { kind: 'IPAddressPool', name: 'p', path: 'spec.addresses[0]', message: /end '10.0.0.x' is not an IP address/ } },
  { rule: 'range start after end', accepted: [pool('p', ['172.16.16.150-172.16.16.200'])], rejected: [pool('p', ['172.16.16.150-172.16.16.20'])], error: { kind: 'IPAddressPool', name: 'p', path: 'spec.addresses[0]', message: /starts after it ends/ } },
  { rule: 'range mixing families', accepted: [pool('p', ['fc00::1-fc00::9'])], rejected: [pool('p', ['10.0.0.1-fc00::9'])], error: { kind: 'IPAddressPool', name: 'p', path: 'spec.addresses[0]', message: /mixes/ } },
  {
    rule: 'duplicate pool names across namespaces',
    accepted: [pool('a', ['10.0.0.0/24']), pool('b', ['10.0.1.0/24'], {}, { namespace: 'other' })],
    rejected: [pool('a', ['10.0.0.0/24']), pool('a', ['10.0.1.0/24'], {}, { namespace: 'other' })],
    error: { kind: 'IPAddressPool', name: 'a', path: 'metadata.name', message: /already used by IPAddressPool metallb-system\/a/ },
  },
  {
    rule: 'the same resource twice',
    accepted: [pool('a', ['10.0.0.0/24'])],
    rejected: [pool('a', ['10.0.0.0/24']), pool('a', ['10.0.1.0/24'])],
    error: { kind: 'IPAddressPool', name: 'a', path: 'metadata.name', message: /appears twice/ },
  },
  {
    rule: 'overlap within a pool',
    accepted: [pool('p', ['10.0.0.0/25', '10.0.0.128/25'])],
    rejected: [pool('p', ['10.0.0.0/24', '10.0.0.128/25'])],
    error: { kind: 'IPAddressPool', name: 'p', path: 'spec.addresses[1]', message: /10.0.0.128\/25 overlaps 10.0.0.0\/24 of entry \[0\] of the same pool/ },
  },
  {
    rule: 'overlap across pools',
    accepted: [pool('a', ['10.0.0.0-10.0.0.99']), pool('b', ['10.0.0.100-10.0.0.200'])],
    rejected: [pool('a', ['10.0.0.0-10.0.0.100']), pool('b', ['10.0.0.100-10.0.0.200'])],
    error: { kind: 'IPAddressPool', name: 'b', path: 'spec.addresses[0]', message: /overlaps 10.0.0.0-10.0.0.100 of IPAddressPool metallb-system\/a/ },
  },
  {
    rule: 'overlap between a pool and a class',
    accepted: [p4, lbClass('ingress', { addressPool: ['10.0.1.0/24'] })],
    rejected: [p4, lbClass('ingress', { addressPool: ['10.0.0.128/25'] })],
    error: { kind: 'MetalLoadBalancerClass', name: 'ingress', path: 'spec.addressPool[0]', message: /overlaps 10.0.0.0\/24 of IPAddressPool/ },
  },
  {
    rule: 'duplicate namespaces',
    accepted: [pool('p', ['10.0.0.0/24'], { serviceAllocation: { namespaces: ['a', 'b'] } })],
    rejected: [pool('p', ['10.0.0.0/24'], { serviceAllocation: { namespaces: ['a', 'a'] } })],
    error: { kind: 'IPAddressPool', name: 'p', path: 'spec.serviceAllocation.namespaces[1]', message: /listed twice/ },
  },
  {
    rule: 'duplicate selectors',
    accepted: [pool('p', ['10.0.0.0/24'], { serviceAllocation: { serviceSelectors: [{ matchLabels: { app: 'a' } }, { matchLabels: { app: 'b' } }] } })],
    rejected: [pool('p', ['10.0.0.0/24'], { serviceAllocation: { serviceSelectors: [{ matchLabels: { app: 'a' } }, { matchLabels: { app: 'a' } }] } })],
    error: { kind: 'IPAddressPool', name: 'p', path: 'spec.serviceAllocation.serviceSelectors[1]', message: /same selector as \[0\]/ },
  },
  {
    rule: 'duplicate values in a selector expression',
    accepted: [pool('p', ['10.0.0.0/24'], { serviceAllocation: { namespaceSelectors: [{ matchExpressions: [{ key: 'team', operator: 'In', values: ['a', 'b'] }] }] } })],
    rejected: [pool('p', ['10.0.0.0/24'], { serviceAllocation: { namespaceSelectors: [{ matchExpressions: [{ key: 'team', operator: 'In', values: ['a', 'a'] }] }] } })],
    error: { kind: 'IPAddressPool', name: 'p', path: 'spec.serviceAllocation.namespaceSelectors[0].matchExpressions[0].values', message: /listed twice/ },
  },
  {
    rule: 'selector with an unknown operator',
    accepted: [pool('p', ['10.0.0.0/24'], { serviceAllocation: { serviceSelectors: [{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }] } })],
    rejected: [pool('p', ['10.0.0.0/24'], { serviceAllocation: { serviceSelectors: [{ matchExpressions: [{ key: 'app', operator: 'Has' }] }] } })],
    error: { kind: 'IPAddressPool', name: 'p', path: 'spec.serviceAllocation.serviceSelectors[0].matchExpressions[0].operator', message: /unknown operator 'Has'/ },
  },
  {
    rule: 'negative priority',
    accepted: [pool('p', ['10.0.0.0/24'], { serviceAllocation: { priority: 0 } })],
    rejected: [pool('p', ['10.0.0.0/24'], { serviceAllocation: { priority: -1 } })],
    error: { kind: 'IPAddressPool', name: 'p', path: 'spec.serviceAllocation.priority', message: /0 or more/ },
  },

  // Peers
  { rule: 'myASN 0', accepted: [peer('r', { myASN: 1 })], rejected: [peer('r', { myASN: 0 })], error: { kind: 'BGPPeer', name: 'r', path: 'spec.myASN', message: /not 0/ } },
  {
    rule: 'neither peerASN nor dynamicASN',
    accepted: [peer('r', { peerASN: undefined, dynamicASN: 'external' })],
    rejected: [peer('r', { peerASN: undefined })],
    error: { kind: 'BGPPeer', name: 'r', path: 'spec.peerASN', message: /peerASN .* or dynamicASN/ },
  },
  {
    rule: 'both peerASN and dynamicASN',
    accepted: [peer('r', { peerASN: 65000 })],
    rejected: [peer('r', { peerASN: 65000, dynamicASN: 'internal' })],
    error: { kind: 'BGPPeer', name: 'r', path: 'spec.dynamicASN', message: /cannot both be set/ },
  },
  {
    rule: 'ebgpMultiHop on an iBGP session',
    accepted: [peer('r', { myASN: 64512, peerASN: 64513, ebgpMultiHop: true })],
    rejected: [peer('r', { myASN: 64512, peerASN: 64512, ebgpMultiHop: true })],
    error: { kind: 'BGPPeer', name: 'r', path: 'spec.ebgpMultiHop', message: /iBGP/ },
  },
  {
    rule: 'neither peerAddress nor interface',
    accepted: [peer('r', { peerAddress: undefined, interface: 'eth0' })],
    rejected: [peer('r', { peerAddress: undefined })],
    error: { kind: 'BGPPeer', name: 'r', path: 'spec.peerAddress', message: /set peerAddress, or interface/ },
  },
  {
    rule: 'both peerAddress and interface',
    accepted: [peer('r', {})],
    rejected: [peer('r', { interface: 'eth0' })],
    error: { kind: 'BGPPeer', name: 'r', path: 'spec.interface', message: /cannot both be set/ },
  },
  { rule: 'invalid peerAddress', accepted: [peer('r', { peerAddress: 'fc00::1' })], rejected: [peer('r', { peerAddress: '172.30.0' })], error: { kind: 'BGPPeer', name: 'r', path: 'spec.peerAddress', message: /not an IP address/ } },
  { rule: 'invalid sourceAddress', accepted: [peer('r', { sourceAddress: '10.1.1.1' })], rejected: [peer('r', { sourceAddress: 'node-ip' })], error: { kind: 'BGPPeer', name: 'r', path: 'spec.sourceAddress', message: /not an IP address/ } },
  { rule: 'invalid routerID', accepted: [peer('r', { routerID: '10.1.1.1' })], rejected: [peer('r', { routerID: 'fc00::1' })], error: { kind: 'BGPPeer', name: 'r', path: 'spec.routerID', message: /must be an IPv4 address/ } },
  { rule: 'hold time under 3 s', accepted: [peer('r', { holdTime: '3s' })], rejected: [peer('r', { holdTime: '2s' })], error: { kind: 'BGPPeer', name: 'r', path: 'spec.holdTime', message: /must be 0 or at least 3s/ } },
  { rule: 'hold time 0 is allowed', accepted: [peer('r', { holdTime: '0s' })], rejected: [peer('r', { holdTime: '1s' })], error: { kind: 'BGPPeer', name: 'r', path: 'spec.holdTime', message: /at least 3s/ } },
  { rule: 'keepalive alone implies a hold time under 3 s', accepted: [peer('r', { keepaliveTime: '1s' })], rejected: [peer('r', { keepaliveTime: '0.5s' })], error: { kind: 'BGPPeer', name: 'r', path: 'spec.keepaliveTime', message: /three times keepaliveTime/ } },
  {
    rule: 'keepalive above hold',
    accepted: [peer('r', { holdTime: '30s', keepaliveTime: '30s' })],
    rejected: [peer('r', { holdTime: '30s', keepaliveTime: '31s' })],
    error: { kind: 'BGPPeer', name: 'r', path: 'spec.keepaliveTime', message: /must not be longer than holdTime/ },
  },
  { rule: 'unreadable duration', accepted: [peer('r', { holdTime: '1m30s' })], rejected: [peer('r', { holdTime: '90' })], error: { kind: 'BGPPeer', name: 'r', path: 'spec.holdTime', message: /not a duration/ } },
  {
    rule: 'password together with passwordSecret',
    accepted: [peer('r', { passwordSecret: { name: 's' } })],
    rejected: [peer('r', { password: 'x', passwordSecret: { name: 's' } })],
    error: { kind: 'BGPPeer', name: 'r', path: 'spec.passwordSecret', message: /cannot both be set/ },
  },
  {
    rule: 'two identical peers',
    accepted: [peer('a', { nodeSelectors: [{ matchLabels: { rack: '1' } }] }), peer('b', { nodeSelectors: [{ matchLabels: { rack: '2' } }] })],
    rejected: [peer('a', {}), peer('b', {})],
    error: { kind: 'BGPPeer', name: 'b', path: 'spec.peerAddress', message: /same session as BGPPeer metallb-system\/a/ },
  },
  {
    rule: 'the same address in another VRF is another session',
    accepted: [peer('a', {}), peer('b', { vrf: 'red' })],
    rejected: [peer('a', { vrf: 'red' }), peer('b', { vrf: 'red' })],
    error: { kind: 'BGPPeer', name: 'b', path: 'spec.peerAddress', message: /VRF 'red'/ },
  },
  {
    rule: 'unknown bfdProfile',
    accepted: [bfd('fast'), peer('r', { bfdProfile: 'fast' })],
    rejected: [peer('r', { bfdProfile: 'fast' })],
    error: { kind: 'BGPPeer', name: 'r', path: 'spec.bfdProfile', message: /BFDProfile 'fast' does not exist/, transient: true },
  },

  // Advertisements
  {
    rule: 'IPv4 aggregation above 32',
    accepted: [p4, bgp('a', { aggregationLength: 32 })],
    rejected: [p4, bgp('a', { aggregationLength: 33 })],
    error: { kind: 'BGPAdvertisement', name: 'a', path: 'spec.aggregationLength', message: /from 1 to 32/ },
  },
  {
    rule: 'IPv6 aggregation above 128',
    accepted: [p6, bgp('a', { aggregationLengthV6: 128 })],
    rejected: [p6, bgp('a', { aggregationLengthV6: 129 })],
    error: { kind: 'BGPAdvertisement', name: 'a', path: 'spec.aggregationLengthV6', message: /from 0 to 128/ },
  },
  {
    rule: 'aggregation shorter than the pool CIDR',
    accepted: [p4, bgp('a', { aggregationLength: 24 })],
    rejected: [p4, bgp('a', { aggregationLength: 23 })],
    error: { kind: 'BGPAdvertisement', name: 'a', path: 'spec.aggregationLength', message: /shorter than the \/24 of 10.0.0.0\/24 in IPAddressPool metallb-system\/p4/ },
  },
  {
    rule: 'aggregation shorter than the widest block of a range',
    accepted: [pool('r', ['10.0.0.0-10.0.0.200']), bgp('a', { aggregationLength: 25 })],
    rejected: [pool('r', ['10.0.0.0-10.0.0.200']), bgp('a', { aggregationLength: 24 })],
    error: { kind: 'BGPAdvertisement', name: 'a', path: 'spec.aggregationLength', message: /shorter than the \/25/ },
  },
  {
    rule: 'IPv6 aggregation shorter than the pool CIDR',
    accepted: [p6, bgp('a', { aggregationLengthV6: 120 })],
    rejected: [p6, bgp('a', { aggregationLengthV6: 119 })],
    error: { kind: 'BGPAdvertisement', name: 'a', path: 'spec.aggregationLengthV6', message: /shorter than the \/120/ },
  },
  {
    rule: 'serviceSelectors with a non-default aggregation',
    accepted: [p4, bgp('a', { aggregationLength: 32, serviceSelectors: [{ matchLabels: { app: 'x' } }] })],
    rejected: [p4, bgp('a', { aggregationLength: 28, serviceSelectors: [{ matchLabels: { app: 'x' } }] })],
    error: { kind: 'BGPAdvertisement', name: 'a', path: 'spec', message: /serviceSelectors can only be used with aggregationLength 32/ },
  },
  {
    rule: 'conflicting localPref for the same pool, peers and nodes',
    accepted: [p4, bgp('a', { localPref: 100 }), bgp('b', { localPref: 100, communities: ['1:1'] })],
    rejected: [p4, bgp('a', { localPref: 100 }), bgp('b', { localPref: 200 })],
    error: { kind: 'BGPAdvertisement', name: 'b', path: 'spec.localPref', message: /conflicts with localPref 100 of BGPAdvertisement metallb-system\/a/ },
  },
  {
    rule: 'different localPref to different peers',
    accepted: [p4, bgp('a', { localPref: 100, peers: ['x'] }), bgp('b', { localPref: 200, peers: ['y'] })],
    rejected: [p4, bgp('a', { localPref: 100, peers: ['x'] }), bgp('b', { localPref: 200, peers: ['x', 'y'] })],
    error: { kind: 'BGPAdvertisement', name: 'b', path: 'spec.localPref', message: /conflicts/ },
  },
  {
    rule: 'different localPref from disjoint nodes',
    accepted: [p4, bgp('a', { localPref: 100, nodeSelectors: [{ matchLabels: { zone: 'a' } }] }), bgp('b', { localPref: 200, nodeSelectors: [{ matchLabels: { zone: 'b' } }] })],
    rejected: [p4, bgp('a', { localPref: 100, nodeSelectors: [{ matchLabels: { zone: 'a' } }] }), bgp('b', { localPref: 200, nodeSelectors: [{ matchLabels: { rack: '1' } }] })],
    error: { kind: 'BGPAdvertisement', name: 'b', path: 'spec.localPref', message: /conflicts/ },
  },
  {
    rule: 'different localPref with different aggregation',
    accepted: [p4, bgp('a', { localPref: 100 }), bgp('b', { localPref: 200, aggregationLength: 24 })],
    rejected: [p4, bgp('a', { localPref: 100, aggregationLength: 24 }), bgp('b', { localPref: 200, aggregationLength: 24 })],
    error: { kind: 'BGPAdvertisement', name: 'b', path: 'spec.localPref', message: /conflicts/ },
  },
  {
    rule: 'invalid community value',
    accepted: [p4, bgp('a', { communities: ['65535:1', 'large:1:2:3'] })],
    rejected: [p4, bgp('a', { communities: ['65536:1'] })],
    error: { kind: 'BGPAdvertisement', name: 'a', path: 'spec.communities[0]', message: /'65536' must be a number from 0 to 65535/ },
  },
  {
    rule: 'invalid large community',
    accepted: [p4, bgp('a', { communities: ['large:4294967295:0:1'] })],
    rejected: [p4, bgp('a', { communities: ['huge:1:2:3'] })],
    error: { kind: 'BGPAdvertisement', name: 'a', path: 'spec.communities[0]', message: /must start with 'large:'/ },
  },
  {
    rule: 'unknown community alias',
    accepted: [p4, community('c', [{ name: 'NO_ADVERTISE', value: '65535:65282' }]), bgp('a', { communities: ['NO_ADVERTISE'] })],
    rejected: [p4, bgp('a', { communities: ['NO_ADVERTISE'] })],
    error: { kind: 'BGPAdvertisement', name: 'a', path: 'spec.communities[0]', message: /nor an alias/, transient: true },
  },
  {
    rule: 'alias with an invalid value',
    accepted: [community('c', [{ name: 'x', value: '1:1' }])],
    rejected: [community('c', [{ name: 'x', value: '1:70000' }])],
    error: { kind: 'Community', name: 'c', path: 'spec.communities[0].value', message: /from 0 to 65535/ },
  },
  {
    rule: 'alias defined twice',
    accepted: [community('c', [{ name: 'x', value: '1:1' }]), community('d', [{ name: 'y', value: '1:1' }])],
    rejected: [community('c', [{ name: 'x', value: '1:1' }]), community('d', [{ name: 'x', value: '1:2' }])],
    error: { kind: 'Community', name: 'd', path: 'spec.communities[0].name', message: /already defined by Community metallb-system\/c/ },
  },
  {
    rule: 'duplicate pools in an advertisement',
    accepted: [p4, l2('a', { ipAddressPools: ['p4'] })],
    rejected: [p4, l2('a', { ipAddressPools: ['p4', 'p4'] })],
    error: { kind: 'L2Advertisement', name: 'a', path: 'spec.ipAddressPools[1]', message: /listed twice/ },
  },
  {
    rule: 'duplicate peers in an advertisement',
    accepted: [p4, bgp('a', { peers: ['x', 'y'] })],
    rejected: [p4, bgp('a', { peers: ['x', 'x'] })],
    error: { kind: 'BGPAdvertisement', name: 'a', path: 'spec.peers[1]', message: /listed twice/ },
  },
  {
    rule: 'duplicate communities in an advertisement',
    accepted: [p4, bgp('a', { communities: ['1:1', '1:2'] })],
    rejected: [p4, bgp('a', { communities: ['1:1', '1:1'] })],
    error: { kind: 'BGPAdvertisement', name: 'a', path: 'spec.communities[1]', message: /listed twice/ },
  },
  {
    rule: 'duplicate node selectors in an advertisement',
    accepted: [p4, l2('a', { nodeSelectors: [{ matchLabels: { a: '1' } }, { matchLabels: { a: '2' } }] })],
    rejected: [p4, l2('a', { nodeSelectors: [{ matchLabels: { a: '1' } }, { matchLabels: { a: '1' } }] })],
    error: { kind: 'L2Advertisement', name: 'a', path: 'spec.nodeSelectors[1]', message: /same selector/ },
  },
  {
    rule: 'interface names',
    accepted: [p4, l2('a', { interfaces: ['eth0', 'bond0.100'] })],
    rejected: [p4, l2('a', { interfaces: ['eth0', 'a-very-long-interface-name'] })],
    error: { kind: 'L2Advertisement', name: 'a', path: 'spec.interfaces[1]', message: /not an interface name/ },
  },

  // BFD
  {
    rule: 'BFD receive interval out of range',
    accepted: [bfd('b', { receiveInterval: 10 })],
    rejected: [bfd('b', { receiveInterval: 9 })],
    error: { kind: 'BFDProfile', name: 'b', path: 'spec.receiveInterval', message: /at least 10, got 9/ },
  },
  {
    rule: 'BFD transmit interval out of range',
    accepted: [bfd('b', { transmitInterval: 60000 })],
    rejected: [bfd('b', { transmitInterval: 60001 })],
    error: { kind: 'BFDProfile', name: 'b', path: 'spec.transmitInterval', message: /at most 60000/ },
  },
  { rule: 'BFD detect multiplier out of range', accepted: [bfd('b', { detectMultiplier: 2 })], rejected: [bfd('b', { detectMultiplier: 1 })], error: { kind: 'BFDProfile', name: 'b', path: 'spec.detectMultiplier', message: /at least 2/ } },
  { rule: 'BFD minimum TTL out of range', accepted: [bfd('b', { minimumTtl: 254 })], rejected: [bfd('b', { minimumTtl: 255 })], error: { kind: 'BFDProfile', name: 'b', path: 'spec.minimumTtl', message: /at most 254/ } },
  {
    rule: 'IPv6 pool advertised to a peer whose profile uses echo',
    accepted: [p4, echo, peer('r', { bfdProfile: 'echo' }), bgp('a')],
    rejected: [p6, echo, peer('r', { bfdProfile: 'echo' }), bgp('a')],
    error: { kind: 'BGPAdvertisement', name: 'a', path: 'spec', message: /IPv6 IPAddressPool metallb-system\/p6 to BGPPeer 'r'.*echoMode/ },
  },
  {
    rule: 'echo mode only matters for the peers advertised to',
    accepted: [p6, echo, peer('r', { bfdProfile: 'echo' }), peer('s', { peerAddress: '172.30.0.4' }), bgp('a', { peers: ['s'] })],
    rejected: [p6, echo, peer('r', { bfdProfile: 'echo' }), peer('s', { peerAddress: '172.30.0.4' }), bgp('a', { peers: ['s', 'r'] })],
    error: { kind: 'BGPAdvertisement', name: 'a', path: 'spec.peers[1]', message: /echoMode/ },
  },

  // Classes
  {
    rule: 'two default classes',
    accepted: [lbClass('a', { isDefault: true, addressPool: ['10.1.0.0/24'] }), lbClass('b', { addressPool: ['10.2.0.0/24'] })],
    rejected: [lbClass('a', { isDefault: true, addressPool: ['10.1.0.0/24'] }), lbClass('b', { isDefault: true, addressPool: ['10.2.0.0/24'] })],
    error: { kind: 'MetalLoadBalancerClass', name: 'b', path: 'spec.isDefault', message: /MetalLoadBalancerClass a is already the default/ },
  },
  { rule: 'class without addresses', accepted: [lbClass('a', { addressPool: ['10.1.0.1'] })], rejected: [lbClass('a', {})], error: { kind: 'MetalLoadBalancerClass', name: 'a', path: 'spec.addressPool', message: /no addresses/ } },
  { rule: 'class type', accepted: [lbClass('a', { addressPool: ['10.1.0.1'], type: 'L2' })], rejected: [lbClass('a', { addressPool: ['10.1.0.1'], type: 'BGP' })], error: { kind: 'MetalLoadBalancerClass', name: 'a', path: 'spec.type', message: /must be one of "L2"/ } },
  {
    rule: 'class toleration',
    accepted: [lbClass('a', { addressPool: ['10.1.0.1'], tolerations: [{ operator: 'Exists' }] })],
    rejected: [lbClass('a', { addressPool: ['10.1.0.1'], tolerations: [{ operator: 'Exists', value: 'x' }] })],
    error: { kind: 'MetalLoadBalancerClass', name: 'a', path: 'spec.tolerations[0].value', message: /takes no value/ },
  },
  {
    rule: 'class node selector labels',
    accepted: [lbClass('a', { addressPool: ['10.1.0.1'], nodeSelector: { 'node-role.kubernetes.io/lb': '' } })],
    rejected: [lbClass('a', { addressPool: ['10.1.0.1'], nodeSelector: { 'bad key!': '' } })],
    error: { kind: 'MetalLoadBalancerClass', name: 'a', path: 'spec.nodeSelector["bad key!"]', message: /label key/ },
  },

  // What the API server would refuse (schema, CEL)
  { rule: 'peer port 0', accepted: [peer('r', { peerPort: 1 })], rejected: [peer('r', { peerPort: 0 })], error: { kind: 'BGPPeer', name: 'r', path: 'spec.peerPort', message: /at least 1, got 0/ } },
  { rule: 'peer port above 16384', accepted: [peer('r', { peerPort: 16384 })], rejected: [peer('r', { peerPort: 16385 })], error: { kind: 'BGPPeer', name: 'r', path: 'spec.peerPort', message: /at most 16384/ } },
  { rule: 'dynamicASN values', accepted: [peer('r', { peerASN: undefined, dynamicASN: 'internal' })], rejected: [peer('r', { peerASN: undefined, dynamicASN: 'any' })], error: { kind: 'BGPPeer', name: 'r', path: 'spec.dynamicASN', message: /one of "internal", "external"/ } },
  { rule: 'connectTime whole seconds', accepted: [peer('r', { connectTime: '120s' })], rejected: [peer('r', { connectTime: '1.5s' })], error: { kind: 'BGPPeer', name: 'r', path: 'spec.connectTime', message: /whole number of seconds/ } },
  { rule: 'connectTime range', accepted: [peer('r', { connectTime: '65535s' })], rejected: [peer('r', { connectTime: '65536s' })], error: { kind: 'BGPPeer', name: 'r', path: 'spec.connectTime', message: /from 1s to 65535s/ } },
  { rule: 'ASN range', accepted: [peer('r', { myASN: 4294967295 })], rejected: [peer('r', { myASN: 4294967296 })], error: { kind: 'BGPPeer', name: 'r', path: 'spec.myASN', message: /at most 4294967295/ } },
  { rule: 'field types', accepted: [peer('r', { myASN: 1 })], rejected: [peer('r', { myASN: '1' })], error: { kind: 'BGPPeer', name: 'r', path: 'spec.myASN', message: /must be an integer, got the string "1"/ } },
  { rule: 'unknown fields', accepted: [pool('p', ['10.0.0.1'])], rejected: [pool('p', ['10.0.0.1'], { autoassign: false })], error: { kind: 'IPAddressPool', name: 'p', path: 'spec.autoassign', message: /unknown field/ } },
  { rule: 'aggregationLength minimum', accepted: [p4, bgp('a', { aggregationLength: 24 })], rejected: [p4, bgp('a', { aggregationLength: 0 })], error: { kind: 'BGPAdvertisement', name: 'a', path: 'spec.aggregationLength', message: /at least 1/ } },
  { rule: 'names', accepted: [pool('p', ['10.0.0.1'])], rejected: [pool('P_1', ['10.0.0.1'])], error: { kind: 'IPAddressPool', name: 'P_1', path: 'metadata.name', message: /not a valid name/ } },
  {
    rule: 'kind and version',
    accepted: [pool('p', ['10.0.0.1'])],
    rejected: [{ ...pool('p', ['10.0.0.1']), apiVersion: 'metallb.io/v1beta2' }],
    error: { kind: 'IPAddressPool', name: 'p', path: 'apiVersion', message: /has no kind IPAddressPool \(did you mean metallb.io\/v1beta1\?\)/ },
  },
];

function matches(issue: ConfigIssue, expected: Expected): boolean {
  return (
    issue.resource?.kind === expected.kind &&
    issue.resource.name === expected.name &&
    issue.path === expected.path &&
    expected.message.test(issue.message) &&
    (expected.transient === undefined || (issue.transient ?? false) === expected.transient)
  );
}

describe('compile() rules: each accepted and rejected', () => {
  it('has rules', () => expect(rules.length).toBeGreaterThan(60));

  it.each(rules)('$rule', ({ accepted, rejected, error }) => {
    const ok = compile(accepted);
    expect(ok.ok ? [] : ok.error.issues.map(formatIssue)).toEqual([]);
    const bad = compile(rejected);
    expect(bad.ok).toBe(false);
    const errors = bad.ok ? [] : bad.error.issues;
    expect(errors.some((issue) => matches(issue, error)), errors.map(formatIssue).join('\n')).toBe(true);
  });
});

describe('compile() reports every error at once', () => {
  it('names kind, namespace/name, path and reason for each', () => {
    const result = compile([
      pool('a', ['10.0.0.9-10.0.0.1']),
      pool('b', ['10.0.1.0/24', '10.0.1.0/25']),
      peer('r', { myASN: 0, holdTime: '1s', password: 'x', passwordSecret: { name: 's' } }),
      bgp('x', { communities: ['65536:1'], aggregationLength: 40 }),
      bfd('f', { detectMultiplier: 300 }),
    ]);
    expect(result.ok).toBe(false);
    const lines = result.ok ? [] : result.error.issues.map(formatIssue);
    const expected = [
      "IPAddressPool metallb-system/a: spec.addresses[0]: range '10.0.0.9-10.0.0.1' starts after it ends (10.0.0.9 > 10.0.0.1)",
      'IPAddressPool metallb-system/b: spec.addresses[1]: 10.0.1.0/25 overlaps 10.0.1.0/24 of entry [0] of the same pool',
      'BGPPeer metallb-system/r: spec.myASN: myASN must be set to the local AS number (not 0)',
      'BGPPeer metallb-system/r: spec.holdTime: hold time 1s must be 0 or at least 3s',
      'BGPPeer metallb-system/r: spec.passwordSecret: password and passwordSecret cannot both be set; keep one',
      "BGPAdvertisement metallb-system/x: spec.communities[0]: community '65536:1': first part '65536' must be a number from 0 to 65535",
      'BGPAdvertisement metallb-system/x: spec.aggregationLength: must be from 1 to 32, got 40',
      'BFDProfile metallb-system/f: spec.detectMultiplier: must be at most 255, got 300',
    ];
    expect(expected.length).toBeGreaterThan(0);
    for (const line of expected) expect(lines).toContain(line);
  });

  it('never throws, whatever it is given', () => {
    const junk: unknown[] = [null, 3, 'text', [], {}, { kind: 'IPAddressPool' }, { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: 'x' }, { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p' }, spec: { addresses: 'x' } }];
    const result = compile(junk);
    expect(result.ok).toBe(false);
    expect(result.ok ? 0 : result.error.issues.length).toBeGreaterThanOrEqual(junk.length - 1);
  });
});

describe('compile() blames the later of two colliding pools', () => {
  // The controller gives compile() its objects oldest first: the newer pool is the one at fault.
  const cases: Array<[string, unknown[], string]> = [
    ['the new pool starts lower', [pool('old', ['10.0.0.4/30']), pool('new', ['10.0.0.0/29'])], 'new'],
    ['the new pool starts higher', [pool('old', ['10.0.0.0/29']), pool('new', ['10.0.0.4/30'])], 'new'],
    ['the same input the other way round', [pool('new', ['10.0.0.0/29']), pool('old', ['10.0.0.4/30'])], 'old'],
  ];
  it.each(cases)('%s', (_what, input, blamed) => {
    const result = compile(input);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.error.issues.map((e) => e.resource?.name)).toEqual([blamed]);
  });
  it('ran every case', () => expect(cases.length).toBeGreaterThan(0));
});

describe('compile() output', () => {
  const result = compile([
    pool('gold', ['10.0.0.0/24', 'fc00::/120'], { autoAssign: false, serviceAllocation: { priority: 10, namespaces: ['shop'] } }, { labels: { tier: 'gold' } }),
    pool('silver', ['10.0.1.0-10.0.1.99'], {}, { labels: { tier: 'silver' } }),
    l2('everything'),
    bgp('gold-only', { ipAddressPoolSelectors: [{ matchLabels: { tier: 'gold' } }], communities: ['NO_EXPORT', 'large:1:2:3'], localPref: 150 }),
    community('well-known', [{ name: 'NO_EXPORT', value: '65535:65281' }]),
    bfd('fast', { receiveInterval: 100 }),
    peer('hold', { holdTime: '90s', bfdProfile: 'fast' }),
    peer('keepalive', { peerAddress: '172.30.0.4', keepaliveTime: '10s' }),
    peer('defaults', { peerAddress: '172.30.0.5' }),
    { ...peer('legacy', { peerAddress: '172.30.0.6', nodeSelectors: [{ matchLabels: { rack: 'a' } }] }), apiVersion: 'metallb.io/v1beta1' },
    lbClass('ingress', { isDefault: true, addressPool: ['192.168.2.100-192.168.2.150'], nodeSelector: { lb: '' }, l2: { interfaces: ['eth1'] } }),
  ]);
  if (!result.ok) throw new Error(result.error.issues.map(formatIssue).join('\n'));
  const config = result.value;
  const poolNamed = (name: string) => config.pools.find((p) => p.name === name);
  const peerNamed = (name: string) => config.peers.find((p) => p.name === name);

  it('gives pools in the allocator shape, defaults applied, sorted by name', () => {
    expect(config.pools.map((p) => p.name)).toEqual(['class:ingress', 'gold', 'silver']);
    expect(poolNamed('silver')?.spec).toEqual({ name: 'silver', addresses: ['10.0.1.0-10.0.1.99'], autoAssign: true, avoidBuggyIPs: false });
    expect(poolNamed('gold')?.spec.serviceAllocation).toEqual({ priority: 10, namespaces: ['shop'] });
    expect(poolNamed('gold')?.families).toEqual(['IPv4', 'IPv6']);
    expect(config.poolSpecs).toEqual(config.pools.map((p) => p.spec));
  });

  it('gives pools @lb/ipam accepts as they are', () => {
    expect(definePools(config.poolSpecs).ok).toBe(true);
    expect(new Allocator().setPools(config.poolSpecs).ok).toBe(true);
  });

  it('attaches advertisements to the pools they select, and the empty one to every pool but classes', () => {
    expect(poolNamed('gold')?.l2.map((a) => a.source.name)).toEqual(['everything']);
    expect(poolNamed('silver')?.l2.map((a) => a.source.name)).toEqual(['everything']);
    expect(poolNamed('gold')?.bgp.map((a) => a.source.name)).toEqual(['gold-only']);
    expect(poolNamed('silver')?.bgp).toEqual([]);
    const announcement = poolNamed('gold')?.bgp[0];
    expect(announcement?.aggregationLength).toBe(32);
    expect(announcement?.aggregationLengthV6).toBe(128);
    expect(announcement?.localPref).toBe(150);
    expect(announcement?.communities.map((c) => c.text)).toEqual(['65535:65281', 'large:1:2:3']);
  });

  it('gives a class its own pool, announced from its nodes, one address per node', () => {
    const classPool = poolNamed('class:ingress');
    expect(classPool?.spec.autoAssign).toBe(false);
    // Reserved: the allocator refuses its addresses to every Service outside the class, up front.
    expect(classPool?.spec.reservedFor).toBe("MetalLoadBalancerClass 'ingress'");
    expect(classPool?.className).toBe('ingress');
    expect(classPool?.l2).toHaveLength(1);
    expect(classPool?.l2[0]?.spreadAcrossNodes).toBe(true);
    expect(classPool?.l2[0]?.nodeSelectors).toEqual([{ matchLabels: { lb: '' } }]);
    expect(classPool?.l2[0]?.interfaces).toEqual(['eth1']);
    expect(config.classes).toEqual([expect.objectContaining({ name: 'ingress', isDefault: true, pool: 'class:ingress', type: 'L2' })]);
    expect(config.defaultClass).toBe('ingress');
  });

  it('works out hold and keepalive as MetalLB does', () => {
    const cases: Array<[string, number, number]> = [
      ['hold', 90, 30],
      ['keepalive', 30, 10],
      ['defaults', 90, 30],
    ];
    expect(cases.length).toBeGreaterThan(0);
    for (const [name, hold, keepalive] of cases) {
      expect([peerNamed(name)?.holdTime, peerNamed(name)?.keepaliveTime], name).toEqual([hold, keepalive]);
    }
  });

  it('applies peer defaults and resolves BFD profiles', () => {
    const hold = peerNamed('hold');
    expect(hold?.port).toBe(179);
    expect(hold?.bfdProfile).toEqual(expect.objectContaining({ name: 'fast', receiveInterval: 100, transmitInterval: 300, detectMultiplier: 3, echoInterval: 50, minimumTtl: 254, echoMode: false }));
    expect(hold?.internal).toBe(false);
    expect(hold?.dualStackAddressFamily).toBe(false);
  });

  it('reads v1beta1 BGPPeers converted to v1beta2', () => {
    expect(peerNamed('legacy')?.nodeSelectors).toEqual([{ matchLabels: { rack: 'a' } }]);
    expect(peerNamed('legacy')?.port).toBe(179);
    expect(result.warnings.some((w) => w.resource?.name === 'legacy' && /deprecated/.test(w.message))).toBe(true);
  });
});

describe('compile() inputs', () => {
  it('compares node selections exactly when nodes are known', () => {
    const conflicting = [pool('p', ['10.0.0.0/24']), bgp('a', { localPref: 1, nodeSelectors: [{ matchLabels: { rack: '1' } }] }), bgp('b', { localPref: 2, nodeSelectors: [{ matchLabels: { zone: 'x' } }] })];
    expect(compile(conflicting).ok).toBe(false);
    // No node is both in rack 1 and in zone x: MetalLB, which knows the nodes, accepts this.
    expect(compile([...conflicting, node('n1', { rack: '1' }), node('n2', { zone: 'x' })]).ok).toBe(true);
    expect(compile(conflicting, { nodes: [{ name: 'n', labels: { rack: '1', zone: 'x' } }] }).ok).toBe(false);
  });

  it('reads only the given namespace when asked', () => {
    const result = compile([pool('a', ['10.0.0.0/24']), pool('b', ['10.0.0.0/24'], {}, { namespace: 'elsewhere' })], { namespace: 'metallb-system' });
    expect(result.ok).toBe(true);
    expect(result.warnings.map(formatIssue)).toContain("warning: IPAddressPool elsewhere/b: metadata.namespace: skipped: only resources in namespace 'metallb-system' are read");
  });

  it('lists what it ignored', () => {
    const result = compile([pool('a', ['10.0.0.1']), { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } }]);
    expect(result.ignored).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 's', reason: 'not a kind this load balancer is configured with' }]);
  });

  it('resolves a peer password from a basic-auth Secret', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'metallb-system' }, type: 'kubernetes.io/basic-auth', data: { password: Buffer.from('hunter2').toString('base64') } };
    const result = compile([peer('r', { passwordSecret: { name: 's' } }), secret]);
    expect(result.ok && result.value.peers[0]?.secretPassword).toBe('hunter2');
    const wrongType = compile([peer('r', { passwordSecret: { name: 's' } }), { ...secret, type: 'Opaque' }]);
    expect(wrongType.ok ? [] : wrongType.error.issues.map((e) => e.message)).toEqual(["Secret metallb-system/s has type 'Opaque'; it must be kubernetes.io/basic-auth"]);
  });

  it('points at the line and column of a problem in YAML', () => {
    const text = ['apiVersion: metallb.io/v1beta1', 'kind: IPAddressPool', 'metadata:', '  name: p', 'spec:', '  addresses:', '  - 10.0.0.0/24', '  - 10.0.0.300'].join('\n');
    const result = compile(text, { file: 'pools.yaml' });
    expect(result.ok ? [] : result.error.issues.map(formatIssue)).toEqual(["IPAddressPool p: spec.addresses[1]: '10.0.0.300' is not an IP address, CIDR or range (pools.yaml:8:5)"]);
  });

  it('reports malformed YAML with line and column and still reads the other documents', () => {
    const text = ['apiVersion: metallb.io/v1beta1', 'kind: IPAddressPool', 'metadata: {name: a}', 'spec: {addresses: [10.0.0.1]}', '---', 'kind: [unclosed', '---', 'apiVersion: metallb.io/v1beta1', 'kind: IPAddressPool', 'metadata: {name: b}', 'spec: {addresses: [10.0.0.9-10.0.0.1]}'].join('\n');
    const result = compile(text, { file: 'x.yaml' });
    const lines = result.ok ? [] : result.error.issues.map(formatIssue);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^malformed YAML in document 2: .* \(x\.yaml:\d+:\d+\)$/);
    expect(lines[1]).toMatch(/^IPAddressPool b: spec.addresses\[0\]: .*starts after it ends.*\(x\.yaml:11:20\)$/);
  });
});
