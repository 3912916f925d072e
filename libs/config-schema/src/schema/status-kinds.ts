// Kinds that only report: the controller and speakers write them, nobody configures with them.
import { Type, type Static } from '@sinclair/typebox';
import { EmptyObject, ResourceSchema, StringEnum, type CelRule } from './kube.js';

const IMMUTABLE: CelRule[] = [{ rule: 'self == oldSelf', message: 'this field cannot change once set' }];

const immutableString = (description: string) =>
  Type.Optional(Type.String({ description, 'x-kubernetes-validations': IMMUTABLE }));

/** Which node and which service a status object is about; set once. */
const serviceFields = (nodeDescription: string) => ({
  node: immutableString(nodeDescription),
  serviceName: immutableString('Name of the service.'),
  serviceNamespace: immutableString('Namespace of the service.'),
});

export const ServiceL2StatusSchema = ResourceSchema('Which node announces a LoadBalancer service in layer 2 mode, and from which interfaces.', {
  spec: Type.Optional(EmptyObject('Nothing to set.')),
  status: Type.Optional(
    Type.Object(
      {
        ...serviceFields('The node that answers ARP/NDP for the service.'),
        interfaces: Type.Optional(
          Type.Array(Type.Object({ name: Type.Optional(Type.String({ description: 'Interface name.' })) }, { description: 'An interface.' }), {
            description: 'Interfaces the node announces from.',
          }),
        ),
      },
      { description: 'Where the service is announced.' },
    ),
  ),
});

export const ServiceBGPStatusSchema = ResourceSchema('The BGP peers a node is set to announce a LoadBalancer service to.', {
  spec: Type.Optional(EmptyObject('Nothing to set.')),
  status: Type.Optional(
    Type.Object(
      {
        ...serviceFields('The announcing node.'),
        peers: Type.Optional(
          Type.Array(Type.String(), { description: 'BGPPeers the service is set to be announced to (whether a session is up is not shown).' }),
        ),
      },
      { description: 'Where the service is announced.' },
    ),
  ),
});

export const ConditionSchema = Type.Object(
  {
    type: Type.String({
      maxLength: 316,
      pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
      description: 'Condition type, in CamelCase or domain/CamelCase.',
    }),
    status: StringEnum(['True', 'False', 'Unknown'], { description: 'Whether the condition holds.' }),
    observedGeneration: Type.Optional(Type.Integer({ format: 'int64', minimum: 0, description: 'Generation the condition was computed from.' })),
    lastTransitionTime: Type.String({ format: 'date-time', description: 'When status last changed.' }),
    reason: Type.String({
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
      description: 'Why, as a CamelCase identifier.',
    }),
    message: Type.String({ maxLength: 32768, description: 'Why, in words.' }),
  },
  { description: 'One aspect of the state (metav1.Condition).' },
);

export const ConfigurationStateSchema = ResourceSchema(
  'Whether a component (controller, or the speaker of one node) accepted the configuration; labelled metallb.io/component-type and, for speakers, metallb.io/node-name.',
  {
    status: Type.Optional(
      Type.Object(
        {
          result: Type.Optional(StringEnum(['Valid', 'Invalid', 'Unknown'], { description: 'Outcome of the last validation.' })),
          errorSummary: Type.Optional(Type.String({ description: 'The errors, when result is Invalid; empty otherwise.' })),
          conditions: Type.Optional(
            Type.Array(ConditionSchema, {
              description: 'Conditions reported by the parts of the component.',
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['type'],
            }),
          ),
        },
        { description: 'The outcome.' },
      ),
    ),
  },
);

export type ServiceL2Status = Static<typeof ServiceL2StatusSchema>;
export type ServiceBGPStatus = Static<typeof ServiceBGPStatusSchema>;
export type ConfigurationState = Static<typeof ConfigurationStateSchema>;
export type Condition = Static<typeof ConditionSchema>;
