/** Why an allocation was refused; `message` says it in words a person can act on. */
export type AllocationFailureReason =
  | 'InvalidRequest'
  | 'AddressNotInAnyPool'
  | 'AddressesInDifferentPools'
  | 'AddressAvoided'
  | 'AddressNotInRequestedPool'
  | 'UnknownPool'
  | 'PoolNotAllowed'
  | 'PoolReserved'
  | 'AddressInUse'
  | 'SharingKeyMismatch'
  | 'BackendKeyMismatch'
  | 'PortInUse'
  | 'PoolExhausted'
  | 'NoAddressAvailable';

export interface AllocationFailure {
  readonly reason: AllocationFailureReason;
  /**
   * Written for the requesting service's owner: other services are named only when they are in
   * its namespace ("another Service" otherwise), so the message can go into an Event.
   */
  readonly message: string;
  /** Services whose holdings stood in the way, by key, whatever their namespace (for operators' logs). */
  readonly holders?: readonly string[];
}

export const failure = (reason: AllocationFailureReason, message: string, holders?: readonly string[]): AllocationFailure =>
  holders && holders.length > 0 ? { reason, message, holders } : { reason, message };
