import { type ControlPacket } from '../../src/index.js';

/** A session's first packet (Down, slow start at 1 s, My Discriminator 1); `change` overrides fields. */
export function packetOf(change: Partial<ControlPacket> = {}): ControlPacket {
  return {
    diagnostic: 0,
    state: 'Down',
    poll: false,
    final: false,
    controlPlaneIndependent: false,
    demand: false,
    multipoint: false,
    detectMultiplier: 3,
    myDiscriminator: 1,
    yourDiscriminator: 0,
    desiredMinTxInterval: 1_000_000,
    requiredMinRxInterval: 1_000_000,
    requiredMinEchoRxInterval: 0,
    ...change,
  };
}
