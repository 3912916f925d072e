// Public API of @lb/ipam: IP pools and MetalLB-compatible allocation. Pure: no I/O.
// Addresses are @lb/ip's (text, IpFamily); label selectors are @lb/labels'.
export { parseAddressRange, type AddressRange, type AddressRangeError, type AddressRangeResult } from './address.js';
export {
  Allocator,
  type Allocated,
  type Allocation,
  type AllocationResult,
  type PoolStatistics,
  type PoolsApplied,
  type ReleasedAssignment,
  type SetPoolsResult,
} from './allocator.js';
export { type AllocationError, type AllocationErrorKind } from './errors.js';
export { findOverlaps, type Overlap, type OwnedRange } from './overlap.js';
export {
  definePools,
  type DefinePoolsResult,
  type PoolDefinition,
  type PoolIssue,
  type PoolServicePolicy,
  type PoolSpec,
  type PoolsError,
  type ServiceAllocationSpec,
} from './pool.js';
export { type AllocationRequest, type IpFamilyPolicy, type ServicePort } from './request.js';
