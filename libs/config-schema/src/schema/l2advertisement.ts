import { Type, type Static } from '@sinclair/typebox';
import { EmptyObject, LabelSelectorSchema, ResourceSchema, SelectorList, StringList } from './kube.js';

export const L2AdvertisementSpecSchema = Type.Object(
  {
    ipAddressPools: StringList('Pools announced by this advertisement, by name.'),
    ipAddressPoolSelectors: SelectorList(
      'Pools announced by this advertisement, by label. With neither names nor selectors, every pool is announced.',
    ),
    nodeSelectors: SelectorList('Nodes that may announce the addresses; every node when empty.'),
    preferredNodeSelectors: Type.Optional(
      Type.Array(
        Type.Object(
          {
            preference: LabelSelectorSchema('The nodes that get the weight.'),
            weight: Type.Integer({ format: 'int32', minimum: 1, maximum: 100, description: 'Added to the score of every matching node.' }),
          },
          { description: 'A weighted preference for some of the eligible nodes.' },
        ),
        {
          description:
            'Soft preferences in the election of the announcing node: matching nodes add up the weights and the highest score wins.',
        },
      ),
    ),
    interfaces: StringList('Interfaces to announce from; every interface when empty.'),
    serviceSelectors: SelectorList('Services announced by this advertisement; every service of the selected pools when empty.'),
  },
  { description: 'Which pools are announced with ARP/NDP, from which nodes and interfaces.' },
);

export const L2AdvertisementSchema = ResourceSchema('Announces the addresses of some pools on the local network with ARP (IPv4) and NDP (IPv6).', {
  spec: Type.Optional(L2AdvertisementSpecSchema),
  status: Type.Optional(EmptyObject('Nothing is reported here yet.')),
});

export type L2AdvertisementSpec = Static<typeof L2AdvertisementSpecSchema>;
export type L2Advertisement = Static<typeof L2AdvertisementSchema>;
