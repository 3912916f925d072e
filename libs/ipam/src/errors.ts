/**
 * Why an allocation was refused. The names are Kubernetes Event reasons (PascalCase), so a
 * controller can pass them on as they are; `message` says it in words a person can act on.
 */
export type AllocationErrorKind =
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

export interface AllocationError {
  readonly kind: AllocationErrorKind;
  readonly message: string;
}

export const allocationError = (kind: AllocationErrorKind, message: string): AllocationError => ({ kind, message });

/** A refused allocation in the package's result shape. */
export const refused = (kind: AllocationErrorKind, message: string): { readonly ok: false; readonly error: AllocationError } => ({
  ok: false,
  error: allocationError(kind, message),
});
