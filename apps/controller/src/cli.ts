import yargs, { type Options } from 'yargs';
import { DEFAULT_WORKERS } from './controller.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ControllerOptions {
  readonly kubeconfig: string | undefined;
  /** Namespaces whose metallb.io resources make up the configuration (MetalLB reads only its own). */
  readonly namespaces: readonly string[];
  readonly lbClass: string | undefined;
  readonly metricsHost: string;
  readonly metricsPort: number;
  /** 0 disables the webhook server. */
  readonly webhookPort: number;
  readonly webhookCertDir: string | undefined;
  readonly webhookConfiguration: string;
  readonly webhookServiceName: string;
  readonly leaderElect: boolean;
  readonly leaseName: string;
  readonly leaseNamespace: string;
  readonly leaseDurationSeconds: number;
  readonly renewDeadlineSeconds: number;
  readonly retryPeriodSeconds: number;
  readonly identity: string | undefined;
  /** Services reconciled at once; each mostly waits for the API server. Default 128 (DEFAULT_WORKERS). */
  readonly workers?: number;
  readonly logLevel: LogLevel;
}

/** Every flag; each is also read from its LB_ variable (environmentVariable). */
const FLAGS = {
  kubeconfig: {
    type: 'string',
    describe: 'Path to a kubeconfig file. Without it: $KUBECONFIG, then the in-cluster service account, then ~/.kube/config.',
  },
  namespace: {
    type: 'string',
    default: 'metallb-system',
    describe: 'Namespace(s) whose metallb.io resources form the configuration, comma-separated (MetalLB reads only its own).',
  },
  'lb-class': {
    type: 'string',
    describe: "Serve only Services with this spec.loadBalancerClass (MetalLB's --lb-class). Without it, Services with no class. Services naming a MetalLoadBalancerClass are always served.",
  },
  'metrics-host': { type: 'string', default: '0.0.0.0', describe: 'Address for /metrics, /healthz and /readyz.' },
  'metrics-port': { type: 'number', default: 7472, describe: 'Port for /metrics, /healthz and /readyz (MetalLB uses 7472). 0 picks a free port.' },
  'webhook-port': { type: 'number', default: 9443, describe: 'Port of the validating admission and conversion webhook (HTTPS). 0 disables it.' },
  'webhook-cert-dir': {
    type: 'string',
    describe: 'Directory holding tls.crt and tls.key (a mounted Secret). Without it, a certificate is generated and its CA injected into the webhook configuration.',
  },
  'webhook-configuration': { type: 'string', default: 'metallb-webhook-configuration', describe: 'ValidatingWebhookConfiguration whose caBundle a generated certificate is injected into.' },
  'webhook-service': { type: 'string', default: 'metallb-webhook-service', describe: 'Service name the webhook is reached by (the generated certificate names <service>.<namespace>.svc).' },
  'leader-elect': { type: 'boolean', default: false, describe: 'Run several replicas with one leader, elected through a coordination.k8s.io Lease.' },
  'lease-name': { type: 'string', default: 'metallb-controller', describe: 'Name of the leader election Lease.' },
  'lease-namespace': { type: 'string', describe: 'Namespace of the Lease (default: the first --namespace).' },
  'lease-duration': { type: 'number', default: 15, describe: 'Seconds a leader holds the Lease without renewing; a new leader takes over within this after the old one dies.' },
  'renew-deadline': { type: 'number', default: 10, describe: 'Seconds a leader keeps trying to renew before it stops leading (less than --lease-duration).' },
  'retry-period': { type: 'number', default: 2, describe: 'Seconds between Lease acquisition and renewal attempts.' },
  identity: { type: 'string', describe: 'Identity in the Lease (default: $POD_NAME or hostname_pid).' },
  workers: {
    type: 'number',
    default: DEFAULT_WORKERS,
    describe: 'Services reconciled at once. Each mostly waits for the API server (a status PATCH), so in a burst the rate is about this many over its response time.',
  },
  'log-level': { type: 'string', choices: ['debug', 'info', 'warn', 'error'] as const, default: 'info', describe: 'Lowest level logged (JSON lines on stdout).' },
} as const satisfies Record<string, Options>;

/** `--lease-duration` → `LB_LEASE_DURATION`. */
export function environmentVariable(flag: string): string {
  return `LB_${flag.toUpperCase().replaceAll('-', '_')}`;
}

/**
 * Parses the command line; `--help` explains every flag. The variable named after each flag
 * (LB_NAMESPACE, LB_LOG_LEVEL, ...) is read too, so the chart can set them; a flag on the command
 * line wins. Other LB_ variables are ignored, not refused: Kubernetes itself injects
 * `<SERVICE>_SERVICE_HOST`-style variables, and a Service called `lb-...` must not stop the controller.
 */
export async function parseOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<ControllerOptions> {
  const parser = yargs()
    .scriptName('lb-controller')
    .usage('$0 [options]\n\nGives every Service of type LoadBalancer its external addresses from the pools declared\nin metallb.io IPAddressPools and network.deckhouse.io MetalLoadBalancerClasses.')
    .options(FLAGS)
    .check((args) => {
      const problems: string[] = [];
      for (const [key, value] of Object.entries(args)) {
        if (key.length > 1 && key.includes('-') && Array.isArray(value)) problems.push(`--${key} was given more than once (${value.join(', ')})`);
      }
      for (const flag of ['metrics-port', 'webhook-port', 'lease-duration', 'renew-deadline', 'retry-period', 'workers'] as const) {
        const value: unknown = args[flag];
        if (typeof value === 'number' && Number.isNaN(value)) problems.push(`--${flag} must be a number`);
      }
      for (const flag of ['metrics-port', 'webhook-port'] as const) {
        const port = args[flag];
        if (Array.isArray(port) || Number.isNaN(port)) continue;
        if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`--${flag} must be a port number (0-65535), got ${String(port)}`);
      }
      if (args['renew-deadline'] >= args['lease-duration']) problems.push('--renew-deadline must be less than --lease-duration');
      if (args['retry-period'] <= 0) problems.push('--retry-period must be positive');
      const workers = args.workers;
      if (!Array.isArray(workers) && !Number.isNaN(workers) && (!Number.isInteger(workers) || workers < 1 || workers > 10_000)) {
        problems.push(`--workers must be a whole number from 1 to 10000, got ${String(workers)}`);
      }
      const namespaces = String(args.namespace).split(',').map((s) => s.trim()).filter(Boolean);
      if (namespaces.length === 0) problems.push('--namespace needs at least one namespace');
      if (problems.length > 0) throw new Error(problems.join('\n'));
      return true;
    })
    .strict()
    // Without this yargs prints the whole help and exits 1 itself; main() prints the reason and exits 2.
    .fail((message, error) => {
      throw error ?? new Error(message);
    })
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 110));
  // yargs' own .env(prefix) takes every variable with the prefix as a flag; passing only the
  // variables of known flags, as if given first on the command line, keeps the command line winning.
  const fromEnvironment = environmentArguments(Object.keys(FLAGS), env, argv);
  const parsed = await parser.parseAsync([...fromEnvironment, ...argv]);

  const namespaces = String(parsed.namespace).split(',').map((s) => s.trim()).filter(Boolean);
  return {
    kubeconfig: parsed.kubeconfig,
    namespaces,
    lbClass: parsed['lb-class'] || undefined,
    metricsHost: parsed['metrics-host'],
    metricsPort: parsed['metrics-port'],
    webhookPort: parsed['webhook-port'],
    webhookCertDir: parsed['webhook-cert-dir'],
    webhookConfiguration: parsed['webhook-configuration'],
    webhookServiceName: parsed['webhook-service'],
    leaderElect: parsed['leader-elect'],
    leaseName: parsed['lease-name'],
    leaseNamespace: parsed['lease-namespace'] ?? (namespaces[0] as string),
    leaseDurationSeconds: parsed['lease-duration'],
    renewDeadlineSeconds: parsed['renew-deadline'],
    retryPeriodSeconds: parsed['retry-period'],
    identity: parsed.identity,
    workers: parsed.workers,
    logLevel: parsed['log-level'] as LogLevel,
  };
}

/** `--flag=value` for every known flag set in the environment and not given on the command line. */
function environmentArguments(flags: readonly string[], env: Readonly<Record<string, string | undefined>>, argv: readonly string[]): string[] {
  const given = new Set(argv.filter((arg) => arg.startsWith('--')).map((arg) => arg.slice(2).split('=')[0]?.replace(/^no-/, '')));
  const result: string[] = [];
  for (const flag of flags) {
    if (flag.length < 2 || /[A-Z]/.test(flag) || flag === 'help' || given.has(flag)) continue;
    const value = env[environmentVariable(flag)];
    if (value !== undefined && value !== '') result.push(`--${flag}=${value}`);
  }
  return result;
}
