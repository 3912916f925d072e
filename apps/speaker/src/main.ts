// The lb-speaker process: the adapters (src/process/) around the pure cores. API informers (api.ts)
// and the membership on UDP (membership-transport.ts) feed the composer (compose.ts); what it decides goes
// to @lb/arp's layer 2 worker, to ServiceL2Status/Events (status-writer.ts) and to the metrics.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { type CountersSnapshot } from '@lb/arp';
import { connect, EventRecorder, type KubeClient } from '@lb/k8s-watch';
import { SpeakerMetrics } from './metrics.js';
import { type MembershipChange } from './membership/types.js';
import { ApiView } from './process/api.js';
import { BgpProcess } from './process/bgp.js';
import { HelpRequested, parseOptions, type SpeakerOptions } from './process/cli.js';
import { expectedMembers, internalIP, Layer2Composer, type Layer2Actions, type NodeWithAddresses } from './process/compose.js';
import { type NodeAddresses } from './bgp/peer-options.js';
import { startMonitoring, stopOnSignals } from '@lb/daemon';
import { createLogger, type Logger } from './process/log.js';
import { MembershipTransport } from './process/membership-transport.js';
import { preflightLayer2, systemProbe } from './process/preflight.js';
import { StatusWriter } from './process/status-writer.js';

/** What the layer 2 adapter must do; @lb/arp/pcap's Layer2 fits. */
interface Layer2Port {
  announce(ip: string, options: { interfaces: readonly string[] }): { ok: boolean; error?: { message: string } };
  withdraw(ip: string): void;
  status(timeoutMs?: number): Promise<{ counters: CountersSnapshot }>;
  close(): Promise<void>;
}

const SECRET_RETRY_MS = 2000;
const KEY_RELOAD_MS = 30_000;

export interface RunningSpeaker {
  readonly metricsPort: number;
  stop(): Promise<void>;
}

/** Thrown for what the speaker cannot run without; main() prints it as one line and exits 1. */
export class StartError extends Error {}

export async function runSpeaker(options: SpeakerOptions, log: Logger): Promise<RunningSpeaker> {
  const node = options.nodeName;
  let fastPath = false;
  if (!options.disableLayer2) {
    const preflight = preflightLayer2(systemProbe());
    if (preflight.fatal) throw new StartError(preflight.fatal);
    for (const warning of preflight.warnings) log.warn(warning);
    fastPath = preflight.fastPath;
  }
  const client: KubeClient = await connect(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}, { userAgent: 'lb-speaker' });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  let reelect = (): void => undefined;
  // BGP needs no election: every node with what a BGPAdvertisement asks advertises (desiredBgp).
  const bgpEvents = new EventRecorder({ client, component: 'metallb-speaker', host: node });
  const bgp = options.disableBgp
    ? undefined
    : new BgpProcess({ client, log, registry, node, lbClass: options.lbClass, ignoreExcludeLB: options.ignoreExcludeLB, namespace: options.namespace, events: bgpEvents, service: (k) => api.service(k) });
  let membersChanged = (): void => undefined;
  const api = new ApiView({
    client,
    log,
    namespace: options.namespace,
    mlNamespace: options.mlNamespace,
    mlLabels: options.mlLabels,
    onChange: () => {
      const started = performance.now();
      const snapshot = api.snapshot();
      composer.setApi(snapshot);
      reelect();
      // BGP paces its own recomputations (bgp/pacing.ts): its cost is not counted here.
      api.recordCost(performance.now() - started);
      bgp?.update(snapshot);
    },
    onMembersChange: () => membersChanged(),
  });
  const composer = new Layer2Composer({ node, lbClass: options.lbClass, ignoreExcludeLB: options.ignoreExcludeLB });
  api.start();

  const key = await memberlistKey(options, api, log);
  await api.synced();
  const host = options.mlBindAddr ?? options.host ?? internalIP(api.node(node));
  if (!host) throw new StartError(`no membership address: give --host or --ml-bindaddr, or give Node ${node} an InternalIP`);

  bgp?.start(nodeAddresses(api.node(node), host));

  let layer2: Layer2Port | undefined;
  if (!options.disableLayer2) {
    const { Layer2 } = await import('@lb/arp/pcap');
    const worker = new Layer2({ exclude: new RegExp(options.excludeInterfaces), ...(fastPath ? {} : { arpFastPath: false }) });
    worker.on('error', (message) => log.warn(`layer 2: ${message}`));
    worker.on('info', (message) => log.info(`layer 2: ${message}`));
    worker.on('restart', (why) => log.warn('layer 2 worker restarted', { why }));
    await worker.start();
    layer2 = worker;
  }
  let counters: CountersSnapshot | undefined;
  // The worker answers a status request after the announcements queued before it: right after
  // thousands of Services change that can take seconds, and a scrape should not wait for it. Past
  // this, the scrape serves the counters of the last answer.
  const scrapeStatusTimeoutMs = 1000;

  const events = new EventRecorder({ client, component: 'metallb-speaker', host: node });
  const statuses = new StatusWriter({ client, events, log, namespace: options.namespace, node, service: (k) => api.service(k) });

  const transport: MembershipTransport = new MembershipTransport({
    name: node,
    keys: [key],
    bindAddress: host,
    port: options.mlBindPort,
    members: expectedMembers(api.speakerPods(), api.nodes(), options.mlBindPort),
    onChanges: (changes) => {
      metrics.recordChanges(changes);
      logChanges(log, changes);
      reelect();
    },
    onError: (message) => log.warn(message),
  });
  const metrics = new SpeakerMetrics(registry, node, {
    layer2: () => counters ?? { drops: {}, dropsByInterface: {}, ips: {} },
    membership: () => ({ view: transport.view(), counters: transport.membership.counters, healthScore: transport.membership.healthScore }),
  });

  const apply = (actions: Layer2Actions): void => {
    for (const ip of actions.withdraw) layer2?.withdraw(ip);
    for (const a of actions.announce) {
      const result = layer2?.announce(a.ip, { interfaces: a.interfaces });
      if (result && !result.ok) log.warn('cannot announce', { ip: a.ip, service: a.service, error: result.error?.message });
    }
    if (actions.announce.length > 0 || actions.withdraw.length > 0) {
      log.info('announcements changed', { announce: actions.announce.map((a) => a.ip), withdraw: actions.withdraw, total: actions.decision.announcements.length });
    }
    metrics.setAnnounced(actions.decision);
    statuses.set(actions.statuses, actions.events);
  };
  reelect = () => apply(composer.decide(transport.view()));
  membersChanged = () => transport.setMembers(expectedMembers(api.speakerPods(), api.nodes(), options.mlBindPort));

  const initial = api.snapshot();
  composer.setApi(initial);
  await transport.start();
  reelect();
  bgp?.update(initial);

  // Key rotation: a changed Secret signs from now on; the previous key still verifies, so that
  // speakers that have not read the new one yet are not cut off.
  let keys: Uint8Array[] = [key];
  const rotation = setInterval(() => {
    readKey(options, api).then(
      (next) => {
        if (!next || Buffer.from(next).equals(Buffer.from(keys[0] as Uint8Array))) return;
        keys = [next, keys[0] as Uint8Array];
        transport.setKeys(keys);
        log.info('memberlist key changed: signing with the new one, accepting both');
      },
      (error: unknown) => log.debug('re-reading the memberlist key failed', { error: (error as Error).message }),
    );
  }, KEY_RELOAD_MS);
  rotation.unref();

  const monitoring = await startMonitoring({
    host: options.metricsHost,
    port: options.metricsPort,
    registry,
    ready: () => api.hasSynced,
    beforeScrape: async () => {
      if (layer2) counters = (await layer2.status(scrapeStatusTimeoutMs)).counters;
    },
    families: () => metrics.perAddressFamilies(),
  });
  log.info('speaker started', { node, membership: `${host}:${options.mlBindPort}`, metricsPort: monitoring.port, layer2: !options.disableLayer2, fastPath });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      clearInterval(rotation);
      await transport.leave();
      const last = composer.withdrawAll();
      for (const ip of last.withdraw) layer2?.withdraw(ip);
      statuses.set(new Map(), []);
      await Promise.race([statuses.flush(), new Promise((resolve) => setTimeout(resolve, 2000))]);
      statuses.stop();
      // BGP withdraws (and waits the drain time) while layer 2 is already gone.
      const bgpStopped = bgp?.stop(options.drainSeconds);
      if (options.drainSeconds > 0) await new Promise((resolve) => setTimeout(resolve, options.drainSeconds * 1000));
      await bgpStopped;
      await layer2?.close();
      await events.stop(1000);
      await bgpEvents.stop(1000);
      await api.stop();
      await monitoring.close();
      client.close();
      log.info('speaker stopped', { node });
    })());
  return { metricsPort: monitoring.port, stop };
}

/** This node's addresses per family (next hops, router ID): the Node's InternalIPs, else the membership host. */
function nodeAddresses(nodeObject: NodeWithAddresses | undefined, host: string): NodeAddresses {
  const internal = (nodeObject?.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address);
  const v4 = internal.find((a) => !a.includes(':')) ?? (host.includes(':') ? undefined : host);
  const v6 = internal.find((a) => a.includes(':')) ?? (host.includes(':') ? host : undefined);
  return { ...(v4 ? { IPv4: v4 } : {}), ...(v6 ? { IPv6: v6 } : {}) };
}

/** The key as it is now (file or Secret); undefined when there is none. */
async function readKey(options: SpeakerOptions, api: ApiView): Promise<Uint8Array | undefined> {
  if (options.mlSecretKeyPath) {
    const bytes = await readFile(join(options.mlSecretKeyPath, 'secretkey'));
    return bytes.length > 0 ? new Uint8Array(bytes) : undefined;
  }
  return api.secretKey(options.mlSecretName);
}

/** The memberlist key: the mounted file, else the Secret through the API (waited for). Never none. */
async function memberlistKey(options: SpeakerOptions, api: ApiView, log: Logger): Promise<Uint8Array> {
  if (options.mlSecretKeyPath) {
    const file = join(options.mlSecretKeyPath, 'secretkey');
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new StartError(`cannot read the memberlist key ${file}: ${(error as Error).message}`);
    }
    if (bytes.length === 0) throw new StartError(`the memberlist key ${file} is empty`);
    return new Uint8Array(bytes);
  }
  for (;;) {
    try {
      const key = await api.secretKey(options.mlSecretName);
      if (key && key.length > 0) return key;
      log.warn('the memberlist Secret has no key "secretkey"; waiting', { secret: `${options.namespace}/${options.mlSecretName}` });
    } catch (error) {
      log.warn('cannot read the memberlist Secret; waiting', { secret: `${options.namespace}/${options.mlSecretName}`, error: (error as Error).message });
    }
    await new Promise((resolve) => setTimeout(resolve, SECRET_RETRY_MS));
  }
}

function logChanges(log: Logger, changes: readonly MembershipChange[]): void {
  for (const change of changes) {
    const { kind, ...fields } = change;
    log.info(`membership: ${kind}`, fields);
  }
}

/** The binary: parse flags, run, leave and withdraw on SIGTERM/SIGINT. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  let options: SpeakerOptions;
  try {
    options = await parseOptions(argv);
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(`${error.text}\n`);
      return;
    }
    process.stderr.write(`lb-speaker: ${(error as Error).message}\nRun with --help for the options.\n`);
    process.exitCode = 2;
    return;
  }
  const log = createLogger(options.logLevel, { component: 'speaker', node: options.nodeName });
  let running: RunningSpeaker;
  try {
    running = await runSpeaker(options, log);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof StartError) process.stderr.write(`lb-speaker: ${message}\n`);
    log.error('could not start', { error: message });
    process.exit(1);
  }
  stopOnSignals(running, log);
}
