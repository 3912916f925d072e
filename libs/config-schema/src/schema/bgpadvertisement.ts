import { Type, type Static } from '@sinclair/typebox';
import { EmptyObject, ResourceSchema, SelectorList, StringList } from './kube.js';

/** The aggregation lengths that mean "announce each address alone". */
export const HOST_ROUTE_LENGTH = { IPv4: 32, IPv6: 128 } as const;

// A service selector narrows an advertisement to some services; aggregating their addresses into a
// shorter prefix would announce addresses of services it did not select.
const SERVICE_SELECTORS_NEED_HOST_ROUTES =
  '!(has(self.serviceSelectors) && size(self.serviceSelectors) > 0) || ' +
  '((has(self.aggregationLength) ? self.aggregationLength : 32) == 32 && (has(self.aggregationLengthV6) ? self.aggregationLengthV6 : 128) == 128)';

export const BGPAdvertisementSpecSchema = Type.Object(
  {
    aggregationLength: Type.Optional(
      Type.Integer({
        format: 'int32',
        minimum: 1,
        default: 32,
        description: 'Prefix length IPv4 addresses are announced with; 32 announces each address alone.',
      }),
    ),
    aggregationLengthV6: Type.Optional(
      Type.Integer({
        format: 'int32',
        default: 128,
        description: 'Prefix length IPv6 addresses are announced with; 128 announces each address alone.',
      }),
    ),
    localPref: Type.Optional(Type.Integer({ format: 'int32', description: 'LOCAL_PREF sent to iBGP peers.' })),
    communities: StringList('Communities to attach: A:B, large:A:B:C, or the name of an alias from a Community resource.'),
    ipAddressPools: StringList('Pools announced by this advertisement, by name.'),
    ipAddressPoolSelectors: SelectorList(
      'Pools announced by this advertisement, by label. With neither names nor selectors, every pool is announced.',
    ),
    nodeSelectors: SelectorList('Nodes announced as next hops; every node when empty.'),
    peers: StringList('BGPPeers to announce to, by name; every peer when empty.'),
    serviceSelectors: SelectorList('Services announced by this advertisement; every service of the selected pools when empty.'),
  },
  {
    description: 'Which pools are announced over BGP, to which peers, from which nodes and with which attributes.',
    'x-kubernetes-validations': [
      {
        rule: SERVICE_SELECTORS_NEED_HOST_ROUTES,
        message: 'serviceSelectors can only be used with aggregationLength 32 and aggregationLengthV6 128 (the defaults)',
      },
    ],
  },
);

export const BGPAdvertisementSchema = ResourceSchema('Announces the addresses of some pools to BGP peers.', {
  spec: Type.Optional(BGPAdvertisementSpecSchema),
  status: Type.Optional(EmptyObject('Nothing is reported here yet.')),
});

export type BGPAdvertisementSpec = Static<typeof BGPAdvertisementSpecSchema>;
export type BGPAdvertisement = Static<typeof BGPAdvertisementSchema>;
