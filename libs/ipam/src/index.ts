// Public API of @lb/ipam: IP pools and MetalLB-compatible allocation. Pure: no I/O.
export {
  canonicalIp,
  countBuggyIps,
  familyBits,
  formatIp,
  isBuggyIp,
  parseAddressRange,
  parseIp,
  type AddressRange,
  type IpAddress,
  type IpFamily,
  type Parsed,
} from './address.js';
export {
  Allocator,
  type Allocation,
  type AllocationResult,
  type PoolStatistics,
  type ReleasedAssignment,
  type SetPoolsResult,
} from './allocator.js';
export { type AllocationFailure, type AllocationFailureReason } from './errors.js';
export { findOverlaps, type Overlap, type OwnedRange } from './overlap.js';
export {
  comparePoolsForAutoAssign,
  definePools,
  poolRefusal,
  type PoolDefinition,
  type PoolError,
  type PoolServicePolicy,
  type PoolSpec,
  type ServiceAllocationSpec,
} from './pool.js';
export {
  type AllocationRequest,
  type IpFamilyPolicy,
  type ServicePort,
} from './request.js';
// The label types of this package's own API (PoolSpec selectors, AllocationRequest labels);
// selector functions are @lb/labels'.
export { type LabelSelector, type Labels } from '@lb/labels';
