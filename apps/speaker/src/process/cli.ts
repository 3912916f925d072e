// The speaker's flags, with MetalLB's environment variables (SPEAKER-CONTRACT): a DaemonSet written
// for MetalLB's speaker sets METALLB_* and keeps working. A flag given on the command line wins over
// its variable.
import yargs from 'yargs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface SpeakerOptions {
  readonly nodeName: string;
  /** This node's address the other speakers reach it on; undefined: the Node's InternalIP. */
  readonly host: string | undefined;
  readonly mlBindAddr: string | undefined;
  readonly mlBindPort: number;
  readonly mlSecretKeyPath: string | undefined;
  readonly mlSecretName: string;
  readonly mlLabels: string;
  readonly mlNamespace: string;
  readonly namespace: string;
  readonly lbClass: string | undefined;
  readonly ignoreExcludeLB: boolean;
  readonly logLevel: LogLevel;
  readonly kubeconfig: string | undefined;
  readonly metricsHost: string;
  readonly metricsPort: number;
  readonly disableLayer2: boolean;
  readonly disableBgp: boolean;
  readonly drainSeconds: number;
  /** Interface names never announced on (MetalLB skips pod veths). */
  readonly excludeInterfaces: string;
}

/** Flag → MetalLB's environment variable (KUBECONFIG is read by the client itself). */
export const ENVIRONMENT: Readonly<Record<string, string>> = {
  'node-name': 'METALLB_NODE_NAME',
  host: 'METALLB_HOST',
  'ml-bindaddr': 'METALLB_ML_BIND_ADDR',
  'ml-bindport': 'METALLB_ML_BIND_PORT',
  'ml-secret-key-path': 'METALLB_ML_SECRET_KEY_PATH',
  'ml-secret-name': 'METALLB_ML_SECRET_NAME',
  'ml-labels': 'METALLB_ML_LABELS',
  'ml-namespace': 'METALLB_ML_NAMESPACE',
  namespace: 'METALLB_NAMESPACE',
  'lb-class': 'METALLB_LB_CLASS',
  'ignore-exclude-lb': 'METALLB_IGNORE_EXCLUDE_LB',
  'log-level': 'METALLB_LOG_LEVEL',
  kubeconfig: 'KUBECONFIG',
};

/** Thrown by parseOptions for --help: the text to print (on stdout, exit 0). */
export class HelpRequested extends Error {
  constructor(readonly text: string) {
    super('help requested');
  }
}

/** Parses flags and variables; throws one Error listing every problem (HelpRequested for --help). */
export async function parseOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<SpeakerOptions> {
  const fromEnv = (flag: string): string | undefined => {
    const name = ENVIRONMENT[flag];
    const value = name !== undefined ? env[name] : undefined;
    return value === undefined || value === '' ? undefined : value;
  };
  const envBool = (flag: string): boolean | undefined => {
    const value = fromEnv(flag);
    return value === undefined ? undefined : ['1', 'true', 'yes'].includes(value.toLowerCase());
  };
  const parser = yargs([...argv]);
  const parsed = await parser
    .scriptName('lb-speaker')
    .usage('$0 [options]\n\nAnnounces the addresses the controller assigns to LoadBalancer Services from this node, in\nlayer 2 (ARP/NDP), moving them between nodes within half a second when a node fails.')
    .option('node-name', { type: 'string', default: fromEnv('node-name'), describe: 'This node\'s name (METALLB_NODE_NAME). Required.' })
    .option('host', { type: 'string', default: fromEnv('host'), describe: "This node's address the other speakers reach it on (METALLB_HOST). Default: the Node's first InternalIP." })
    .option('ml-bindaddr', { type: 'string', default: fromEnv('ml-bindaddr'), describe: 'Membership UDP bind address (METALLB_ML_BIND_ADDR). Default: --host.' })
    .option('ml-bindport', { type: 'number', default: Number(fromEnv('ml-bindport') ?? 7946), describe: 'Membership UDP port (METALLB_ML_BIND_PORT).' })
    .option('ml-secret-key-path', {
      type: 'string',
      default: fromEnv('ml-secret-key-path'),
      describe: 'Directory holding the file `secretkey`: the mounted memberlist Secret (METALLB_ML_SECRET_KEY_PATH). Without it the Secret --ml-secret-name is read through the API.',
    })
    .option('ml-secret-name', { type: 'string', default: fromEnv('ml-secret-name') ?? 'metallb-memberlist', describe: 'The memberlist Secret in --namespace (key `secretkey`), when no key path is given.' })
    .option('ml-labels', { type: 'string', default: fromEnv('ml-labels') ?? 'app.kubernetes.io/component=speaker', describe: 'Label selector of the speaker Pods, the expected members (METALLB_ML_LABELS).' })
    .option('ml-namespace', { type: 'string', default: fromEnv('ml-namespace'), describe: 'Namespace of the speaker Pods (METALLB_ML_NAMESPACE). Default: --namespace.' })
    .option('namespace', { type: 'string', default: fromEnv('namespace') ?? 'metallb-system', describe: 'Namespace of the metallb.io configuration (METALLB_NAMESPACE).' })
    .option('lb-class', { type: 'string', default: fromEnv('lb-class'), describe: 'Serve only Services with this spec.loadBalancerClass (METALLB_LB_CLASS).' })
    .option('ignore-exclude-lb', {
      type: 'boolean',
      default: envBool('ignore-exclude-lb') ?? false,
      describe: 'Announce from nodes labelled node.kubernetes.io/exclude-from-external-load-balancers too (METALLB_IGNORE_EXCLUDE_LB).',
    })
    .option('log-level', { type: 'string', choices: ['debug', 'info', 'warn', 'error'] as const, default: fromEnv('log-level') ?? 'info', describe: 'Lowest level logged, JSON lines on stdout (METALLB_LOG_LEVEL).' })
    .option('kubeconfig', { type: 'string', default: fromEnv('kubeconfig'), describe: 'Path to a kubeconfig (KUBECONFIG). Without it: the in-cluster service account.' })
    .option('metrics-bind-address', { type: 'string', default: '127.0.0.1:7472', describe: 'host:port for /metrics, /healthz, /readyz (localhost only by default; port 0 picks one).' })
    .option('disable-layer2', { type: 'boolean', default: false, describe: 'Do not announce in layer 2.' })
    .option('disable-bgp', { type: 'boolean', default: false, describe: 'Do not announce over BGP.' })
    .option('drain-seconds', { type: 'number', default: 0, describe: 'On SIGTERM, wait this long after withdrawing before exiting (BGP graceful shutdown).' })
    .option('exclude-interfaces', { type: 'string', default: '^(cali|lxc|veth|cni|flannel|docker|kube-ipvs|nodelocaldns)', describe: 'Regular expression of interface names never announced on.' })
    .check((args) => {
      // --help needs no other flag; unknown arguments are still refused (strict) before it is shown.
      if (args['help'] === true) return true;
      const problems: string[] = [];
      for (const [key, value] of Object.entries(args)) {
        if (key.length > 1 && key.includes('-') && Array.isArray(value)) problems.push(`--${key} was given more than once (${value.join(', ')})`);
      }
      if (!args['node-name']) problems.push('--node-name (or METALLB_NODE_NAME) is required');
      const port = args['ml-bindport'];
      if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`--ml-bindport must be a port number (1-65535), got ${String(port)}`);
      if (!parseHostPort(String(args['metrics-bind-address']))) problems.push(`--metrics-bind-address must be host:port, got ${String(args['metrics-bind-address'])}`);
      if (!(args['drain-seconds'] >= 0)) problems.push('--drain-seconds must be a number ≥ 0');
      try {
        new RegExp(String(args['exclude-interfaces']));
      } catch (error) {
        problems.push(`--exclude-interfaces is not a regular expression: ${(error as Error).message}`);
      }
      if (problems.length > 0) throw new Error(problems.join('\n'));
      return true;
    })
    .strict()
    .fail((message, error) => {
      throw error ?? new Error(message);
    })
    // yargs' own --help prints and exits 0 before the strict check, so `--bogus --help` would
    // succeed: help is an ordinary flag, answered after every argument was accepted.
    .help(false)
    .option('help', { alias: 'h', type: 'boolean', default: false, describe: 'Show this help.' })
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 110))
    .parseAsync();

  if (parsed.help) throw new HelpRequested(await parser.getHelp());
  const metrics = parseHostPort(parsed['metrics-bind-address']) as { host: string; port: number };
  const namespace = parsed.namespace;
  return {
    nodeName: parsed['node-name'] as string,
    host: parsed.host || undefined,
    mlBindAddr: parsed['ml-bindaddr'] || undefined,
    mlBindPort: parsed['ml-bindport'],
    mlSecretKeyPath: parsed['ml-secret-key-path'] || undefined,
    mlSecretName: parsed['ml-secret-name'],
    mlLabels: parsed['ml-labels'],
    mlNamespace: parsed['ml-namespace'] || namespace,
    namespace,
    lbClass: parsed['lb-class'] || undefined,
    ignoreExcludeLB: parsed['ignore-exclude-lb'],
    logLevel: parsed['log-level'] as LogLevel,
    kubeconfig: parsed.kubeconfig || undefined,
    metricsHost: metrics.host,
    metricsPort: metrics.port,
    disableLayer2: parsed['disable-layer2'],
    disableBgp: parsed['disable-bgp'],
    drainSeconds: parsed['drain-seconds'],
    excludeInterfaces: parsed['exclude-interfaces'],
  };
}

/** `host:port`, `[v6]:port` or `:port` (every address). */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}
