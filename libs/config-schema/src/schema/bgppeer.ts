import { Type, type Static } from '@sinclair/typebox';
import { EmptyObject, LabelSelectorSchema, ResourceSchema, StringEnum } from './kube.js';

const ASN = (description: string, minimum = 0) =>
  Type.Integer({ format: 'int64', minimum, maximum: 4294967295, description });

const sharedDescriptions = {
  myASN: 'Local AS number of the session.',
  peerASN: 'AS number the peer must present.',
  peerAddress: 'Address of the peer to connect to.',
  sourceAddress: 'Local address to connect from.',
  holdTime: 'Hold time to propose (a duration such as 90s; 0 or at least 3s). Keepalive defaults to a third of it.',
  keepaliveTime: 'Keepalive interval (a duration, at most the hold time). Alone, it sets the hold time to three times it.',
  routerID: 'BGP identifier to present; the node address when unset.',
  password: 'TCP MD5 password of the session.',
  bfdProfile: 'Name of the BFDProfile that runs BFD alongside the session; no BFD when unset.',
  ebgpMultiHop: 'The eBGP peer is more than one hop away.',
  nodeSelectors: 'Nodes that open this session; every node when empty.',
} as const;

/** v1beta1's own selector shape: values are required, and nothing is marked atomic. */
const LegacyNodeSelectorSchema = Type.Object(
  {
    matchLabels: Type.Optional(Type.Unsafe<Record<string, string>>({ type: 'object', additionalProperties: { type: 'string' } })),
    matchExpressions: Type.Optional(
      Type.Array(
        Type.Object({
          key: Type.String(),
          operator: Type.String(),
          values: Type.Array(Type.String(), { minItems: 1 }),
        }),
      ),
    ),
  },
  { description: 'A node selector (v1beta1 form).' },
);

export const BGPPeerV1beta1SpecSchema = Type.Object(
  {
    myASN: ASN(sharedDescriptions.myASN),
    peerASN: ASN(sharedDescriptions.peerASN),
    peerAddress: Type.String({ description: sharedDescriptions.peerAddress }),
    sourceAddress: Type.Optional(Type.String({ description: sharedDescriptions.sourceAddress })),
    peerPort: Type.Optional(Type.Integer({ minimum: 0, maximum: 16384, description: 'TCP port of the peer; 179 when unset.' })),
    holdTime: Type.Optional(Type.String({ description: sharedDescriptions.holdTime })),
    keepaliveTime: Type.Optional(Type.String({ description: sharedDescriptions.keepaliveTime })),
    routerID: Type.Optional(Type.String({ description: sharedDescriptions.routerID })),
    nodeSelectors: Type.Optional(Type.Array(LegacyNodeSelectorSchema, { description: sharedDescriptions.nodeSelectors })),
    password: Type.Optional(Type.String({ description: sharedDescriptions.password })),
    bfdProfile: Type.Optional(Type.String({ description: sharedDescriptions.bfdProfile })),
    ebgpMultiHop: Type.Optional(Type.Boolean({ description: sharedDescriptions.ebgpMultiHop })),
  },
  { description: 'A BGP session to open from the nodes (v1beta1; served converted from v1beta2).' },
);

export const BGPPeerV1beta2SpecSchema = Type.Object(
  {
    myASN: ASN(sharedDescriptions.myASN),
    peerASN: Type.Optional(ASN(`${sharedDescriptions.peerASN} Exactly one of peerASN and dynamicASN is set.`)),
    dynamicASN: Type.Optional(
      StringEnum(['internal', 'external'], {
        description: 'Accept whatever AS the peer presents, as long as it is (internal) or is not (external) myASN.',
      }),
    ),
    localASN: Type.Optional(ASN('AS number presented to this peer instead of myASN (local-as).', 1)),
    peerAddress: Type.Optional(Type.String({ description: `${sharedDescriptions.peerAddress} Exactly one of peerAddress and interface is set.` })),
    interface: Type.Optional(Type.String({ description: 'Node interface to peer over without an address (BGP unnumbered).' })),
    sourceAddress: Type.Optional(Type.String({ description: sharedDescriptions.sourceAddress })),
    peerPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 16384, default: 179, description: 'TCP port of the peer.' })),
    holdTime: Type.Optional(Type.String({ description: sharedDescriptions.holdTime })),
    keepaliveTime: Type.Optional(Type.String({ description: sharedDescriptions.keepaliveTime })),
    connectTime: Type.Optional(
      Type.String({
        description: 'Wait between connection attempts (whole seconds, 1s to 65535s).',
        'x-kubernetes-validations': [
          { rule: "duration(self) >= duration('1s') && duration(self) <= duration('65535s')", message: 'connectTime must be from 1s to 65535s' },
          { rule: 'duration(self).getMilliseconds() % 1000 == 0', message: 'connectTime must be a whole number of seconds' },
        ],
      }),
    ),
    routerID: Type.Optional(Type.String({ description: sharedDescriptions.routerID })),
    nodeSelectors: Type.Optional(Type.Array(LabelSelectorSchema(), { description: sharedDescriptions.nodeSelectors })),
    password: Type.Optional(Type.String({ description: `${sharedDescriptions.password} Not together with passwordSecret.` })),
    passwordSecret: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String({ description: 'Name of the Secret.' })),
          namespace: Type.Optional(Type.String({ description: 'Namespace of the Secret.' })),
        },
        {
          description: 'A kubernetes.io/basic-auth Secret whose "password" key holds the TCP MD5 password.',
          'x-kubernetes-map-type': 'atomic',
        },
      ),
    ),
    bfdProfile: Type.Optional(Type.String({ description: sharedDescriptions.bfdProfile })),
    enableGracefulRestart: Type.Optional(
      Type.Boolean({
        description: 'Negotiate graceful restart, so the peer keeps forwarding while the session restarts. Fixed at creation.',
        'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'enableGracefulRestart cannot be changed once set' }],
      }),
    ),
    ebgpMultiHop: Type.Optional(Type.Boolean({ description: sharedDescriptions.ebgpMultiHop })),
    vrf: Type.Optional(Type.String({ description: 'Host VRF whose interfaces the session runs over.' })),
    dualStackAddressFamily: Type.Optional(
      Type.Boolean({ default: false, description: 'Exchange both IPv4 and IPv6 routes over this one session.' }),
    ),
    disableMP: Type.Optional(
      Type.Boolean({ default: false, description: 'Deprecated, use dualStackAddressFamily: keep IPv4 and IPv6 on separate sessions.' }),
    ),
  },
  { description: 'A BGP session to open from the nodes.' },
);

export const BGPPeerV1beta1Schema = ResourceSchema('A BGP router the speakers open sessions to.', {
  spec: Type.Optional(BGPPeerV1beta1SpecSchema),
  status: Type.Optional(EmptyObject('Nothing is reported here yet.')),
});

export const BGPPeerSchema = ResourceSchema('A BGP router the speakers open sessions to.', {
  spec: Type.Optional(BGPPeerV1beta2SpecSchema),
  status: Type.Optional(EmptyObject('Nothing is reported here yet.')),
});

export type BGPPeerV1beta1Spec = Static<typeof BGPPeerV1beta1SpecSchema>;
export type BGPPeerV1beta1 = Static<typeof BGPPeerV1beta1Schema>;
export type BGPPeerSpec = Static<typeof BGPPeerV1beta2SpecSchema>;
export type BGPPeer = Static<typeof BGPPeerSchema>;
