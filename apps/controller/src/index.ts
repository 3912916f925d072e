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
export { parseOptions, type ControllerOptions, type LogLevel } from './cli.js';
export { Controller, poolStatus, type ControllerDeps } from './controller.js';
export { createLogger, type Logger } from './log.js';
export { main, runController, type RunningController } from './main.js';
export { CONVERSION_PATH, WebhookServer, validationPath, validationPaths, webhookConfiguration, type WebhookOptions } from './webhook.js';
export { injectCaBundle, readCertificateDir, sharedGeneratedCertificate, type ServingCertificate } from './webhook-certificate.js';
