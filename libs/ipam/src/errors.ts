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
  | 'PoolReserved'
  | 'AddressInUse'
  | 'SharingKeyMismatch'
  | 'BackendKeyMismatch'
  | 'PortInUse'
  | 'PoolExhausted'
  | 'NoAddressAvailable';

export interface AllocationError {
  readonly kind: AllocationErrorKind;
  /**
   * Written for the requesting service's owner: other services are named only when they are in
   * its namespace ("another Service" otherwise), so the message can go into an Event.
   */
  readonly message: string;
  /** Services whose holdings stood in the way, by key, whatever their namespace (for operators' logs). */
  readonly holders?: readonly string[];
}

export const allocationError = (kind: AllocationErrorKind, message: string, holders?: readonly string[]): AllocationError =>
  holders && holders.length > 0 ? { kind, message, holders } : { kind, message };

/** A refused allocation in the package's result shape. */
export const refused = (
  kind: AllocationErrorKind,
  message: string,
  holders?: readonly string[],
): { readonly ok: false; readonly error: AllocationError } => ({
  ok: false,
  error: allocationError(kind, message, holders),
});
