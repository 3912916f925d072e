// Public API of @lb/controller: the pieces the binary composes, exported for tests and embedding.
export { AllocationState, serviceKey, type ReconcileContext, type ServiceOutcome, type ServiceState, type StateOptions } from './allocation-state.js';
export { AllocatorMetrics } from './metrics.js';
export {
  ALL_ASSIGNED_CONDITION,
  CLASS_CONDITION,
  POOL_ANNOTATION,
  serviceWrites,
  type Condition,
  type ServiceEvent,
  type ServiceWrites,
} from './service-status.js';
