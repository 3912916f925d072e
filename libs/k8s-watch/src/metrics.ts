// Prometheus metrics through prom-client: observers for informers, work queues, requests and leader
// election that count into one registry. Metrics named after one product (MetalLB's
// metallb_k8s_client_*) belong to the app that speaks for it, not here.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { type RequestObserver } from './client.js';
import { type EventRecorderObserver } from './event-recorder.js';
import { type InformerObserver } from './informer.js';
import { type LeaderElectionObserver } from './leader-elector.js';
import { type WorkQueueObserver } from './work-queue.js';

export interface WatchMetricsOptions {
  /** Prefix of every metric name (default `lb_k8s_`). */
  readonly prefix?: string;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const byRegistry = new WeakMap<Registry, Map<string, WatchMetrics>>();

/** Watch, queue, request and election metrics registered on one registry. */
export class WatchMetrics {
  readonly watchRestarts: Counter<'resource' | 'reason'>;
  readonly watchEvents: Counter<'resource' | 'type'>;
  readonly malformedEvents: Counter<'resource'>;
  readonly lists: Counter<'resource'>;
  readonly listDuration: Histogram<'resource'>;
  readonly listErrors: Counter<'resource'>;
  readonly cachedObjects: Gauge<'resource'>;
  readonly handlerErrors: Counter<'resource'>;
  readonly transformErrors: Counter<'resource'>;
  readonly queueDepth: Gauge<'name'>;
  readonly queueAdds: Counter<'name'>;
  readonly queueRetries: Counter<'name'>;
  readonly queueLatency: Histogram<'name'>;
  readonly workDuration: Histogram<'name'>;
  readonly requests: Counter<'verb' | 'code'>;
  readonly requestDuration: Histogram<'verb'>;
  readonly isLeader: Gauge<'lease'>;
  readonly leaderTransitions: Counter<'lease'>;
  readonly events: Counter<'result'>;

  /** The metrics for `registry` (created on first use; one set per registry and prefix). */
  static for(registry: Registry, options: WatchMetricsOptions = {}): WatchMetrics {
    const prefix = options.prefix ?? 'lb_k8s_';
    let perPrefix = byRegistry.get(registry);
    if (!perPrefix) {
      perPrefix = new Map();
      byRegistry.set(registry, perPrefix);
    }
    let metrics = perPrefix.get(prefix);
    if (!metrics) {
      metrics = new WatchMetrics(registry, prefix);
      perPrefix.set(prefix, metrics);
    }
    return metrics;
  }

  private constructor(registry: Registry, p: string) {
    const registers = [registry];
    this.watchRestarts = new Counter({ name: `${p}watch_restarts_total`, help: 'Watches that ended and were restarted, by reason (closed, deadline, gone, error, malformed).', labelNames: ['resource', 'reason'], registers });
    this.watchEvents = new Counter({ name: `${p}watch_events_total`, help: 'Watch events applied to informer caches.', labelNames: ['resource', 'type'], registers });
    this.malformedEvents = new Counter({ name: `${p}watch_malformed_events_total`, help: 'Watch lines that were not well-formed events (dropped; the watch resumed).', labelNames: ['resource'], registers });
    this.lists = new Counter({ name: `${p}informer_lists_total`, help: 'Full lists made by informers (initial sync and relists).', labelNames: ['resource'], registers });
    this.listDuration = new Histogram({ name: `${p}informer_list_duration_seconds`, help: 'Time to list every page of a resource.', labelNames: ['resource'], buckets: LATENCY_BUCKETS, registers });
    this.listErrors = new Counter({ name: `${p}informer_errors_total`, help: 'List or watch failures that informers retried after a backoff.', labelNames: ['resource'], registers });
    this.cachedObjects = new Gauge({ name: `${p}informer_objects`, help: 'Objects in informer caches.', labelNames: ['resource'], registers });
    this.handlerErrors = new Counter({ name: `${p}informer_handler_errors_total`, help: 'Event handlers that threw.', labelNames: ['resource'], registers });
    this.transformErrors = new Counter({ name: `${p}informer_transform_errors_total`, help: 'Objects the informer transform failed on (kept whole).', labelNames: ['resource'], registers });
    this.queueDepth = new Gauge({ name: `${p}workqueue_depth`, help: 'Keys ready to be processed.', labelNames: ['name'], registers });
    this.queueAdds = new Counter({ name: `${p}workqueue_adds_total`, help: 'Keys added to work queues.', labelNames: ['name'], registers });
    this.queueRetries = new Counter({ name: `${p}workqueue_retries_total`, help: 'Keys re-queued after a failure.', labelNames: ['name'], registers });
    this.queueLatency = new Histogram({ name: `${p}workqueue_queue_duration_seconds`, help: 'Time keys waited in the queue before processing.', labelNames: ['name'], buckets: LATENCY_BUCKETS, registers });
    this.workDuration = new Histogram({ name: `${p}workqueue_work_duration_seconds`, help: 'Time spent processing one key.', labelNames: ['name'], buckets: LATENCY_BUCKETS, registers });
    this.requests = new Counter({ name: `${p}requests_total`, help: 'API requests by verb and status code (error: no answer).', labelNames: ['verb', 'code'], registers });
    this.requestDuration = new Histogram({ name: `${p}request_duration_seconds`, help: 'API request latency (watches: their whole life).', labelNames: ['verb'], buckets: LATENCY_BUCKETS, registers });
    this.isLeader = new Gauge({ name: `${p}leader_is_leader`, help: '1 while this instance leads for the lease.', labelNames: ['lease'], registers });
    this.leaderTransitions = new Counter({ name: `${p}leader_transitions_total`, help: 'Times this instance started leading.', labelNames: ['lease'], registers });
    this.events = new Counter({ name: `${p}events_total`, help: 'Kubernetes Events by outcome (sent, rate-limited, failed, overflow, stopped).', labelNames: ['result'], registers });
  }

  informer(resource: string): InformerObserver {
    return {
      listed: (_objects, _pages, ms) => {
        this.lists.inc({ resource });
        this.listDuration.observe({ resource }, ms / 1000);
      },
      watchEnded: (reason) => this.watchRestarts.inc({ resource, reason }),
      event: (type) => this.watchEvents.inc({ resource, type }),
      malformed: () => this.malformedEvents.inc({ resource }),
      size: (n) => this.cachedObjects.set({ resource }, n),
      handlerError: () => this.handlerErrors.inc({ resource }),
      transformError: () => this.transformErrors.inc({ resource }),
      error: () => this.listErrors.inc({ resource }),
    };
  }

  queue(name: string): WorkQueueObserver {
    return {
      added: () => this.queueAdds.inc({ name }),
      depth: (n) => this.queueDepth.set({ name }, n),
      retried: () => this.queueRetries.inc({ name }),
      queued: (ms) => this.queueLatency.observe({ name }, ms / 1000),
      processed: (ms) => this.workDuration.observe({ name }, ms / 1000),
    };
  }

  requestObserver(): RequestObserver {
    return {
      request: (verb, code, ms) => {
        this.requests.inc({ verb, code: String(code) });
        this.requestDuration.observe({ verb }, ms / 1000);
      },
    };
  }

  leaderElection(lease: string): LeaderElectionObserver {
    return {
      leading: (isLeader) => {
        this.isLeader.set({ lease }, isLeader ? 1 : 0);
        if (isLeader) this.leaderTransitions.inc({ lease });
      },
    };
  }

  eventRecorder(): EventRecorderObserver {
    return {
      sent: () => this.events.inc({ result: 'sent' }),
      dropped: (reason) => this.events.inc({ result: reason }),
    };
  }
}
