// The configuration loop: compiles the metallb.io objects (and classes) on every change, a burst
// once; hands a valid result to the service loop; reports an invalid one on the ConfigurationState
// `controller` and, as a Warning Event, on each object at fault, while the last valid one runs on.
import { compile, formatIssue, type CompiledConfig, type ConfigIssue } from '@lb/config-schema';
import { isNotFound, type EventRecorder, type KubeClient, type KubeObject } from '@lb/k8s-watch';
import { type MetalLBClientMetrics } from './client-metrics.js';
import { clampEventMessage } from './event-text.js';
import { type Logger } from './log.js';
import { ConfigurationStates, type ConfigurationStateStatus } from './resources.js';

const CONFIG_STATE_NAME = 'controller';
/** A `kubectl apply` of a file arrives as a burst of events: compile once after it. */
const COALESCE_MS = 100;
/** Events about invalid objects per compile, at most. */
const MAX_INVALID_EVENTS = 50;

export interface ConfigSyncDeps {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly clientMetrics: MetalLBClientMetrics;
  readonly events: EventRecorder;
  /** Where the ConfigurationState goes. */
  readonly stateNamespace: string;
  /** The configuration objects as cached now. */
  readonly objects: () => KubeObject[];
  readonly nodes: () => Array<{ name: string; labels: Record<string, string> }>;
  /** A new valid configuration: apply it. */
  readonly onValid: (config: CompiledConfig) => void;
}

export class ConfigSync {
  private signature = '';
  private timer: NodeJS.Timeout | undefined;
  private active = false;

  constructor(private readonly deps: ConfigSyncDeps) {}

  /** Starts reacting to changes (the leader's term); the first `apply` compiles whatever is there. */
  activate(): void {
    this.active = true;
    this.signature = '';
  }

  deactivate(): void {
    this.active = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A configuration object changed: compile soon. */
  changed(): void {
    if (!this.active || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.apply().catch((error: unknown) => this.deps.log.error('applying configuration failed', { error: errorText(error) }));
    }, COALESCE_MS);
  }

  /** Compiles now; a valid result replaces the last, an invalid one is reported and ignored. */
  async apply(): Promise<void> {
    const objects = oldestFirst(this.deps.objects());
    const signature = configSignature(objects);
    if (signature === this.signature) return;
    this.signature = signature;
    const result = compile(objects, { nodes: this.deps.nodes() });
    if (!result.ok) {
      this.deps.clientMetrics.configLoadFailed();
      const errors = result.error.issues;
      this.deps.log.error('configuration invalid, keeping the last valid one', { errors: errors.map(formatIssue) });
      await this.writeState(errors);
      this.reportInvalid(objects, errors);
      return;
    }
    for (const warning of result.warnings) this.deps.log.warn('configuration warning', { warning: formatIssue(warning) });
    this.deps.onValid(result.value);
    this.deps.clientMetrics.configLoadSucceeded();
    await this.writeState([]);
  }

  private reportInvalid(objects: readonly KubeObject[], errors: readonly ConfigIssue[]): void {
    for (const error of errors.slice(0, MAX_INVALID_EVENTS)) {
      const ref = error.resource;
      if (!ref) continue;
      const target = objects.find((o) => o.kind === ref.kind && o.metadata?.name === ref.name && (o.metadata?.namespace ?? undefined) === (ref.namespace ?? undefined));
      if (target) this.deps.events.event(target, 'Warning', 'InvalidConfiguration', invalidMessage(error));
    }
  }

  private async writeState(errors: readonly ConfigIssue[]): Promise<void> {
    const namespace = this.deps.stateNamespace;
    const status = configurationStatus(errors, new Date());
    const patch = { status };
    try {
      try {
        await this.deps.client.patch(ConfigurationStates, namespace, CONFIG_STATE_NAME, patch, { subresource: 'status' });
      } catch (error) {
        if (!isNotFound(error)) throw error;
        await this.deps.client.create(ConfigurationStates, {
          metadata: { name: CONFIG_STATE_NAME, namespace, labels: { 'metallb.io/component-type': 'controller' } },
        });
        await this.deps.client.patch(ConfigurationStates, namespace, CONFIG_STATE_NAME, patch, { subresource: 'status' });
      }
    } catch (error) {
      // The CRD may not be installed; the log and metrics still tell.
      this.deps.log.warn('could not write ConfigurationState', { namespace, error: errorText(error) });
    }
  }
}

/**
 * What decides a compile: which objects, at which spec generation. The generation moves with spec
 * changes only, so our own status writes (pool counts) do not compile again.
 */
export function configSignature(objects: readonly KubeObject[]): string {
  return JSON.stringify(objects.map((o) => [o.kind, o.metadata?.namespace, o.metadata?.name, o.metadata?.generation ?? o.metadata?.resourceVersion]));
}

/**
 * Oldest first (by creationTimestamp; the cache's order among equals), so that compile() blames
 * the newer of two objects that collide: an invalid new pool, not the valid one it overlaps.
 */
export function oldestFirst(objects: readonly KubeObject[]): KubeObject[] {
  const created = (o: KubeObject): string => o.metadata?.creationTimestamp ?? '';
  return [...objects].sort((a, b) => (created(a) < created(b) ? -1 : created(a) > created(b) ? 1 : 0));
}

/** The ConfigurationState status for a compile's errors (none: valid). */
export function configurationStatus(errors: readonly ConfigIssue[], now: Date): Omit<ConfigurationStateStatus, 'errorSummary'> & { errorSummary: string | null } {
  const valid = errors.length === 0;
  return {
    result: valid ? 'Valid' : 'Invalid',
    // A merge patch keeps fields it does not mention: null removes the last invalid one's errors.
    errorSummary: valid ? null : errors.map(formatIssue).join('\n').slice(0, 32_000),
    conditions: [
      {
        type: 'Ready',
        status: valid ? 'True' : 'False',
        reason: valid ? 'ConfigurationValid' : 'ConfigurationInvalid',
        message: valid ? 'the configuration is valid and in use' : `${errors.length} error(s); the last valid configuration stays in use`,
        lastTransitionTime: now.toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    ],
  };
}

/** The problem first, then where in the object (the Event names the object itself). */
export function invalidMessage(error: ConfigIssue): string {
  return clampEventMessage(error.message, error.path ? ` (${error.path})` : '');
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
