import { Type, type Static } from '@sinclair/typebox';
import { ResourceSchema, SelectorList, StringList } from './kube.js';

export const IPAddressPoolSpecSchema = Type.Object(
  {
    addresses: Type.Array(Type.String(), {
      description:
        'The addresses this pool hands out: CIDRs (192.168.10.0/24), first-last ranges (192.168.9.1-192.168.9.5) or single addresses, IPv4 and IPv6 mixed.',
    }),
    autoAssign: Type.Optional(
      Type.Boolean({ default: true, description: 'Whether services may get addresses from this pool without asking for it by name.' }),
    ),
    avoidBuggyIPs: Type.Optional(
      Type.Boolean({ default: false, description: 'Never hand out IPv4 addresses ending in .0 or .255, which some old routers drop.' }),
    ),
    serviceAllocation: Type.Optional(
      Type.Object(
        {
          priority: Type.Optional(
            Type.Integer({ description: 'Pools with a lower number are tried first; pools without a priority come last.' }),
          ),
          namespaces: StringList('Namespaces whose services may use this pool.'),
          namespaceSelectors: SelectorList('Selectors of namespaces whose services may use this pool.'),
          serviceSelectors: SelectorList('Selectors of the services that may use this pool.'),
        },
        { description: 'Restricts the pool to some namespaces or services and orders it among the pools that match.' },
      ),
    ),
  },
  { description: 'The addresses of the pool and how they are handed out.' },
);

export const IPAddressPoolStatusSchema = Type.Object(
  {
    assignedIPv4: Type.Integer({ format: 'int64', description: 'IPv4 addresses of the pool in use.' }),
    assignedIPv6: Type.Integer({ format: 'int64', description: 'IPv6 addresses of the pool in use.' }),
    availableIPv4: Type.Integer({ format: 'int64', description: 'IPv4 addresses of the pool still free.' }),
    availableIPv6: Type.Integer({ format: 'int64', description: 'IPv6 addresses of the pool still free.' }),
  },
  { description: 'Address usage, written by the controller.' },
);

export const IPAddressPoolSchema = ResourceSchema('A pool of addresses that LoadBalancer services get their external IPs from.', {
  spec: IPAddressPoolSpecSchema,
  status: Type.Optional(IPAddressPoolStatusSchema),
});

export type IPAddressPoolSpec = Static<typeof IPAddressPoolSpecSchema>;
export type IPAddressPool = Static<typeof IPAddressPoolSchema>;
