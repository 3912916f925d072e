// The images, built offline and run with podman as the chart deploys them: the controller image
// against kube-sim (the chart installed with helm, the container's arguments, environment and
// security settings taken from the Deployment helm created) gives a Service its address, answers
// admission reviews and /metrics, stops cleanly on SIGTERM, and asks the API server only for what
// the chart's RBAC grants. In a two-node lab, the controller image and one speaker image per node
// (in the node's network namespace, with the DaemonSet's arguments, environment, user and
// capabilities) answer the client's ARP for the address the controller gave a Service; stopping the
// owner's container (SIGTERM) moves it to the other node; every metric the chart's alerts read is
// exported. Needs root, podman and the network lab tools; run under `flock /tmp/lb-lab.lock` (the
// build takes /tmp/lb-bench.lock itself).
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, type KubeSim } from '@lb/kube-sim';
import { ClusterLab, requireNetworkLab, waitFor } from '@lb/netlab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRequest, grantingRule, podmanArgs, requestAttributes, type ContainerSpec, type PodSecurity, type PolicyRule } from '../src/index.js';
import { alertMetricNames, chartDir, find, helmAsync, kubectl, render, type K8sObject } from './helm.js';
import { appFiles, buildImages, podman, podmanStatus, type BuildReport } from './podman.js';
import { recordingProxy, type RecordingProxy } from './recording-proxy.js';
import { freePort } from './ports.js';

// LB_IMAGE_TAG (also read by build-images.sh): a tag of one's own on a machine where others build too.
const TAG = process.env['LB_IMAGE_TAG'] ?? /^appVersion:\s*"?([^"\n]+)"?/m.exec(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8'))?.[1] ?? '';
const CONTROLLER = `localhost/lb-controller:${TAG}`;
const SPEAKER = `localhost/lb-speaker:${TAG}`;
const NS = 'metallb-system';
const IMAGE_NODE_FLAGS = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'build', 'node-flags.json'), 'utf8')) as string[];
const IMAGE_NODE_ENV = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'build', 'node-env.json'), 'utf8')) as Record<string, string>;
// The lab's namespace prefix (LB_LAB_TAG: one's own, beside others' labs).
const LAB_TAG = process.env['LB_LAB_TAG'] ?? 'img';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A kubeconfig standing in for a service account's token (the kubelet's part), readable by the container's user. */
function writeKubeconfig(file: string, server: string, token: string, owner: { mode?: number; group?: number } = {}): string {
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'sim', cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'sa', user: token ? { token } : {} }],
      contexts: [{ name: 'sim', context: { cluster: 'sim', user: 'sa' } }],
      'current-context': 'sim',
    }),
  );
  chmodSync(file, owner.mode ?? 0o644);
  if (owner.group !== undefined) chownSync(file, 0, owner.group);
  return file;
}

/** The endpoints controller's part: the webhook Service leads to the controller's container on the host network. */
function webhookEndpoints(port: number): object {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'metallb-webhook-service-1', namespace: NS, labels: { 'kubernetes.io/service-name': 'metallb-webhook-service' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['127.0.0.1'] }],
    ports: [{ name: 'webhook', port, protocol: 'TCP' }],
  };
}


async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

let dir: string;
let build: BuildReport;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chr-images-'));
  chmodSync(dir, 0o755);
  build = await buildImages(dir);
  console.log(`images built in ${build.seconds.toFixed(1)} s (${build.wallSeconds.toFixed(1)} s with the wait for the lock); compressed: controller ${(build.compressedBytes.controller / 1e6).toFixed(1)} MB, speaker ${(build.compressedBytes.speaker / 1e6).toFixed(1)} MB`);
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('both images', () => {
  it('are at most 50 MB compressed each', () => {
    expect(build.compressedBytes.controller).toBeLessThanOrEqual(50e6);
    expect(build.compressedBytes.speaker).toBeLessThanOrEqual(50e6);
  });

  it.each([CONTROLLER, SPEAKER])('%s runs as a non-root user from bundled JavaScript only', async (image) => {
    const config = JSON.parse(await podman(['image', 'inspect', image, '--format', '{{json .Config}}'])) as { User: string; Entrypoint: string[]; Env: string[] };
    expect(config.User).toBe('65534:65534');
    const envCount = Object.keys(IMAGE_NODE_ENV).length;
    expect(envCount).toBeGreaterThan(0);
    expect(config.Env).toEqual(expect.arrayContaining(Object.entries(IMAGE_NODE_ENV).map(([k, v]) => `${k}=${v}`)));
    expect(config.Entrypoint).toEqual(['/usr/local/bin/node', ...IMAGE_NODE_FLAGS, `/app/${image.includes('controller') ? 'lb-controller' : 'lb-speaker'}.js`]);
    const files = await appFiles(image);
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => /\.(ts|mts|cts)$/.test(f) || /\/(tsx|typescript|esbuild|vitest)\//.test(f))).toEqual([]);
    // Only native addons live in node_modules; everything else is inside the bundle.
    expect(files.filter((f) => f.includes('/node_modules/') && !/\/node_modules\/(cap|@lb\/(arp-fastpath|bgp-sockopt|bfd-socket))\//.test(f))).toEqual([]);
  });
});

describe('the speaker image', () => {
  const capabilities = async (flags: string[]): Promise<string> =>
    podman(['run', '--rm', '--network=none', ...flags, '--entrypoint', '/usr/local/bin/node', SPEAKER, '-e', "console.log(/CapEff:\\s*(\\w+)/.exec(require('fs').readFileSync('/proc/self/status','utf8'))[1])"]);

  it('loads every native addon with the libraries it carries', async () => {
    const script = "for (const n of ['cap','@lb/arp-fastpath','@lb/bgp-sockopt','@lb/bfd-socket']) require('/app/node_modules/' + n); console.log('loaded')";
    expect((await podman(['run', '--rm', '--network=none', '--entrypoint', '/usr/local/bin/node', SPEAKER, '-e', script])).trim()).toBe('loaded');
  });

  it("holds CAP_NET_RAW as the non-root user with the chart's capabilities, through the file capability on node", async () => {
    const chart = ['--user=65534:65534', '--cap-drop=ALL', '--cap-add=NET_RAW', '--read-only'];
    expect((await capabilities(chart)).trim()).toBe('0000000000002000'); // bit 13: CAP_NET_RAW
    // Podman also raises added capabilities as ambient ones; containerd and CRI-O do not, so under a
    // kubelet the non-root speaker keeps CAP_NET_RAW only through this file capability (which
    // no_new_privs, allowPrivilegeEscalation: false, would ignore).
    const root = (await podman(['image', 'mount', SPEAKER])).trim();
    try {
      const { execFileSync } = await import('node:child_process');
      expect(execFileSync('getcap', [join(root, 'usr/local/bin/node')], { encoding: 'utf8' })).toMatch(/cap_net_raw=ep$/m);
    } finally {
      await podman(['image', 'unmount', SPEAKER]);
    }
  });

  it('runs the speaker process (--help), or says why not when built before apps/speaker had its bin', async () => {
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'apps', 'speaker', 'package.json'), 'utf8')) as { bin?: unknown };
    const result = await podmanStatus(['run', '--rm', '--network=none', SPEAKER, '--help']);
    if (manifest.bin) {
      expect(result.code, result.stderr).toBe(0);
    } else {
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/built before @lb\/speaker had its process/);
    }
  });
});

describe('the controller image, deployed by the chart against kube-sim', () => {
  let sim: KubeSim;
  let proxy: RecordingProxy;
  let name: string;
  let metricsPort: number;
  let rules: PolicyRule[];
  let readyMs: number;

  beforeAll(async () => {
    sim = await start({ https: false, token: '' });
    proxy = await recordingProxy(sim.url);
    metricsPort = await freePort();
    const webhookPort = await freePort();
    await kubectl(['create', 'namespace', NS], sim.kubeconfigPath);
    const env = { ...process.env, KUBECONFIG: sim.kubeconfigPath, HELM_CACHE_HOME: join(dir, 'cache'), HELM_CONFIG_HOME: join(dir, 'config'), HELM_DATA_HOME: join(dir, 'data') };
    await helmAsync(
      ['install', 'lb', chartDir, '-n', NS, '--server-side=false', '--set', `prometheus.metricsPort=${metricsPort}`, '--set', `webhook.port=${webhookPort}`, '--set', 'controller.image.repository=localhost/lb-controller'],
      env,
    );
    await sim.store.create(webhookEndpoints(webhookPort));

    const deployment = JSON.parse(await kubectl(['get', 'deployment', 'lb-controller', '-n', NS, '-o', 'json'], sim.kubeconfigPath)) as K8sObject & { spec: { template: { spec: PodSecurity & { containers: ContainerSpec[] } } } };
    const pod = deployment.spec.template.spec;
    const container = pod.containers.find((c) => c.name === 'controller') as ContainerSpec;
    name = `chr-controller-${process.pid}`;
    const translated = podmanArgs(pod, container, { 'metadata.name': name });
    if (!translated.ok) throw new Error(translated.error);
    // The kubelet's part: the API server's address and credentials (in a cluster: the service
    // account's token and KUBERNETES_SERVICE_HOST), here the recording proxy in front of kube-sim.
    const kubeconfig = writeKubeconfig(join(dir, 'kubeconfig'), proxy.url, '');
    const startedAt = performance.now();
    await podman(['run', '-d', '--name', name, ...translated.value.flags, '--network=host', `--volume=${kubeconfig}:/var/run/lb/kubeconfig:ro`, '--env=KUBECONFIG=/var/run/lb/kubeconfig', CONTROLLER, ...translated.value.args]);
    try {
      await until('/readyz', 30_000, async () => ((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).ok ? true : undefined));
    } catch (error) {
      const logs = await podmanStatus(['logs', name]);
      throw new Error(`${String(error)}\ncontainer log:\n${logs.stdout}${logs.stderr}`);
    }
    readyMs = performance.now() - startedAt;

    const roles = JSON.parse(await kubectl(['get', 'clusterrole,role', '-A', '-l', 'app.kubernetes.io/instance=lb', '-o', 'json'], sim.kubeconfigPath)) as { items: Array<K8sObject & { rules: PolicyRule[] }> };
    rules = roles.items.filter((r) => r.metadata.name === 'lb-controller').flatMap((r) => r.rules);
    expect(rules.length).toBeGreaterThan(0);
  }, 120_000);

  afterAll(async () => {
    if (name) await podmanStatus(['rm', '-f', '-t', '0', name]);
    await proxy?.close();
    await sim?.stop();
  });

  it('gets ready and reports how fast and how big', async () => {
    const pid = (await podman(['inspect', name, '--format', '{{.State.Pid}}'])).trim();
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string): number => Number(new RegExp(`${field}:\\s*(\\d+)`).exec(status)?.[1]);
    console.log(`controller image: ready ${readyMs.toFixed(0)} ms after podman run; RSS ${(kib('VmRSS') / 1024).toFixed(1)} MiB (peak ${(kib('VmHWM') / 1024).toFixed(1)} MiB)`);
    expect(readyMs).toBeGreaterThan(0);
  });

  it('admits configuration through its webhook and refuses an overlapping pool', async () => {
    const pool = (name: string, cidr: string): string => JSON.stringify({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name, namespace: NS }, spec: { addresses: [cidr] } });
    const file = join(dir, 'config.json');
    writeFileSync(file, `${pool('smoke', '192.0.2.0/29')}\n${JSON.stringify({ apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'smoke', namespace: NS } })}`);
    // The CA the controller generated is injected before the webhook is called.
    await until('the webhook CA injected', 20_000, async () =>
      (await kubectl(['get', 'validatingwebhookconfiguration', 'metallb-webhook-configuration', '-o', 'jsonpath={.webhooks[0].clientConfig.caBundle}'], sim.kubeconfigPath)) ? true : undefined,
    );
    await kubectl(['apply', '-f', file], sim.kubeconfigPath);
    writeFileSync(file, pool('overlap', '192.0.2.4/30'));
    await expect(kubectl(['apply', '-f', file], sim.kubeconfigPath)).rejects.toThrow(/admission webhook .* denied the request/);
  });

  it('gives a LoadBalancer Service an address from the pool and says so in /metrics', async () => {
    await kubectl(['create', 'service', 'loadbalancer', 'web', '--tcp=80:8080', '-n', 'default'], sim.kubeconfigPath);
    const ip = await until('an address for default/web', 20_000, async () => (await kubectl(['get', 'svc', 'web', '-n', 'default', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'], sim.kubeconfigPath)) || undefined);
    expect(ip).toMatch(/^192\.0\.2\.[0-7]$/);
    const metrics = await until('the allocation in /metrics', 10_000, async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return /metallb_allocator_addresses_in_use_total\{pool="smoke"\} 1/.test(text) ? text : undefined;
    });
    expect(metrics).toContain('metallb_k8s_client_config_loaded_bool 1');
  });

  it("asks the API server only for what the chart's RBAC grants, and uses every rule", () => {
    const attributes = proxy.requests.map((r) => requestAttributes(r.method, r.url)).filter((a) => a !== undefined);
    expect(attributes.length).toBeGreaterThan(10);
    const denied = [...new Set(attributes.filter((a) => !grantingRule(rules, a)).map(describeRequest))];
    expect(denied).toEqual([]);
    const used = new Set(attributes.map((a) => grantingRule(rules, a)));
    const unused = rules.filter((r) => !used.has(r)).map((r) => `${r.verbs.join(',')} ${(r.apiGroups ?? []).join(',') || 'core'}/${(r.resources ?? []).join(',')}`);
    // Events are patched only when one repeats, which this short run does not provoke.
    expect(unused).toEqual(['create,patch core/events'].filter(() => !attributes.some((a) => a.resource === 'events')));
  });

  it('exits 0 on SIGTERM', async () => {
    const started = performance.now();
    await podman(['stop', '--time', '15', name], { timeoutMs: 30_000 });
    const stopMs = performance.now() - started;
    const code = (await podman(['inspect', name, '--format', '{{.State.ExitCode}}'])).trim();
    console.log(`controller image: stopped ${stopMs.toFixed(0)} ms after SIGTERM, exit code ${code}`);
    expect(code).toBe('0');
    expect(stopMs).toBeLessThan(15_000);
  });
});

describe('the controller and speaker images in a lab: two nodes, failover on SIGTERM', () => {
  let cluster: ClusterLab;
  let proxy: RecordingProxy;
  let controllerName: string;
  let controllerMetricsPort: number;
  let speakerMetricsPort: number;
  let speakerNames: string[] = [];
  let rules: PolicyRule[];
  let ip: string | undefined;
  let owner: number | undefined;
  const startedMs: number[] = [];
  const kubeconfigOfLab = (): string => (cluster.kubeSim as NonNullable<ClusterLab['kubeSim']>).kubeconfigPath;
  const speakerLogs = async (i: number): Promise<string> => {
    const logs = await podmanStatus(['logs', speakerNames[i] as string]);
    return `${logs.stdout}${logs.stderr}`.slice(-3000);
  };

  beforeAll(async () => {
    requireNetworkLab(['arping', 'curl']);
    controllerMetricsPort = await freePort();
    const webhookPort = await freePort();
    // The whole chart as `helm template` renders it, the controller's ports free on the host (its
    // container shares the host's network; the kubelet would give it a Pod network).
    const objects = render([`prometheus.metricsPort=${controllerMetricsPort}`, `webhook.port=${webhookPort}`]);
    type Workload = K8sObject & { spec: { template: { spec: PodSecurity & { containers: ContainerSpec[] } } } };
    const daemonSet = find(objects, 'DaemonSet', '-speaker') as Workload;
    const deployment = find(objects, 'Deployment', '-controller') as Workload;
    const speakerPod = daemonSet.spec.template.spec;
    const speaker = speakerPod.containers.find((c) => c.name === 'speaker') as ContainerSpec;
    const controllerPod = deployment.spec.template.spec;
    const controller = controllerPod.containers.find((c) => c.name === 'controller') as ContainerSpec;
    speakerMetricsPort = Number(/--metrics-bind-address=127\.0\.0\.1:(\d+)/.exec((speaker.args ?? []).join(' '))?.[1]);
    expect(speakerMetricsPort).toBeGreaterThan(0);
    const secret = find(objects, 'Secret', '-memberlist') as K8sObject & { data: { secretkey: string } };
    rules = objects.filter((o) => (o.kind === 'ClusterRole' || o.kind === 'Role') && o.metadata.name === 'lb-speaker').flatMap((o) => (o as K8sObject & { rules: PolicyRule[] }).rules);
    expect(rules.length).toBeGreaterThan(0);

    // Two nodes; with no speaker Pods in the API each speaker takes the Nodes for its expected members.
    const crdDir = join(chartDir, 'crds');
    cluster = await ClusterLab.start({ tag: LAB_TAG, nodes: 2, kubeSim: { files: readdirSync(crdDir).map((f) => join(crdDir, f)) } });
    const kubeSim = cluster.kubeSim as NonNullable<ClusterLab['kubeSim']>;
    // The configuration, then what `helm install` would create (the monitoring kinds need the
    // Prometheus Operator's CRDs) and the endpoints controller's part: the webhook Service leads
    // to the controller's container on the host.
    const chartFile = join(dir, 'lab-chart.json');
    const chart = objects.filter((o) => !o.apiVersion.startsWith('monitoring.coreos.com/'));
    writeFileSync(chartFile, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...labConfiguration(cluster.plan.client.ipv4), ...chart, webhookEndpoints(webhookPort)] }));
    // kube-sim as the lab runs it serves no OpenAPI document for kubectl's client-side validation.
    await kubectl(['apply', '--validate=false', '-f', chartFile], kubeSim.kubeconfigPath);

    // The controller image, with the Deployment's arguments, environment and security settings.
    controllerName = `${LAB_TAG}-controller-${process.pid}`;
    const controllerArgs = podmanArgs(controllerPod, controller, { 'metadata.name': controllerName });
    if (!controllerArgs.ok) throw new Error(controllerArgs.error);
    const controllerKubeconfig = writeKubeconfig(join(cluster.lab.workDir, 'controller-kubeconfig'), kubeSim.url, kubeSim.token);
    await podman(['run', '-d', '--name', controllerName, ...controllerArgs.value.flags, '--network=host', `--volume=${controllerKubeconfig}:/var/run/lb/kubeconfig:ro`, '--env=KUBECONFIG=/var/run/lb/kubeconfig', CONTROLLER, ...controllerArgs.value.args]);
    await until('the controller image ready', 30_000, async () => ((await fetch(`http://127.0.0.1:${controllerMetricsPort}/readyz`)).ok ? true : undefined)).catch(async (error: unknown) => {
      const logs = await podmanStatus(['logs', controllerName]);
      throw new Error(`${String(error)}\ncontainer log:\n${logs.stdout}${logs.stderr}`);
    });

    // The kubelet's part for the speakers: the mounted membership Secret (mode 0440, group 65534
    // as fsGroup gives it) and, for the service account, a kubeconfig to the recording proxy in
    // front of kube-sim, listening on the management address the node namespaces reach.
    const keyDir = join(cluster.lab.workDir, 'memberlist');
    mkdirSync(keyDir, { recursive: true });
    writeFileSync(join(keyDir, 'secretkey'), Buffer.from(secret.data.secretkey, 'base64'), { mode: 0o440 });
    chownSync(join(keyDir, 'secretkey'), 0, 65534);
    proxy = await recordingProxy(kubeSim.url, { host: kubeSim.host, ca: readFileSync(kubeSim.caFile, 'utf8') });
    const speakerKubeconfig = writeKubeconfig(join(cluster.lab.workDir, 'speaker-kubeconfig'), proxy.url, kubeSim.token, { mode: 0o440, group: 65534 });
    chmodSync(cluster.lab.workDir, 0o711);

    // One speaker container per node, in the node's network namespace (the DaemonSet's hostNetwork).
    speakerNames = cluster.nodes.map((_n, i) => `${LAB_TAG}-speaker-${i}-${process.pid}`);
    await Promise.all(
      cluster.nodes.map(async (node, i) => {
        const fields = { 'spec.nodeName': node.name, 'status.hostIP': node.lan.ipv4, 'status.podIP': node.lan.ipv4, 'metadata.namespace': NS };
        const translated = podmanArgs(speakerPod, speaker, fields);
        if (!translated.ok) throw new Error(translated.error);
        const flags = translated.value.flags.filter((f) => f !== '--network=host');
        const name = speakerNames[i] as string;
        const started = performance.now();
        await podman(['run', '-d', '--name', name, ...flags, `--network=ns:/run/netns/${node.ns}`, `--volume=${keyDir}:/etc/ml_secret_key:ro`, `--volume=${speakerKubeconfig}:/var/run/lb/kubeconfig:ro`, '--env=KUBECONFIG=/var/run/lb/kubeconfig', SPEAKER, ...translated.value.args]);
        let exited: string | undefined;
        await waitFor(
          `the speaker image on ${node.name} to start`,
          async () => {
            const logs = await podmanStatus(['logs', name]);
            if (logs.stdout.includes('"speaker started"')) return true;
            const state = (await podman(['inspect', name, '--format', '{{.State.Status}}'])).trim();
            if (state !== 'running') exited = `the speaker container on ${node.name} is ${state}:\n${logs.stdout}${logs.stderr}`;
            return undefined;
          },
          { timeoutMs: 30_000, intervalMs: 200, abortIf: () => exited },
        );
        startedMs[i] = performance.now() - started;
      }),
    );
  }, 180_000);

  afterAll(async () => {
    for (const name of [...speakerNames, controllerName]) if (name) await podmanStatus(['rm', '-f', '-t', '0', name]);
    await proxy?.close();
    await cluster?.cleanup();
  });

  it("gets a Service an address from the controller image; the client's ARP is answered by one node's MAC", async () => {
    const file = join(dir, 'service.json');
    const node0 = cluster.node(0);
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }] } },
          {
            apiVersion: 'discovery.k8s.io/v1',
            kind: 'EndpointSlice',
            metadata: { name: 'web-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
            addressType: 'IPv4',
            ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
            endpoints: [{ addresses: ['10.244.0.10'], nodeName: node0.name, conditions: { ready: true } }],
          },
        ],
      }),
    );
    await kubectl(['apply', '--validate=false', '-f', file], kubeconfigOfLab());
    const address = await until('an address for default/web', 20_000, async () => (await kubectl(['get', 'svc', 'web', '-n', 'default', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'], kubeconfigOfLab())) || undefined).catch(async (error: unknown) => {
      const logs = await podmanStatus(['logs', controllerName]);
      throw new Error(`${String(error)}\ncontroller log:\n${(logs.stdout + logs.stderr).slice(-3000)}`);
    });
    expect(address).toMatch(/^172\.16\.16\.(1[5-9]\d|160)$/);
    ip = address;
    const macs = await waitFor(
      `a node to answer ARP for ${address}`,
      () => {
        const replies = cluster.arping(address, { count: 1, deadlineSeconds: 1 }).replyMacs;
        return replies.length > 0 ? replies : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    const answering = [...new Set([...macs, ...cluster.arping(address, { count: 3, gapSeconds: 0.05, deadlineSeconds: 2 }).replyMacs])];
    expect(answering).toHaveLength(1);
    owner = cluster.nodes.findIndex((n) => n.mac === answering[0]);
    expect(owner).toBeGreaterThanOrEqual(0);
    console.log(`speaker images: started ${startedMs.map((ms) => ms.toFixed(0)).join(', ')} ms after podman run; ${address} answered by ${cluster.node(owner).name}`);
    // The owner's writes (so that the RBAC check below sees them): its ServiceL2Status.
    const status = await until('the ServiceL2Status', 15_000, async () => (await kubectl(['get', 'servicel2statuses', '-n', NS, '-o', 'jsonpath={.items[*].status.node}'], kubeconfigOfLab())) || undefined);
    expect(status).toBe(cluster.node(owner).name);
  }, 60_000);

  it('exports every metric the chart\'s alerts use (the controller image and a speaker image scraped)', async () => {
    const controllerText = await (await fetch(`http://127.0.0.1:${controllerMetricsPort}/metrics`)).text();
    const speakerText = cluster.exec(0, 'curl', ['-sS', '--max-time', '5', `http://127.0.0.1:${speakerMetricsPort}/metrics`]);
    const exported = new Set([...`${controllerText}\n${speakerText}`.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    const used = alertMetricNames();
    expect(used.length).toBeGreaterThan(3);
    expect(used.filter((name) => !exported.has(name))).toEqual([]);
    // The BGP peer the setup declares (its session cannot come up: no router) is the sample MetalLBBGPSessionDown fires on.
    expect(speakerText).toMatch(new RegExp(`^metallb_bgp_session_up\\{peer="${cluster.plan.client.ipv4.replaceAll('.', '\\.')}"\\} 0$`, 'm'));
    expect(controllerText).toMatch(/^metallb_allocator_addresses_in_use_total\{pool="smoke"\} 1$/m);
  });

  it("moves the address to the other node when the owner's container is stopped (SIGTERM, exit 0)", async () => {
    expect(ip, 'the Service got no address (see the first test)').toBeDefined();
    const from = owner as number;
    const to = 1 - from;
    const stopped = performance.now();
    await podman(['stop', '--time', '15', speakerNames[from] as string], { timeoutMs: 30_000 });
    const stopMs = performance.now() - stopped;
    const code = (await podman(['inspect', speakerNames[from] as string, '--format', '{{.State.ExitCode}}'])).trim();
    expect(code, await speakerLogs(from)).toBe('0');
    const macs = await waitFor(
      `${cluster.node(to).name} to answer ARP for ${ip}`,
      () => {
        const replies = cluster.arping(ip as string, { count: 1, deadlineSeconds: 1 }).replyMacs;
        return replies.length > 0 && !replies.includes(cluster.node(from).mac) ? replies : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    ).catch(async (error: unknown) => {
      throw new Error(`${String(error)}\nthe other speaker's log:\n${await speakerLogs(to)}`);
    });
    const movedMs = performance.now() - stopped;
    console.log(`speaker images: ${cluster.node(from).name} stopped ${stopMs.toFixed(0)} ms after SIGTERM (exit ${code}); ${ip} answered by ${cluster.node(to).name} ${movedMs.toFixed(0)} ms after the stop began`);
    expect(new Set(macs)).toEqual(new Set([cluster.node(to).mac]));
    expect(new Set(cluster.arping(ip as string, { count: 3, gapSeconds: 0.05, deadlineSeconds: 2 }).replyMacs)).toEqual(new Set([cluster.node(to).mac]));
    expect(stopMs).toBeLessThan(15_000);
  }, 60_000);

  it("asks the API server only for what the chart's speaker rules grant, and uses every rule", () => {
    const attributes = proxy.requests.map((r) => requestAttributes(r.method, r.url)).filter((a) => a !== undefined);
    expect(attributes.length).toBeGreaterThan(5);
    const denied = [...new Set(attributes.filter((a) => !grantingRule(rules, a)).map(describeRequest))];
    expect(denied).toEqual([]);
    const used = new Set(attributes.map((a) => grantingRule(rules, a)));
    const unused = rules.filter((r) => !used.has(r)).map((r) => `${r.verbs.join(',')} ${(r.apiGroups ?? []).join(',') || 'core'}/${(r.resources ?? []).join(',')}`);
    console.log(`speaker images: ${attributes.length} API requests, all granted`);
    // Every rule, the BGP password one included: the BGPPeer's passwordSecret is read (get secrets).
    expect(unused).toEqual([]);
  });

  it('exits 0 on SIGTERM on the last node, and the address is no longer answered', async () => {
    const last = 1 - (owner as number);
    await podman(['stop', '--time', '15', speakerNames[last] as string], { timeoutMs: 30_000 });
    expect((await podman(['inspect', speakerNames[last] as string, '--format', '{{.State.ExitCode}}'])).trim(), await speakerLogs(last)).toBe('0');
    expect(cluster.arping(ip as string, { count: 2, deadlineSeconds: 1 }).replyMacs).toEqual([]);
    await podman(['stop', '--time', '15', controllerName], { timeoutMs: 30_000 });
    expect((await podman(['inspect', controllerName, '--format', '{{.State.ExitCode}}'])).trim()).toBe('0');
  }, 60_000);
});

/**
 * The lab's configuration: a layer 2 pool, and a BGPPeer whose TCP MD5 password is in a Secret
 * (what the chart's `get secrets` is for). The peer is the client's address, where nothing
 * listens on 179: its session stays down, and with no BGPAdvertisement nothing is announced over BGP.
 */
function labConfiguration(peerAddress: string): object[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'smoke', namespace: NS }, spec: { addresses: ['172.16.16.150-172.16.16.160'] } },
    { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'smoke', namespace: NS } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bgp-password', namespace: NS }, type: 'kubernetes.io/basic-auth', stringData: { password: 'smoke-md5' } },
    { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'smoke', namespace: NS }, spec: { myASN: 64512, peerASN: 64513, peerAddress, passwordSecret: { name: 'bgp-password', namespace: NS } } },
  ];
}
