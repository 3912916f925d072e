// `npm start` as root: every seed's promise on a real network. Builds the lab the speaker's tests use
// (a LAN bridge with three node namespaces, a client namespace, an FRR router with a network behind
// it), runs kube-sim, the controller and one speaker per node as real processes, and walks through
// the seeds scene by scene: the YAML applied as written, the address, who announces it, a curl from
// the client. Then failover. `--keep` stays up for exploring; Ctrl-C removes everything it made.
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ClusterLab, waitFor, type SpawnedProcess, type StreamSummary } from '@lb/netlab';
import { webhookConfiguration } from '../src/webhook.js';
import { seconds, summaryTable, type SceneOutcome } from './summary.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');
const examples = join(root, 'examples');
const seeds = join(examples, 'seeds');
const controllerBin = join(root, 'apps', 'controller', 'bin', 'lb-controller.mjs');
// DEMO_SPEAKER_BIN runs another build of the speaker (one from a branch being tried).
const speakerBin = process.env['DEMO_SPEAKER_BIN'] ?? join(root, 'apps', 'speaker', 'bin', 'lb-speaker.mjs');
const keep = process.argv.includes('--keep');
const WEBHOOK_CONFIGURATION = 'metallb-webhook-configuration';
const started = performance.now();

const say = (text = ''): void => {
  process.stdout.write(`${text}\n`);
};
const step = (text: string): void => say(`  … ${text}`);

function kubectlBinary(): string {
  const local = join(root, '.bin', 'kubectl');
  return existsSync(local) ? local : 'kubectl';
}

interface Service {
  readonly namespace: string;
  readonly name: string;
  readonly port?: number;
}

class Demo {
  readonly outcomes: SceneOutcome[] = [];
  private controller: SpawnedProcess | undefined;
  private readonly speakers = new Map<string, SpawnedProcess>();
  private readonly kubeconfig: string;
  private readonly secretDir: string;
  /** The memberlist key: in the Secret for the API, and in the mounted directory (as the chart mounts it). */
  private readonly memberlistKey = randomBytes(32);
  configNamespace = 'metallb-system';

  constructor(readonly lab: ClusterLab) {
    if (!lab.kubeSim) throw new Error('the lab runs no kube-sim');
    this.kubeconfig = lab.kubeSim.kubeconfigPath;
    this.secretDir = join(lab.lab.workDir, 'memberlist');
    mkdirSync(this.secretDir, { recursive: true });
    writeFileSync(join(this.secretDir, 'secretkey'), this.memberlistKey);
  }

  async kubectl(args: readonly string[], options: { show?: boolean; mayFail?: boolean; input?: string } = {}): Promise<string> {
    if (options.show) say(`  $ kubectl ${args.join(' ')}`);
    try {
      const child = run(kubectlBinary(), [...args], { env: { ...process.env, KUBECONFIG: this.kubeconfig } });
      if (options.input !== undefined) {
        child.child.stdin?.end(options.input);
      }
      const { stdout, stderr } = await child;
      const out = `${stdout}${stderr}`.trimEnd();
      if (options.show && out) say(out.replace(/^/gm, '    '));
      return out;
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      const out = `${e.stdout ?? ''}${e.stderr ?? e.message}`.trimEnd();
      if (options.show) say(out.replace(/^/gm, '    '));
      if (!options.mayFail) throw new Error(`kubectl ${args.join(' ')} failed:\n${out}`);
      return out;
    }
  }

  apply(file: string, extra: readonly string[] = []): Promise<string> {
    return this.kubectl(['apply', '-f', file, ...extra], { show: true });
  }

  async applyObject(object: object): Promise<void> {
    await this.kubectl(['apply', '-f', '-'], { input: JSON.stringify(object) });
  }

  /**
   * MetalLB as a helm install into `namespace` would run it: the controller (with its webhook) and
   * a speaker on every node, restarted when the namespace changes.
   */
  async startMetalLB(namespace: string): Promise<void> {
    await this.stopMetalLB();
    this.configNamespace = namespace;
    await this.kubectl(['create', 'namespace', namespace], { mayFail: true });
    await this.applyObject({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'metallb-memberlist', namespace },
      type: 'Opaque',
      data: { secretkey: this.memberlistKey.toString('base64') },
    });
    // No speaker Pods (no kubelet here): the speakers take every Node's InternalIP as a member.
    const webhookPort = 19443;
    // A fresh configuration: the CA a previous controller injected must not count as this one's.
    await this.kubectl(['delete', 'validatingwebhookconfiguration', WEBHOOK_CONFIGURATION, '--ignore-not-found']);
    await this.applyObject(webhookConfiguration({ name: WEBHOOK_CONFIGURATION, url: `https://127.0.0.1:${webhookPort}` }));
    // Logs are appended across restarts: wait for one more start line than there was.
    const startsBefore = countLines(this.lab.logFile('host', 'controller'), 'controller started');
    this.controller = this.lab.startOnHost('controller', process.execPath, [
      controllerBin,
      '--kubeconfig', this.kubeconfig,
      '--namespace', namespace,
      '--metrics-host', '127.0.0.1',
      '--metrics-port', '0',
      '--webhook-port', String(webhookPort),
      '--webhook-configuration', WEBHOOK_CONFIGURATION,
    ]);
    const controller = this.controller;
    await waitFor('the controller to start ("controller started" in its log)', () => count(controller.output(), 'controller started') > startsBefore, {
      timeoutMs: 20_000,
      abortIf: () => (controller.child.exitCode !== null ? `it exited: ${controller.output().slice(-500)}` : undefined),
    });
    // The webhook refuses nothing until kube-sim trusts it: wait for the injected CA.
    await waitFor('the controller to inject its CA into the webhook configuration', async () => {
      const out = await this.kubectl(['get', 'validatingwebhookconfiguration', WEBHOOK_CONFIGURATION, '-o', 'jsonpath={.webhooks[0].clientConfig.caBundle}'], { mayFail: true });
      return out.length > 100;
    }, { timeoutMs: 20_000, intervalMs: 200 });
    if (!existsSync(speakerBin)) throw new Error(`${speakerBin} is missing: the speaker is not built (npm install builds it)`);
    await Promise.all(this.lab.nodes.map((node) => this.startSpeaker(node.name)));
  }

  /** Starts the speaker of `name` (again) and waits for its start line. */
  async startSpeaker(name: string): Promise<void> {
    const node = this.lab.node(name);
    const startsBefore = countLines(this.lab.logFile(node.name, 'speaker'), '"speaker started"');
    const speaker = this.lab.startInNode(node.name, 'speaker', process.execPath, [
      speakerBin,
      '--node-name', node.name,
      '--host', node.lan.ipv4,
      '--ml-secret-key-path', this.secretDir,
      '--ml-namespace', this.configNamespace,
      '--namespace', this.configNamespace,
      '--metrics-bind-address', '127.0.0.1:7472',
    ]);
    this.speakers.set(node.name, speaker);
    await waitFor(`the speaker on ${name} to start ("speaker started" in its log)`, () => count(speaker.output(), '"speaker started"') > startsBefore, {
      timeoutMs: 20_000,
      intervalMs: 50,
      abortIf: () => (speaker.child.exitCode !== null || speaker.child.signalCode !== null ? `it exited: ${speaker.output().slice(-1000)}` : undefined),
    });
  }

  /** Starts again every speaker that is not running (one killed by a failover scene). */
  async restartDeadSpeakers(): Promise<void> {
    for (const [name, speaker] of this.speakers) {
      if (speaker.child.exitCode !== null || speaker.child.signalCode !== null) {
        step(`start the speaker on ${name} again`);
        await this.startSpeaker(name);
      }
    }
  }

  async stopMetalLB(): Promise<void> {
    await Promise.all([this.controller?.stop(2000), ...[...this.speakers.values()].map((s) => s.stop(2000))]);
    this.controller = undefined;
    this.speakers.clear();
  }

  speaker(node: string): SpawnedProcess | undefined {
    return this.speakers.get(node);
  }

  /** Endpoints on every node (or the ones named), as the EndpointSlice controller would write them. */
  async endpoints(service: Service, nodes: readonly string[] = this.lab.nodes.map((n) => n.name)): Promise<void> {
    await this.applyObject({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${service.name}-lab`, namespace: service.namespace, labels: { 'kubernetes.io/service-name': service.name } },
      addressType: 'IPv4',
      endpoints: nodes.map((name) => ({ addresses: [this.lab.node(name).lan.ipv4], nodeName: name, conditions: { ready: true, serving: true, terminating: false } })),
      ports: [{ name: '', port: service.port ?? 80, protocol: 'TCP' }],
    });
  }

  async addresses(service: Service, count = 1, timeoutMs = 10_000): Promise<string[]> {
    return waitFor(`an address for Service ${service.namespace}/${service.name}`, async () => {
      const out = await this.kubectl(['get', 'svc', '-n', service.namespace, service.name, '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}'], { mayFail: true });
      const ips = out.split(/\s+/).filter((ip) => /^[0-9a-f.:]+$/i.test(ip));
      return ips.length >= count ? ips : undefined;
    }, { timeoutMs, intervalMs: 100 });
  }

  /** The node whose MAC the client's kernel holds for `address` (after an exchange with it). */
  announcerSeenByClient(address: string): string {
    const entry = this.lab.neighbors('client').find((n) => n.dst === address && n.lladdr);
    return entry?.lladdr ? (this.lab.nodeByMac(entry.lladdr)?.name ?? entry.lladdr) : '?';
  }

  /** Waits for the client's ARP entry for `address` to move from `owner` to another node (the takeover). */
  newOwner(address: string, owner: string, after: string): Promise<string> {
    return waitFor(`another node to answer ARP for ${address} ${after}`, () => {
      const now = this.announcerSeenByClient(address);
      return now !== owner && now !== '?' ? now : undefined;
    }, { timeoutMs: 10_000, intervalMs: 20 });
  }

  /** The nodes whose speakers say (in ServiceL2Status objects) they announce the Service. */
  l2Announcers(service: Service): Promise<string[]> {
    return this.statusNodes('servicel2statuses.metallb.io', service);
  }

  /** The nodes of the status objects (`resource`: ServiceL2Status or ServiceBGPStatus) of a Service. */
  async statusNodes(resource: string, service: Service): Promise<string[]> {
    const out = await this.kubectl(['get', resource, '-n', this.configNamespace, '-o', 'json'], { mayFail: true });
    try {
      const items = (JSON.parse(out) as { items: Array<{ status?: { node?: string; serviceName?: string; serviceNamespace?: string } }> }).items;
      return [...new Set(items.filter((i) => i.status?.serviceName === service.name && i.status?.serviceNamespace === service.namespace).map((i) => i.status?.node ?? '?'))].sort();
    } catch {
      return [];
    }
  }

  /** curl from a client until an answer comes; the answering node. */
  async reach(address: string, options: { from?: 'client' | 'remote'; port?: number; timeoutMs?: number } = {}): Promise<string> {
    const from = options.from ?? 'client';
    const result = await waitFor(`an HTTP answer from ${address}${options.port ? `:${options.port}` : ''} at the ${from === 'client' ? 'LAN client' : 'client behind the router'}`, () => {
      const r = this.lab.curl(address, { from, timeoutMs: 1000, ...(options.port ? { port: options.port } : {}) });
      return r.ok ? r : undefined;
    }, { timeoutMs: options.timeoutMs ?? 10_000, intervalMs: 100 });
    return result.node ?? '?';
  }

  /** Runs one scene: its heading, its body under a timeout that names what it waited for, its outcome. */
  async scene(title: string, body: () => Promise<Omit<SceneOutcome, 'failure'>>, fallback: Omit<SceneOutcome, 'failure' | 'addresses' | 'announcedBy' | 'reachable'>): Promise<void> {
    const t0 = performance.now();
    say(`\n== ${title}`);
    try {
      const outcome = await body();
      this.outcomes.push(outcome);
      say(`  ✔ ${outcome.addresses.join(', ')} ${outcome.mode}, announced by ${outcome.announcedBy.join(', ') || '-'}; curl answered by ${outcome.reachable} (${seconds(performance.now() - t0)})`);
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error);
      this.outcomes.push({ ...fallback, addresses: [], announcedBy: [], reachable: '', failure: message });
      say(`  ✘ ${message}`);
    }
  }
}

/** One line for a request stream: sent, failed, longest gap, who answered how often. */
function streamLine(summary: StreamSummary): string {
  const answered = Object.entries(summary.byNode).map(([n, c]) => `${n} ×${c}`).join(', ');
  return `${summary.sent} requests, ${summary.failed} failed, longest gap ${Math.round(summary.maxGapMs)} ms; answered by ${answered}`;
}

function count(text: string, what: string): number {
  return text.split(what).length - 1;
}

function countLines(file: string, what: string): number {
  return existsSync(file) ? count(readFileSync(file, 'utf8'), what) : 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function scenes(demo: Demo): Promise<void> {
  const lab = demo.lab;

  // Seed 000 installs MetalLB with helm into `default` and puts its pool there: its own scene, so
  // no other pool can be chosen instead of 10.220.2.214.
  await demo.startMetalLB('default');
  await demo.scene('Seed 000: the ingress is reachable at 10.220.2.214 (pool and L2Advertisement in `default`)', async () => {
    await demo.apply(join(seeds, '000-first-pool-l2.yaml'));
    const svc = { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' };
    await demo.kubectl(['create', 'namespace', svc.namespace], { mayFail: true });
    await demo.kubectl(['create', 'service', 'loadbalancer', svc.name, '-n', svc.namespace, '--tcp=80:80'], { show: true });
    await demo.endpoints(svc);
    const addresses = await demo.addresses(svc);
    step(`EXTERNAL-IP ${addresses.join(', ')}`);
    const node = await demo.reach(addresses[0] as string);
    step(`ServiceL2Status: ${(await demo.l2Announcers(svc)).join(', ') || 'none'}`);
    // The next scenes run MetalLB in metallb-system, where this pool is not: the Service goes with it.
    await demo.kubectl(['delete', 'namespace', svc.namespace, '--wait=false']);
    await demo.kubectl(['delete', 'service', svc.name, '-n', svc.namespace, '--ignore-not-found']);
    return { seed: '000', scene: 'first-pool', addresses, mode: 'layer 2', announcedBy: [demo.announcerSeenByClient(addresses[0] as string)], reachable: node };
  }, { seed: '000', scene: 'first-pool', mode: 'layer 2' });

  await demo.startMetalLB('metallb-system');
  await demo.scene("Seed 001: the typo is refused, the fixed pool serves nginx at 172.16.16.150", async () => {
    await demo.kubectl(['apply', '-f', join(seeds, '001-cheap-pool-typo.yaml')], { show: true, mayFail: true });
    await demo.apply(join(examples, 'demo', 'cheap-pool-fixed.yaml'));
    await demo.apply(join(seeds, '002-05-l2-empty.yaml'));
    const svc = { namespace: 'demo', name: 'nginx-service' };
    await demo.kubectl(['create', 'namespace', svc.namespace], { mayFail: true });
    await demo.apply(join(seeds, '001-nginx.yaml'), ['-n', svc.namespace]);
    await demo.endpoints(svc);
    await demo.kubectl(['patch', 'svc', svc.name, '-n', svc.namespace, '-p', '{"spec":{"type":"LoadBalancer"}}'], { show: true });
    const addresses = await demo.addresses(svc);
    const node = await demo.reach(addresses[0] as string);
    step(`ServiceL2Status: ${(await demo.l2Announcers(svc)).join(', ') || 'none'}`);
    return { seed: '001', scene: 'nginx', addresses, mode: 'layer 2', announcedBy: [demo.announcerSeenByClient(addresses[0] as string)], reachable: node };
  }, { seed: '001', scene: 'nginx', mode: 'layer 2' });

  await demo.scene('Seed 003: a MetalLoadBalancerClass, three addresses announced from three nodes', async () => {
    for (const node of lab.nodes) await demo.kubectl(['label', 'node', node.name, 'node-role.kubernetes.io/loadbalancer=', '--overwrite']);
    await demo.kubectl(['create', 'namespace', 'shop'], { mayFail: true });
    await demo.apply(join(examples, 'classes', 'ingress-class.yaml'));
    const svc = { namespace: 'shop', name: 'web', port: 443 };
    await demo.endpoints(svc);
    const addresses = await demo.addresses(svc, 3);
    // Placement settles as the speakers learn the Service and its endpoints: curl once it has.
    await waitFor('three speakers each announcing one of the addresses (ServiceL2Status)', async () => (await demo.l2Announcers(svc)).length === 3, { timeoutMs: 10_000, intervalMs: 100 });
    const answered: string[] = [];
    for (const address of addresses) answered.push(`${address}→${await demo.reach(address, { port: 443 })}`);
    step(answered.join(', '));
    step(`ServiceL2Status: ${(await demo.l2Announcers(svc)).join(', ') || 'none'}`);
    return { seed: '003', scene: 'class, 3 addresses', addresses, mode: 'layer 2', announcedBy: addresses.map((a) => demo.announcerSeenByClient(a)), reachable: answered.map((a) => a.split('→')[1]).join(', ') };
  }, { seed: '003', scene: 'class, 3 addresses', mode: 'layer 2' });

  await demo.scene('Seed 002 and 004: BGP to the router (seed 002 peer 172.30.0.3), reached from behind it', async () => {
    await demo.apply(join(seeds, '004-my-ip-pool.yaml'));
    await demo.apply(join(seeds, '002-09-peer.yaml'));
    // BFD from the first session on: a profile given to an established peer reset its session,
    // and FRR's bfdd then never got the re-created dynamic neighbour's registration.
    await demo.apply(join(examples, 'demo', 'bfd-profile.yaml'));
    await demo.kubectl(['patch', 'bgppeer', 'peer', '-n', 'metallb-system', '--type', 'merge', '-p', '{"spec":{"bfdProfile":"fast"}}'], { show: true });
    await demo.apply(join(examples, 'demo', 'bgp-advertisement.yaml'));
    const svc = { namespace: 'demo', name: 'bgp-web' };
    await demo.applyObject({
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: svc.name, namespace: svc.namespace, annotations: { 'metallb.io/address-pool': 'my-ip-pool' } },
      spec: { type: 'LoadBalancer', selector: { app: 'bgp-web' }, ports: [{ port: 80, protocol: 'TCP' }] },
    });
    await demo.endpoints(svc);
    const addresses = await demo.addresses(svc);
    const address = addresses[0] as string;
    const router = lab.router;
    if (!router) throw new Error('the lab has no router');
    const route = await waitFor(`the route ${address}/32 in FRR's BGP table (BGP sessions from the speakers to 172.30.0.3)`, () => {
      const json = JSON.parse(router.vtysh(`show bgp ipv4 unicast ${address}/32 json`) || '{}') as { paths?: Array<{ nexthops?: Array<{ ip: string }>; locPrf?: number; community?: { string: string } }> };
      return json.paths && json.paths.length > 0 ? json.paths : undefined;
    }, { timeoutMs: 15_000, intervalMs: 250 });
    const via = route.map((p) => p.nexthops?.[0]?.ip ?? '?');
    step(`FRR: ${route.length} path(s) via ${via.join(', ')}; local preference ${route[0]?.locPrf ?? '-'}; communities ${route[0]?.community?.string ?? '-'}`);
    const node = await demo.reach(address, { from: 'remote' });
    step(`ServiceBGPStatus: ${(await demo.statusNodes('servicebgpstatuses.metallb.io', svc)).join(', ') || 'none'}`);
    const byAddress = new Map(lab.nodes.map((n) => [n.lan.ipv4, n.name]));
    return { seed: '002/004', scene: 'BGP', addresses, mode: 'BGP', announcedBy: via.map((ip) => byAddress.get(ip) ?? ip), reachable: node };
  }, { seed: '002/004', scene: 'BGP', mode: 'BGP' });

  await demo.scene("Failover: the owner's speaker is killed (kill -9) while the client sends a request every 10 ms", async () => {
    const svc = { namespace: 'demo', name: 'nginx-service' };
    const addresses = await demo.addresses(svc);
    const address = addresses[0] as string;
    const owner = await demo.reach(address);
    const stream = await lab.requestStream(address, { intervalMs: 10 });
    await sleep(300);
    const speaker = demo.speaker(owner);
    if (!speaker) throw new Error(`no speaker runs on ${owner}`);
    step(`kill -9 the speaker on ${owner}`);
    speaker.child.kill('SIGKILL');
    // The new owner's gratuitous ARP moves the client's neighbor entry: that is the takeover.
    const killedAt = performance.now();
    const newOwner = await demo.newOwner(address, owner, `after ${owner}'s speaker died`);
    step(`${newOwner} took ${address} over ${Math.round(performance.now() - killedAt)} ms after the kill`);
    await sleep(500);
    const { summary } = await stream.stop();
    step(streamLine(summary));
    return { seed: '004', scene: 'L2 failover', addresses, mode: 'layer 2', announcedBy: [newOwner], reachable: Object.keys(summary.byNode).join(' → '), gapMs: summary.maxGapMs };
  }, { seed: '004', scene: 'L2 failover', mode: 'layer 2' });

  await demo.scene('Failover: the owner node dies (every process of its namespace frozen) while the client sends a request every 10 ms', async () => {
    await demo.restartDeadSpeakers();
    const svc = { namespace: 'demo', name: 'nginx-service' };
    const addresses = await demo.addresses(svc);
    const address = addresses[0] as string;
    const owner = await demo.reach(address);
    const stream = await lab.requestStream(address, { intervalMs: 10 });
    await sleep(300);
    step(`freeze ${owner} (SIGSTOP to its speaker and its HTTP server)`);
    const frozenAt = performance.now();
    lab.freeze(owner);
    try {
      const newOwner = await demo.newOwner(address, owner, `after ${owner} froze`);
      step(`${newOwner} took ${address} over ${Math.round(performance.now() - frozenAt)} ms after the freeze`);
      await sleep(500);
      const { summary } = await stream.stop();
      step(streamLine(summary));
      return { seed: '004', scene: 'node death', addresses, mode: 'layer 2', announcedBy: [newOwner], reachable: Object.keys(summary.byNode).join(' → '), gapMs: summary.maxGapMs };
    } finally {
      lab.thaw(owner);
    }
  }, { seed: '004', scene: 'node death', mode: 'layer 2' });

  await demo.scene('Failover over BGP with BFD: the node the router sends to dies (frozen), a request every 10 ms from behind the router', async () => {
    const router = lab.router;
    if (!router) throw new Error('the lab has no router');
    await demo.restartDeadSpeakers();
    await waitFor('three BFD sessions up at the router (bfdd)', () => router.bfdPeers().filter((p) => p.status === 'up').length >= 3, { timeoutMs: 20_000, intervalMs: 200 });
    const svc = { namespace: 'demo', name: 'bgp-web' };
    const addresses = await demo.addresses(svc);
    const address = addresses[0] as string;
    await waitFor(`three paths for ${address} in the router's kernel`, () => router.kernelNextHops(address).length >= 3, { timeoutMs: 20_000, intervalMs: 200 });
    const stream = await lab.requestStream(address, { intervalMs: 10, from: 'remote' });
    await sleep(500);
    const answers = new Map<string, number>();
    for (const r of stream.records()) if (r.node) answers.set(r.node, (answers.get(r.node) ?? 0) + 1);
    const victim = [...answers].sort((a, b) => b[1] - a[1])[0]?.[0];
    if (!victim) throw new Error(`no answer from ${address} at the client behind the router`);
    step(`freeze ${victim} (the router's BFD session to it goes down; its path leaves the router)`);
    const victimIp = lab.node(victim).lan.ipv4;
    const frozenAt = performance.now();
    lab.freeze(victim);
    try {
      await waitFor(`the router to drop the path via ${victimIp}`, () => !router.kernelNextHops(address).includes(victimIp), { timeoutMs: 10_000, intervalMs: 20 });
      step(`the router dropped ${victim}'s path ${Math.round(performance.now() - frozenAt)} ms after the freeze`);
      await sleep(500);
      const { summary } = await stream.stop();
      step(streamLine(summary));
      const byAddress = new Map(lab.nodes.map((n) => [n.lan.ipv4, n.name]));
      return { seed: '004', scene: 'BGP + BFD node death', addresses, mode: 'BGP', announcedBy: router.kernelNextHops(address).map((ip) => byAddress.get(ip) ?? ip), reachable: Object.keys(summary.byNode).join(' → '), gapMs: summary.maxGapMs };
    } finally {
      lab.thaw(victim);
    }
  }, { seed: '004', scene: 'BGP + BFD node death', mode: 'BGP' });
}

async function main(): Promise<void> {
  say('npm start: building the network lab (3 nodes, a client, an FRR router, kube-sim)…');
  const crds = readdirSync(join(root, 'charts', 'lb', 'crds')).map((f) => join(root, 'charts', 'lb', 'crds', f));
  const lab = await ClusterLab.start({ tag: 'demo', lanInterface: 'eth1', router: { bfd: true }, kubeSim: { files: crds } });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say('\nremoving the lab (namespaces, links, processes)…');
    await lab.cleanup();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void stop().then(() => process.exit(130));
    });
  }
  try {
    say(`lab ready in ${seconds(lab.startupMs ?? 0)}: nodes ${lab.nodes.map((n) => `${n.name} ${n.lan.ipv4}`).join(', ')}; client ${lab.plan.client.ipv4}; router ${lab.plan.router?.lan.ipv4 ?? '-'}`);
    const demo = new Demo(lab);
    await scenes(demo);
    say(`\n${summaryTable(demo.outcomes)}`);
    const failed = demo.outcomes.filter((o) => o.failure);
    say(`\n${demo.outcomes.length - failed.length} of ${demo.outcomes.length} scenes as promised, in ${seconds(performance.now() - started)}. Logs: ${join(lab.lab.workDir, 'logs')}`);
    if (keep) {
      say(`\nStill running (--keep). Explore:\n  ip netns exec ${lab.clientNs} bash          # the LAN client: curl, arping, ip neigh\n  export KUBECONFIG=${lab.kubeSim?.kubeconfigPath}\n  ${kubectlBinary()} get svc -A\nCtrl-C removes every namespace and process the demo made.`);
      await new Promise<void>(() => undefined);
    }
    await demo.stopMetalLB();
    await stop();
    process.exit(failed.length === 0 ? 0 : 1);
  } catch (error) {
    await stop();
    throw error;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
