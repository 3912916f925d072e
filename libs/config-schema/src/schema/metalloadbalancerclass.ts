// The multi-address class of Deckhouse's metallb module: a pool tied to a group of nodes, from which
// a Service asks for N addresses, each announced by a different node of the group.
import { Type, type Static } from '@sinclair/typebox';
import { EmptyObject, ResourceSchema, StringEnum, StringMap } from './kube.js';

export const TolerationSchema = Type.Object(
  {
    key: Type.Optional(Type.String({ description: 'Taint key; empty with operator Exists tolerates every taint.' })),
    operator: Type.Optional(Type.String({ description: 'Exists or Equal (the default).' })),
    value: Type.Optional(Type.String({ description: 'Taint value, for operator Equal.' })),
    effect: Type.Optional(Type.String({ description: 'NoSchedule, PreferNoSchedule or NoExecute; empty matches all.' })),
    tolerationSeconds: Type.Optional(Type.Integer({ format: 'int64', description: 'How long a NoExecute taint is tolerated.' })),
  },
  { description: 'A toleration, as in a Pod spec.' },
);

export const MetalLoadBalancerClassSpecSchema = Type.Object(
  {
    isDefault: Type.Optional(Type.Boolean({ description: 'Services without spec.loadBalancerClass get this class.' })),
    type: Type.Optional(
      StringEnum(['L2'], {
        description: 'How addresses are announced; L2 (ARP/NDP) is the only mode.',
        'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'type cannot change once set' }],
      }),
    ),
    addressPool: Type.Optional(
      Type.Array(Type.String(), { description: 'The addresses of the class: CIDRs, first-last ranges or single addresses.' }),
    ),
    nodeSelector: Type.Optional(StringMap({ description: 'Labels of the nodes that announce the addresses of the class.' })),
    tolerations: Type.Optional(Type.Array(TolerationSchema, { description: 'Taints the announcing nodes may carry.' })),
    l2: Type.Optional(
      Type.Object(
        {
          interfaces: Type.Optional(
            Type.Array(Type.String(), { description: 'Interfaces to announce from; every interface when empty.' }),
          ),
        },
        { description: 'Layer 2 settings.' },
      ),
    ),
  },
  { description: 'The addresses of the class and the nodes that announce them.' },
);

export const MetalLoadBalancerClassSchema = ResourceSchema(
  'A load balancer class: Services that name it in spec.loadBalancerClass get addresses from its pool, several per Service if the annotation network.deckhouse.io/l2-load-balancer-external-ips-count asks, each announced by a different node.',
  {
    spec: Type.Optional(MetalLoadBalancerClassSpecSchema),
    status: Type.Optional(EmptyObject('Nothing is reported here yet.')),
  },
);

export type Toleration = Static<typeof TolerationSchema>;
export type MetalLoadBalancerClassSpec = Static<typeof MetalLoadBalancerClassSpecSchema>;
export type MetalLoadBalancerClass = Static<typeof MetalLoadBalancerClassSchema>;
