/** Why an allocation was refused; `message` says it in words a person can act on. */
export type AllocationFailureReason =
  | 'InvalidRequest'
  | 'AddressNotInAnyPool'
  | 'AddressesInDifferentPools'
  | 'AddressAvoided'
  | 'AddressNotInRequestedPool'
  | 'UnknownPool'
  | 'PoolNotAllowed'
  | 'AddressInUse'
  | 'SharingKeyMismatch'
  | 'BackendKeyMismatch'
  | 'PortInUse'
  | 'PoolExhausted'
  | 'NoAddressAvailable';

export interface AllocationFailure {
  readonly reason: AllocationFailureReason;
  readonly message: string;
}

export const failure = (reason: AllocationFailureReason, message: string): AllocationFailure => ({ reason, message });
