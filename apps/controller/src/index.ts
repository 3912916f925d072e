// Public API of @lb/controller: the pieces the binary composes, exported for tests and embedding.
export { ApiHealth, type ApiHealthOptions, type HealthReport, type WatchState } from './api-health.js';
export { ConfigSync, configSignature, configurationStatus, invalidMessage, oldestFirst, type ConfigSyncDeps } from './config-sync.js';
export { clampEventMessage, EVENT_MESSAGE_LIMIT } from './event-text.js';
export { AllocatorMetrics, ApiHealthMetrics } from './metrics.js';
export { PoolStatusWriter, poolStatus, type PoolStatusDeps } from './pool-status.js';
export { ServiceLoop, type ServiceContext, type ServiceLoopOptions, type ServiceStep } from './service-loop.js';
export { type ServiceOutcome, type ServiceState } from './service-outcome.js';
export { ServiceSync, type ServiceSyncDeps } from './service-sync.js';
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
export { Controller, DEFAULT_WORKERS, type ControllerDeps } from './controller.js';
export { createLogger, type Logger } from './log.js';
export { main, runController, type RunningController } from './main.js';
export { CONVERSION_PATH, WebhookServer, validationPath, validationPaths, webhookConfiguration, type WebhookOptions } from './webhook.js';
export { injectCaBundle, readCertificateDir, sharedGeneratedCertificate, type ServingCertificate } from './webhook-certificate.js';
