import { Type, type Static } from '@sinclair/typebox';
import { EmptyObject, ResourceSchema } from './kube.js';

/** Bounds of the BFD settings, shared by the schema and compile(). */
export const BFD_LIMITS = {
  receiveInterval: { minimum: 10, maximum: 60000 },
  transmitInterval: { minimum: 10, maximum: 60000 },
  echoInterval: { minimum: 10, maximum: 60000 },
  detectMultiplier: { minimum: 2, maximum: 255 },
  minimumTtl: { minimum: 1, maximum: 254 },
} as const;

const bounded = (field: keyof typeof BFD_LIMITS, description: string) =>
  Type.Optional(Type.Integer({ format: 'int32', ...BFD_LIMITS[field], description }));

export const BFDProfileSpecSchema = Type.Object(
  {
    receiveInterval: bounded('receiveInterval', 'Shortest interval between received control packets this side handles, in ms (300 when unset).'),
    transmitInterval: bounded('transmitInterval', 'Shortest interval between sent control packets this side wants, in ms (300 when unset).'),
    detectMultiplier: bounded('detectMultiplier', 'Missed packets (times the remote interval) before the session is declared down (3 when unset).'),
    echoInterval: bounded('echoInterval', 'Shortest interval between echo packets this side handles, in ms (50 when unset).'),
    echoMode: Type.Optional(Type.Boolean({ description: 'Send echo packets (single-hop IPv4 sessions only).' })),
    passiveMode: Type.Optional(Type.Boolean({ description: 'Wait for the peer to send control packets first.' })),
    minimumTtl: bounded('minimumTtl', 'Lowest TTL accepted on control packets of multi-hop sessions (254 when unset).'),
  },
  { description: 'BFD timers and modes.' },
);

export const BFDProfileSchema = ResourceSchema('Settings of the BFD session that can run alongside a BGP session.', {
  spec: Type.Optional(BFDProfileSpecSchema),
  status: Type.Optional(EmptyObject('Nothing is reported here yet.')),
});

export type BFDProfileSpec = Static<typeof BFDProfileSpecSchema>;
export type BFDProfile = Static<typeof BFDProfileSchema>;
