// The command line: yargs parses, the cores decide, the renderers write. Nothing here decides
// anything about a Service or a configuration.
import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import type { KubeClient } from '@lb/k8s-watch';
import type { ClusterOptions, Needs } from './cluster.js';
import { convertLegacy } from './convert.js';
import { explainService } from './explain.js';
import { readInputs, STDIN } from './inputs.js';
import { machine, type OutputFormat } from './output.js';
import { planChange } from './plan.js';
import { renderExplanation } from './render-explain.js';
import { renderPlan } from './render-plan.js';
import { renderStatus } from './render-status.js';
import { DEFAULT_NAMESPACE, DEFAULT_SPEAKER_LABELS, snapshotFromObjects, type ClusterSnapshot } from './snapshot.js';
import { clusterStatus } from './status.js';
import { renderValidation, validateDocuments } from './validate.js';
import { stringify } from 'yaml';

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdin: () => string;
}

/** Exit codes: 0 fine, 1 an error (invalid configuration, bad arguments, cluster unreachable), 2 plan: a Service would lose its address. */
export const EXIT = { ok: 0, error: 1, wouldLose: 2 } as const;

/** A mistake of the user's: reported in one line, no stack trace. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface Common {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  namespace: string;
  'speaker-labels': string;
  'speaker-namespace'?: string | undefined;
  'lb-class'?: string | undefined;
  output: OutputFormat;
}

const common = (y: Argv) =>
  y
    .option('kubeconfig', { type: 'string', describe: 'Path to a kubeconfig (default: $KUBECONFIG, in-cluster, ~/.kube/config).' })
    .option('context', { type: 'string', describe: 'The kubeconfig context to use.' })
    .option('namespace', { alias: 'n', type: 'string', default: DEFAULT_NAMESPACE, describe: 'Namespace(s) of the metallb.io configuration, comma-separated (the controller\'s --namespace).' })
    .option('speaker-labels', { type: 'string', default: DEFAULT_SPEAKER_LABELS, describe: 'Labels of the speaker Pods (the speaker\'s --ml-labels).' })
    .option('speaker-namespace', { type: 'string', describe: 'Namespace of the speaker Pods (default: --namespace).' })
    .option('lb-class', { type: 'string', describe: 'The loadBalancerClass the controller serves (its --lb-class).' })
    .option('output', { alias: 'o', type: 'string', choices: ['text', 'json', 'yaml'] as const, default: 'text' as OutputFormat, describe: 'Human text, or json/yaml for scripts.' });

function clusterOptions(args: Common): ClusterOptions {
  return {
    kubeconfig: args.kubeconfig,
    context: args.context,
    namespace: args.namespace,
    speakerLabels: args['speaker-labels'],
    speakerNamespace: args['speaker-namespace'],
  };
}

/** The snapshot from files (offline) or from the cluster. */
async function snapshotFor(args: Common, dump: readonly string[] | undefined, needs: Needs, io: Io): Promise<ClusterSnapshot> {
  if (dump && dump.length > 0) {
    const read = readInputs(dump, io.stdin);
    const errors = read.issues.filter((i) => i.severity === 'error');
    if (errors.length > 0) throw new UsageError(errors.map((e) => `${e.source?.file ?? ''}:${e.source?.line ?? ''}: ${e.message}`).join('\n'));
    return snapshotFromObjects(read.documents.map((d) => d.object), { namespace: args.namespace, speakerLabels: args['speaker-labels'] });
  }
  return withClient(args, async (client) => (await import('./cluster.js')).readSnapshot(client, clusterOptions(args), needs));
}

/** The API client library takes a second or more to load: only commands that talk to a cluster pay for it. */
async function withClient<T>(args: Common, use: (client: KubeClient) => Promise<T>): Promise<T> {
  const { openCluster } = await import('./cluster.js');
  const client = await openCluster(clusterOptions(args));
  try {
    return await use(client);
  } finally {
    client.close();
  }
}

function write(io: Io, args: Common, value: unknown, text: () => string): void {
  io.stdout(args.output === 'text' ? text() : machine(value, args.output));
}

function splitServiceName(ref: string): { namespace: string; name: string } {
  const slash = ref.indexOf('/');
  if (slash <= 0 || slash === ref.length - 1) throw new UsageError(`expected NAMESPACE/NAME, got '${ref}'`);
  return { namespace: ref.slice(0, slash), name: ref.slice(slash + 1) };
}

/** Runs one command line; resolves with the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let code: number = EXIT.ok;
  // yargs takes a lone `-` for a malformed flag; kubectl's users write `-f -` for stdin.
  argv = argv.map((a) => (a === '-' ? STDIN : a));
  const parser = yargs([...argv])
    .scriptName('lbctl')
    .usage('$0 <command> [options]\n\nAnswers "why has my Service no IP?", "who announces it?" and "what will this config change break?",\nagainst the cluster of your kubeconfig or offline on YAML files.')
    .command(
      'validate',
      'Check configuration files as the webhook and the controller would: every error at once, at file:line:col.',
      (y) =>
        common(y)
          .option('filename', { alias: 'f', type: 'string', array: true, demandOption: true, describe: 'Files, directories (recursively) or - for stdin.' })
          .option('cluster', { type: 'boolean', default: false, describe: 'Check against the live configuration: the files applied on top of it.' })
          .example('$0 validate -f config/', 'Every file under config/')
          .example('$0 validate -f pool.yaml --cluster', 'As `kubectl apply -f pool.yaml` would leave the cluster'),
      async (args) => {
        const read = readInputs(args.filename, io.stdin);
        const live = args.cluster ? await snapshotFor(args, undefined, {}, io) : undefined;
        const report = validateDocuments({
          documents: read.documents,
          readIssues: read.issues,
          ...(live ? { live: live.config, nodes: live.nodes.map((n) => ({ name: n.metadata?.name ?? '', labels: n.metadata?.labels ?? {} })) } : {}),
        });
        write(io, args, report, () => renderValidation(report));
        code = report.valid ? EXIT.ok : EXIT.error;
      },
    )
    .command(
      'explain <kind> <ref>',
      'Why a Service has (or has no) address, which pools and nodes were considered, who announces it.',
      (y) =>
        common(y)
          .positional('kind', { type: 'string', choices: ['service', 'svc'], describe: 'What to explain.' })
          .positional('ref', { type: 'string', demandOption: true, describe: 'NAMESPACE/NAME' })
          .option('filename', { alias: 'f', type: 'string', array: true, describe: 'Work offline on a dump (kubectl get ... -o yaml, files, directories, -).' })
          .option('ignore-exclude-lb', { type: 'boolean', default: false, describe: 'The speakers run with --ignore-exclude-lb.' })
          .example('$0 explain service default/nginx', 'The whole decision about default/nginx')
          .example('$0 explain svc default/nginx -f dump.yaml -o json', 'Offline, from a dump, for a script'),
      async (args) => {
        const { namespace, name } = splitServiceName(args.ref);
        const snapshot = await snapshotFor(args, args.filename, { services: true, endpointSlices: true, statuses: true, events: { namespace, name } }, io);
        const explanation = explainService(snapshot, `${namespace}/${name}`, { lbClass: args['lb-class'], ignoreExcludeLB: args['ignore-exclude-lb'] });
        write(io, args, explanation, () => renderExplanation(explanation));
        code = explanation.verdict === 'not-found' ? EXIT.error : EXIT.ok;
      },
    )
    .command(
      'plan',
      'What applying a configuration would change in the live cluster; exit code 2 when a Service would lose its address.',
      (y) =>
        common(y)
          .option('filename', { alias: 'f', type: 'string', array: true, demandOption: true, describe: 'The new configuration: files, directories or -.' })
          .option('prune', { type: 'boolean', default: false, describe: 'The files are the whole configuration: live objects they do not name are removed (kubectl apply --prune).' })
          .option('state', { type: 'string', array: true, describe: 'Plan against a dump of the cluster instead of the live cluster.' })
          .example('$0 plan -f config/', 'What `kubectl apply -f config/` would do')
          .example('$0 plan -f config/ --prune -o json || exit 1', 'A GitOps gate'),
      async (args) => {
        const read = readInputs(args.filename, io.stdin);
        const readErrors = read.issues.filter((i) => i.severity === 'error');
        if (readErrors.length > 0) throw new UsageError(readErrors.map((e) => `${e.source?.file ?? ''}:${e.source?.line ?? ''}:${e.source?.column ?? ''}: ${e.message}`).join('\n'));
        const snapshot = await snapshotFor(args, args.state, { services: true, statuses: true }, io);
        const plan = planChange(snapshot, read.documents.map((d) => d.object), { lbClass: args['lb-class'], prune: args.prune });
        write(io, args, plan, () => renderPlan(plan));
        code = plan.errors.length > 0 ? EXIT.error : plan.lose.length > 0 ? EXIT.wouldLose : EXIT.ok;
      },
    )
    .command(
      'status',
      'One screen: pools used/free per family, configuration state, speakers alive, BGP sessions, layer 2 owners.',
      (y) =>
        common(y)
          .option('filename', { alias: 'f', type: 'string', array: true, describe: 'Work offline on a dump.' })
          .example('$0 status', 'The cluster of the current kubeconfig context'),
      async (args) => {
        const snapshot = await snapshotFor(args, args.filename, { services: true, statuses: true }, io);
        const status = clusterStatus(snapshot);
        write(io, args, status, () => renderStatus(status));
      },
    )
    .command(
      'convert',
      "MetalLB's legacy ConfigMap configuration (address-pools, peers, ...) to metallb.io resources, with a report of what could not be carried over.",
      (y) =>
        common(y)
          .option('filename', { alias: 'f', type: 'string', demandOption: true, describe: 'The ConfigMap (or its data.config) as a file, or -.' })
          .example('$0 convert -f metallb-config.yaml > resources.yaml', 'Convert, then `lbctl validate -f resources.yaml`'),
      (args) => {
        const text = args.filename === STDIN ? io.stdin() : readText(args.filename);
        const result = convertLegacy(text, { namespace: args.namespace });
        if (!result.ok) throw new UsageError(`${args.filename}: ${result.error.message}`);
        const { objects, notes } = result.value;
        if (args.output === 'text') {
          const header = notes.length > 0 ? `# Not carried over or changed (${notes.length}):\n${notes.map((n) => `#   ${n}`).join('\n')}\n` : '';
          io.stdout(header + objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join(''));
          for (const n of notes) io.stderr(`lbctl convert: ${n}\n`);
        } else io.stdout(machine(args.output === 'yaml' ? objects : { objects, notes }, args.output));
      },
    )
    .demandCommand(1, 'Name a command: validate, explain, plan, status or convert.')
    .strict()
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    })
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 110));
  let helpText = '';
  try {
    await parser.parseAsync(argv as string[], {}, (_err, _argv, output) => {
      if (output) helpText = output;
    });
    if (helpText) io.stdout(`${helpText}\n`);
    return code;
  } catch (error) {
    io.stderr(`lbctl: ${describeError(error)}\n`);
    if (error instanceof UsageError && /Unknown|Missing|Not enough|Invalid values|Name a command/.test(error.message)) io.stderr('Run lbctl --help for the commands and options.\n');
    return EXIT.error;
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

const API_ERRORS = new Set(['ApiError', 'TransportError']);

function describeError(error: unknown): string {
  if (error instanceof UsageError || (error instanceof Error && error.name === 'ClusterError')) return error.message;
  if (error instanceof Error && API_ERRORS.has(error.name)) return `the API server: ${error.message}`;
  if (error instanceof Error && error.name === 'YError') return error.message;
  // Anything else is a bug of ours: the stack helps the report.
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
