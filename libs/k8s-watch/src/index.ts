// Public API of @lb/k8s-watch.

// Talking to the API server.
export { connect, ConfigError, loadKubeConfig, type ConfigSource } from './config.js';
export {
  KubeClient,
  type KubeClientOptions,
  type ListOptions,
  type ObjectList,
  type PatchType,
  type Query,
  type RequestControl,
  type RequestObserver,
  type RequestOptions,
  type StreamEnd,
  type StreamOptions,
} from './client.js';
export { ApiError, isAlreadyExists, isConflict, isGone, isNotFound, isRetriable, TransportError } from './errors.js';

// Objects and resource types.
export {
  keyOf,
  objectKey,
  splitKey,
  type ConfigMap,
  type EndpointSlice,
  type Event,
  type KubeObject,
  type Lease,
  type Namespace,
  type Node,
  type ObjectMeta,
  type OwnerReference,
  type Pod,
  type Secret,
  type Service,
  type Status,
  type Wire,
} from './objects.js';
export {
  apiVersionOf,
  collectionPath,
  ConfigMaps,
  EndpointSlices,
  Events,
  Leases,
  Namespaces,
  Nodes,
  objectPath,
  Pods,
  resourceName,
  resourceType,
  Secrets,
  Services,
  type ResourceType,
  type ResourceTypeSpec,
} from './resources.js';

// Informers and their cache.
export { Informer, type DeleteInfo, type EventHandlers, type InformerObserver, type InformerOptions, type WatchEndReason } from './informer.js';
export {
  InformerFactory,
  type InformerFactoryOptions,
  type InformerSelection,
  type PerInformerOptions,
  type SharedInformerOptions,
} from './informer-factory.js';
export { LAST_APPLIED_ANNOTATION, trimMetadata, trimObject } from './trim.js';
export { NAMESPACE_INDEX, ObjectCache, type CacheOptions, type ChangeSet, type IndexFunc, type ReadonlyCache } from './cache.js';
export {
  httpListWatcher,
  MalformedEventError,
  type ListPage,
  type ListWatcher,
  type Selection,
  type WatchEnd,
  type WatchEvent,
} from './list-watch.js';

// Work queues.
export { WorkQueue, type WorkQueueObserver, type WorkQueueOptions } from './work-queue.js';
export { runWorkers, type HandlerResult, type WorkerOptions } from './workers.js';
export {
  controllerRateLimiter,
  MaxOfLimiter,
  PerKeyExponentialLimiter,
  TokenBucketLimiter,
  type ControllerLimiterOptions,
  type ExponentialLimiterOptions,
  type RateLimiter,
  type TokenBucketOptions,
} from './rate-limiter.js';

// Leader election.
export { DEFAULT_ELECTION_TIMING, LeaderElector, type LeaderElectionObserver, type LeaderElectorOptions } from './leader-elector.js';
export { ElectionState, type ElectionAction, type ElectionTiming } from './election.js';

// Writers.
export {
  controllerReference,
  createOrUpdate,
  updateStatus,
  updateWithRetry,
  type CreateOrUpdateOptions,
  type CreateOrUpdateResult,
  type RetryOptions,
  type UpdateOptions,
  type WriteOutcome,
} from './writers.js';
export { EventRecorder, type EventRecorderObserver, type EventRecorderOptions } from './event-recorder.js';
export {
  EventAggregator,
  type AggregatorOptions,
  type EventDecision,
  type EventRecord,
  type EventSeverity,
  type InvolvedObject,
} from './event-aggregator.js';

// Metrics.
export { WatchMetrics, type WatchMetricsOptions } from './metrics.js';

// Time and retry building blocks.
export { ManualClock, settle, systemClock, type Clock, type Timer } from './clock.js';
export { Backoff, type BackoffOptions } from './backoff.js';
