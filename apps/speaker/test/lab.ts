// The layer 2 lab shared by the end-to-end test and the benchmark: netlab's ClusterLab (3 node
// namespaces on one LAN, a client, kube-sim on the host over a management link) with the chart's
// CRDs, the real controller on the host and one real lb-speaker per node namespace (the built bin).
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, EndpointSlices, Services, type KubeClient, type KubeObject } from '@lb/k8s-watch';
import { ClusterLab, seedServiceRanges, waitFor, type RouterOptions, type SpawnedProcess } from '@lb/netlab';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
export const speakerBin = join(import.meta.dirname, '..', 'bin', 'lb-speaker.mjs');
const controllerBin = join(repoRoot, 'apps', 'controller', 'bin', 'lb-controller.mjs');
const crdDir = join(repoRoot, 'charts', 'lb', 'crds');
/** kubectl 1.35, where tools/scripts/fetch-k8s-binaries.mjs puts it. */
const kubectlPath = join(repoRoot, '.bin', 'kubectl');

/**
 * The command that runs `script` as the images do: node with the entrypoint's flags
 * (tools/images/build/node-flags.json), in the images' environment (node-env.json, through env(1)
 * so that the speaker's pid is node's).
 */
export function imageNodeCommand(script: string, flags: readonly string[] = imageNodeFlags()): string[] {
  const env = JSON.parse(readFileSync(join(repoRoot, 'tools', 'images', 'build', 'node-env.json'), 'utf8')) as Record<string, string>;
  return ['/usr/bin/env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, ...flags, script];
}

/** The node flags of the images' entrypoint (tools/images/build/node-flags.json). */
export function imageNodeFlags(): string[] {
  return JSON.parse(readFileSync(join(repoRoot, 'tools', 'images', 'build', 'node-flags.json'), 'utf8')) as string[];
}

/** The EndpointSlice the lab makes for Service `name`. */
function sliceName(name: string): string {
  return `${name}-x`;
}

export const NAMESPACE = 'metallb-system';
export const POOL = '172.16.16.150-172.16.16.250';
/** IPv6 addresses (seed 002's range, on-link at the client), asked for with the annotation. */
export const V6_POOL = 'fc00:f853:ccd:e799::/124';
/** A pool for bulk Services (not auto-assigned: ask with the address-pool annotation). */
export const BULK_POOL = '10.200.0.0/22';

export interface ServiceSpec {
  /** Nodes with a ready endpoint (default: every node). */
  readonly endpoints?: readonly string[];
  readonly local?: boolean;
  readonly namespace?: string;
  readonly annotations?: Record<string, string>;
  readonly loadBalancerClass?: string;
  readonly ipFamilies?: readonly string[];
}

/** Extra node flags from the environment (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile a bench run). */
function nodeArgs(variable: string): string[] {
  return (process.env[variable] ?? '').split(' ').filter(Boolean);
}

export class SpeakerLab {
  readonly speakers: Array<SpawnedProcess | undefined> = [];
  /** How a speaker is run (its arguments follow): the built bin by default; a bench may swap it. */
  speakerCommand: readonly string[] = [process.execPath, ...nodeArgs('SPEAKER_LAB_SPEAKER_NODE_ARGS'), speakerBin];
  private readonly keyDir: string;

  private constructor(
    readonly cluster: ClusterLab,
    readonly client: KubeClient,
    /** Undefined when the lab was started without it (Services then need their status written). */
    readonly controller: SpawnedProcess | undefined,
    /** Manifests kube-sim loads (again at a restart): removed with the lab. */
    private readonly setupDir: string,
  ) {
    this.keyDir = join(cluster.lab.workDir, 'memberlist');
  }

  static async start(
    options: {
      tag?: string;
      speakerArgs?: readonly string[];
      /** Node namespaces, each with its speaker (default 3). */
      nodes?: number;
      /** Run the real controller (default true). */
      controller?: boolean;
      /** More address ranges routed to the nodes and on-link at the client. */
      serviceRanges?: readonly string[];
      /** netlab's FRR router (and the client behind it), for BGP. */
      router?: RouterOptions;
      /** More objects kube-sim loads at start (after the lab's own). */
      objects?: readonly object[];
      /** Run the speakers with this instead of the built bin (e.g. an image's bundle and node flags). */
      speakerCommand?: readonly string[];
    } = {},
  ): Promise<SpeakerLab> {
    for (const bin of [join(import.meta.dirname, '..', 'dist', 'entry.js'), join(repoRoot, 'apps', 'controller', 'dist', 'entry.js')]) {
      if (!existsSync(bin)) throw new Error(`${bin} is missing: build first (npx nx run speaker:build; speaker:test does it)`);
    }
    const key = randomBytes(32);
    const setupDir = join('/tmp', `lb-speaker-lab-${process.pid}`);
    mkdirSync(setupDir, { recursive: true });
    const setup = join(setupDir, 'setup.json');
    const objects = setupObjects(key);
    writeFileSync(setup, JSON.stringify({ ...objects, items: [...objects.items, ...(options.objects ?? [])] }));
    const crds = readdirSync(crdDir).map((f) => join(crdDir, f));
    const cluster = await ClusterLab.start({
      tag: options.tag ?? 'sl2',
      nodes: options.nodes ?? 3,
      serviceRanges: [...seedServiceRanges, BULK_POOL, ...(options.serviceRanges ?? [])],
      kubeSim: { files: [...crds, setup] },
      ...(options.router ? { router: options.router } : {}),
    });
    try {
      const client = await connect({ kubeconfig: cluster.kubeSim!.kubeconfigPath });
      const controller =
        options.controller === false
          ? undefined
          : cluster.startOnHost('controller', process.execPath, [...nodeArgs('SPEAKER_LAB_CONTROLLER_NODE_ARGS'), controllerBin, '--webhook-port', '0', '--metrics-port', '0', '--metrics-host', '127.0.0.1', '--namespace', NAMESPACE]);
      const lab = new SpeakerLab(cluster, client, controller, setupDir);
      if (options.speakerCommand) lab.speakerCommand = options.speakerCommand;
      mkdirSync(lab.keyDir, { recursive: true });
      writeFileSync(join(lab.keyDir, 'secretkey'), key);
      await Promise.all(cluster.nodes.map((_, i) => lab.startSpeaker(i, options.speakerArgs)));
      return lab;
    } catch (error) {
      await cluster.cleanup();
      rmSync(setupDir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Starts node i's speaker and waits for "speaker started". The last node reads the memberlist
   * key from a mounted directory, the others from the Secret through the API.
   */
  async startSpeaker(i: number, extra: readonly string[] = [], wrapper: readonly string[] = []): Promise<SpawnedProcess> {
    const node = this.cluster.node(i);
    const keyArgs = i === this.cluster.nodes.length - 1 ? ['--ml-secret-key-path', this.keyDir] : [];
    const command = [...wrapper, ...this.speakerCommand, '--node-name', node.name, '--host', node.lan.ipv4, ...keyArgs, ...extra];
    const proc = this.cluster.startInNode(i, 'speaker', command[0] as string, command.slice(1));
    this.speakers[i] = proc;
    const before = proc.output().split('"speaker started"').length;
    await waitFor(`${node.name}'s speaker to start`, () => proc.output().split('"speaker started"').length > before, {
      timeoutMs: 90_000,
      intervalMs: 50,
      abortIf: () => (proc.child.exitCode !== null || proc.child.signalCode !== null ? `the speaker exited:\n${proc.output().slice(-3000)}` : undefined),
    });
    return proc;
  }

  /** The memberlist key directory (the last node's speaker reads it), made readable by `uid`. */
  keyDirFor(uid: number, gid: number): string {
    chownSync(this.keyDir, uid, gid);
    chownSync(join(this.keyDir, 'secretkey'), uid, gid);
    return this.keyDir;
  }

  /** kill -9 (or another signal) of node i's speaker process; resolves when it has exited. */
  async signalSpeaker(i: number, signal: NodeJS.Signals): Promise<void> {
    const proc = this.speakers[i];
    if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.child.once('exit', resolve));
    proc.child.kill(signal);
    await exited;
  }

  /** Creates a LoadBalancer Service with ready endpoints and resolves with its address (assigned by the controller). */
  async service(name: string, spec: ServiceSpec = {}): Promise<string> {
    await this.createService(name, spec);
    return this.addressOf(name, spec.namespace);
  }

  async createService(name: string, spec: ServiceSpec = {}): Promise<void> {
    const [service, slice] = this.serviceObjects(name, spec);
    await this.client.create(Services, service);
    await this.client.create(EndpointSlices, slice);
  }

  /** Deletes what createService created: the Service and its EndpointSlice. */
  async deleteService(name: string, namespace = 'default'): Promise<void> {
    await this.client.delete(Services, namespace, name);
    await this.client.delete(EndpointSlices, namespace, sliceName(name));
  }

  /** The same Service and EndpointSlice, created as a user would: `kubectl create -f -` (kubectl 1.35). */
  kubectlCreateService(name: string, spec: ServiceSpec = {}): void {
    if (!existsSync(kubectlPath)) throw new Error(`kubectl 1.35 not found at ${kubectlPath}: run \`node tools/scripts/fetch-k8s-binaries.mjs\``);
    const list = { apiVersion: 'v1', kind: 'List', items: this.serviceObjects(name, spec) };
    const kubeconfig = this.cluster.kubeSim?.kubeconfigPath ?? '';
    this.cluster.lab.ns(null, kubectlPath, ['--kubeconfig', kubeconfig, 'create', '--validate=false', '-f', '-'], { input: JSON.stringify(list), timeoutMs: 15_000 });
  }

  /** A LoadBalancer Service and its EndpointSlice with a ready endpoint on each of `spec.endpoints` (default: every node). */
  private serviceObjects(name: string, spec: ServiceSpec): [KubeObject, KubeObject] {
    const namespace = spec.namespace ?? 'default';
    const nodes = spec.endpoints ?? this.cluster.nodes.map((n) => n.name);
    return [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace, ...(spec.annotations ? { annotations: spec.annotations } : {}) },
        spec: {
          type: 'LoadBalancer',
          ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }],
          ...(spec.local ? { externalTrafficPolicy: 'Local' } : {}),
          ...(spec.loadBalancerClass ? { loadBalancerClass: spec.loadBalancerClass } : {}),
          ...(spec.ipFamilies ? { ipFamilies: spec.ipFamilies, ipFamilyPolicy: 'SingleStack' } : {}),
        },
      } as KubeObject,
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: sliceName(name), namespace, labels: { 'kubernetes.io/service-name': name } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
        endpoints: nodes.map((nodeName, i) => ({ addresses: [`10.244.${i}.10`], nodeName, conditions: { ready: true } })),
      } as KubeObject,
    ];
  }

  async addressOf(name: string, namespace = 'default', timeoutMs = 15_000): Promise<string> {
    return waitFor(
      `an address for Service ${namespace}/${name}`,
      async () => {
        const svc = (await this.client.get(Services, namespace, name)) as { status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } } };
        return svc.status?.loadBalancer?.ingress?.[0]?.ip;
      },
      { timeoutMs, intervalMs: 20 },
    );
  }

  /** The node answering ARP for `ip` from the client (one arping), or undefined. */
  answerer(ip: string): { node?: string; macs: string[] } {
    // Two requests: arping stops at the count, so one request shows only the first of two owners.
    const r = this.cluster.arping(ip, { count: 2, gapSeconds: 0.02, deadlineSeconds: 1 });
    const macs = [...new Set(r.replyMacs)];
    const node = macs.length === 1 ? this.cluster.nodeByMac(macs[0] as string)?.name : undefined;
    return { ...(node ? { node } : {}), macs };
  }

  /** Waits until exactly one node, satisfying `accept`, answers ARP for `ip`; returns it. */
  async owner(ip: string, accept: (node: string) => boolean = () => true, timeoutMs = 15_000): Promise<string> {
    return waitFor(
      `one node to answer ARP for ${ip}`,
      () => {
        const a = this.answerer(ip);
        return a.node !== undefined && accept(a.node) ? a.node : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  /** Waits until every running speaker sees all of them alive and eligible, and announces (not withdrawn). */
  async settled(timeoutMs = 30_000): Promise<void> {
    const running = this.speakers.map((p, i) => (p && p.child.exitCode === null && p.child.signalCode === null ? i : -1)).filter((i) => i >= 0);
    await waitFor(
      'every speaker to see the others alive and eligible',
      () => running.every((i) => this.metric(i, 'lb_speaker_members_eligible') === running.length && this.metric(i, 'lb_speaker_membership_withdrawn') === 0),
      { timeoutMs, intervalMs: 200 },
    );
  }

  /** A metric's value (summed over its series that match `labels`) from node i's speaker. */
  metric(i: number, name: string, labels: Record<string, string> = {}): number {
    const text = this.metricsText(i);
    let sum = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name)) continue;
      const match = /^([a-zA-Z0-9_:]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
      if (!match || match[1] !== name) continue;
      const series = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      if (Object.entries(labels).every(([k, v]) => series[k] === v)) sum += Number(match[3]);
    }
    return sum;
  }

  /** Command lines of the processes in a node's namespace. */
  processesIn(node: string): string[] {
    const pids = this.cluster.lab.ns(null, 'ip', ['netns', 'pids', this.cluster.node(node).ns]).stdout.split(/\s+/).filter(Boolean);
    return pids.flatMap((pid) => {
      try {
        return [readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()];
      } catch {
        return [];
      }
    });
  }

  metricsText(i: number): string {
    return this.cluster.exec(i, 'curl', ['-sS', '-m', '5', 'http://127.0.0.1:7472/metrics']);
  }

  nodeIndex(name: string): number {
    return this.cluster.nodes.findIndex((n) => n.name === name);
  }

  /** Removes the lab; SPEAKER_LAB_KEEP=1 keeps its work directory (logs) and prints where. */
  async cleanup(): Promise<void> {
    this.client.close();
    const keepWorkDir = process.env['SPEAKER_LAB_KEEP'] === '1';
    if (keepWorkDir) console.log(`lab logs kept in ${this.cluster.lab.workDir}`);
    await this.cluster.cleanup({ keepWorkDir });
    rmSync(this.setupDir, { recursive: true, force: true });
  }
}

function setupObjects(key: Buffer): { apiVersion: string; kind: string; items: object[] } {
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'metallb-memberlist', namespace: NAMESPACE }, type: 'Opaque', data: { secretkey: key.toString('base64') } },
      { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'lab', namespace: NAMESPACE }, spec: { addresses: [POOL] } },
      { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'bulk', namespace: NAMESPACE }, spec: { addresses: [BULK_POOL], autoAssign: false } },
      { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'v6', namespace: NAMESPACE }, spec: { addresses: [V6_POOL], autoAssign: false } },
      { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'lab', namespace: NAMESPACE }, spec: { ipAddressPools: ['lab', 'bulk', 'v6'] } },
    ],
  };
}
