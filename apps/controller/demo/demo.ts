// `npm start`: the controller on the embedded default. Starts kube-sim (an in-memory Kubernetes API
// server), installs the CRDs and the validating webhook, runs the controller against it, applies the
// seed examples with kubectl as their authors did, and shows `kubectl get svc -A`. Then it keeps
// running, so that you can go on with kubectl; Ctrl-C stops it. `--once` exits after showing.
// kube-sim keeps its objects in a data directory (`--data-dir DIR`, by default under the system's
// temporary directory), so a second run starts where the first stopped.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { start } from '@lb/kube-sim';
import { createLogger, runController, webhookConfiguration } from '../src/index.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');
const examples = join(root, 'examples');
const once = process.argv.includes('--once');
const dataDirFlag = process.argv.indexOf('--data-dir');
const dataDir = (dataDirFlag >= 0 ? process.argv[dataDirFlag + 1] : undefined) ?? join(tmpdir(), 'lb-demo-kube-sim');
const logFile = join(process.env['TMPDIR'] ?? '/tmp', `lb-demo-controller-${process.pid}.log`);

function kubectlBinary(): string {
  const local = join(root, '.bin', 'kubectl');
  if (existsSync(local)) return local;
  return 'kubectl';
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const say = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

async function main(): Promise<void> {
  const crds = readdirSync(join(root, 'charts', 'lb', 'crds')).map((f) => join(root, 'charts', 'lb', 'crds', f));
  const sim = await start({ files: crds, dataDir, ...(process.env['KUBE_SIM_PORT'] ? { port: Number(process.env['KUBE_SIM_PORT']) } : {}) });
  const kubectl = kubectlBinary();
  const env = { ...process.env, KUBECONFIG: sim.kubeconfigPath };
  const k = async (args: string[], { show = true, mayFail = false } = {}): Promise<string> => {
    if (show) say(`$ kubectl ${args.join(' ')}`);
    try {
      const { stdout, stderr } = await run(kubectl, args, { env });
      const out = `${stdout}${stderr}`.trimEnd();
      if (show && out) say(out.replace(/^/gm, '  '));
      return out;
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      const out = `${e.stdout ?? ''}${e.stderr ?? e.message}`.trimEnd();
      if (show) say(out.replace(/^/gm, '  '));
      if (!mayFail) throw new Error(`kubectl ${args.join(' ')} failed:\n${out}`);
      return out;
    }
  };

  say(`kube-sim serving at ${sim.url}`);
  say(`kube-sim data directory: ${dataDir} (${sim.dataDir?.restored.objects ?? 0} objects restored; --data-dir DIR for another, remove it to start afresh)`);
  await sim.store.apply('apiVersion: v1\nkind: Namespace\nmetadata: {name: metallb-system}\n');
  const webhookPort = await freePort();
  await sim.store.apply(webhookConfiguration({ name: 'metallb-webhook-configuration', url: `https://127.0.0.1:${webhookPort}` }));

  const { createWriteStream } = await import('node:fs');
  const log = createLogger('info', { component: 'controller' }, createWriteStream(logFile));
  const controller = await runController(
    {
      kubeconfig: sim.kubeconfigPath,
      // The seeds keep their configuration in metallb-system, except seed 000 (MetalLB installed
      // with helm into `default`): read both.
      namespaces: ['metallb-system', 'default'],
      lbClass: undefined,
      metricsHost: '127.0.0.1',
      metricsPort: 0,
      webhookPort,
      webhookCertDir: undefined,
      webhookConfiguration: 'metallb-webhook-configuration',
      webhookServiceName: 'metallb-webhook-service',
      leaderElect: false,
      leaseName: 'metallb-controller',
      leaseNamespace: 'metallb-system',
      leaseDurationSeconds: 15,
      renewDeadlineSeconds: 10,
      retryPeriodSeconds: 2,
      identity: 'demo',
      logLevel: 'info',
    },
    log,
  );
  say(`controller running (metrics http://127.0.0.1:${controller.metricsPort}/metrics, webhook https://127.0.0.1:${webhookPort}, log ${logFile})\n`);

  const seeds = join(examples, 'seeds');
  say('# Seed 000: a one-address pool and its L2Advertisement');
  await k(['apply', '-f', join(seeds, '000-first-pool-l2.yaml')]);
  say("\n# Seed 001: nginx, first as a ClusterIP Service");
  // A second run (same data directory) finds the namespace there already.
  await k(['create', 'namespace', 'demo'], { mayFail: true });
  await k(['apply', '-f', join(seeds, '001-nginx.yaml'), '-n', 'demo']);
  say("\n# Seed 001's pool, as written: its range has a typo, and the webhook says so");
  await k(['apply', '-f', join(seeds, '001-cheap-pool-typo.yaml')], { mayFail: true });
  say('\n# ...and fixed, as the seed\'s own `kubectl get ipaddresspool` shows it');
  await k(['apply', '-f', join(examples, 'demo', 'cheap-pool-fixed.yaml')]);
  say('\n# Seed 002: a pool with three ranges (IPv4 and IPv6), one chosen by namespace labels, an empty L2Advertisement; seed 004: my-ip-pool');
  for (const file of ['002-01-pool-three-ranges.yaml', '002-02-pool-namespace-selectors.yaml', '002-05-l2-empty.yaml', '004-my-ip-pool.yaml']) {
    await k(['apply', '-f', join(seeds, file)]);
  }
  await k(['get', 'ipaddresspool', '-n', 'metallb-system']);
  say('\n# Seed 001: "Edit the svc and change the type from ClusterIP to LoadBalancer"');
  await k(['patch', 'svc', 'nginx-service', '-n', 'demo', '-p', '{"spec":{"type":"LoadBalancer"}}']);
  say('\n# A namespace labelled app=myapp, a shared IP, a dual-stack Service, a deprecated annotation, three nodes');
  await k(['apply', '-f', join(examples, 'demo', 'scenarios.yaml')]);
  say('\n# A MetalLoadBalancerClass (seed 003) and a Service of the class asking for three addresses');
  await k(['apply', '-f', join(examples, 'classes', 'ingress-class.yaml')]);

  await settle(sim, 15_000);
  // Pool status is written in batches, half a second after the last change.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  say('');
  await k(['get', 'svc', '-A']);
  say('');
  await k(['get', 'ipaddresspool', '-n', 'metallb-system', '-o', 'custom-columns=NAME:.metadata.name,ASSIGNED-V4:.status.assignedIPv4,AVAILABLE-V4:.status.availableIPv4,ASSIGNED-V6:.status.assignedIPv6']);
  say('');
  await k(['get', 'svc', '-n', 'shop', 'web', '-o', 'jsonpath={range .status.conditions[*]}{.type}={.status} ({.message}){"\\n"}{end}']);
  say('');
  await k(['get', 'events', '-n', 'demo', '--field-selector', 'involvedObject.name=legacy', '-o', 'custom-columns=TYPE:.type,REASON:.reason,MESSAGE:.message']);

  if (once) {
    await controller.stop();
    await sim.stop();
    return;
  }
  say(`\nStill running. In another terminal:\n  export KUBECONFIG=${sim.kubeconfigPath}\n  ${kubectl} get svc -A\n  ${kubectl} describe svc -n shop web\nCtrl-C to stop.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await controller.stop();
  await sim.stop();
}

/** Waits until every LoadBalancer Service has an address (or the time is up). */
async function settle(sim: Awaited<ReturnType<typeof start>>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const services = sim.store.list('services') as Array<{ spec?: { type?: string }; status?: { loadBalancer?: { ingress?: unknown[] } } }>;
    const pending = services.filter((s) => s.spec?.type === 'LoadBalancer' && !(s.status?.loadBalancer?.ingress?.length ?? 0));
    if (pending.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
