import { hostname } from 'node:os';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { LeaderElector, WatchMetrics, connect, type KubeClient } from '@lb/k8s-watch';
import { registerMetalLBClientMetrics } from './client-metrics.js';
import { parseOptions, type ControllerOptions } from './cli.js';
import { Controller } from './controller.js';
import { startMonitoring, stopOnSignals } from '@lb/daemon';
import { createLogger, type Logger } from './log.js';
import { AllocatorMetrics, ApiHealthMetrics } from './metrics.js';
import { WebhookServer } from './webhook.js';
import { injectCaBundle, readCertificateDir, sharedGeneratedCertificate, type ServingCertificate } from './webhook-certificate.js';
import { WebhookCertificateKeeper, certificateExpiryGauge, validity } from './webhook-rotation.js';

/** How often the generated certificate is checked for renewal and its CA for presence in the webhook configuration. */
const CERTIFICATE_CHECK_MS = 15_000;

export interface RunningController {
  readonly controller: Controller;
  readonly metricsPort: number;
  /** 0 when the webhook is disabled. */
  readonly webhookPort: number;
  readonly identity: string;
  stop(): Promise<void>;
}

/** Starts everything the options ask for; resolves once the servers listen and informers run. */
export async function runController(options: ControllerOptions, log: Logger = createLogger(options.logLevel, { component: 'controller' })): Promise<RunningController> {
  const identity = options.identity ?? process.env['POD_NAME'] ?? `${hostname()}_${process.pid}`;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const watchMetrics = WatchMetrics.for(registry);
  const clientMetrics = registerMetalLBClientMetrics(registry);
  const allocatorMetrics = new AllocatorMetrics(registry);
  const apiHealthMetrics = new ApiHealthMetrics(registry);

  const client: KubeClient = await connect(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}, { observer: watchMetrics.requestObserver(), userAgent: 'lb-controller' });
  const controller = new Controller({
    client,
    log,
    watchMetrics,
    clientMetrics,
    allocatorMetrics,
    apiHealthMetrics,
    namespaces: options.namespaces,
    lbClass: options.lbClass,
    stateNamespace: options.leaseNamespace,
    identity,
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
  });
  controller.start();

  const monitoring = await startMonitoring({ host: options.metricsHost, port: options.metricsPort, registry, ready: () => controller.ready });

  let webhook: WebhookServer | undefined;
  let webhookPort = 0;
  let certReload: NodeJS.Timeout | undefined;
  if (options.webhookPort > 0) {
    let certificate: ServingCertificate;
    if (options.webhookCertDir) {
      certificate = await readCertificateDir(options.webhookCertDir);
    } else {
      certificate = await sharedGeneratedCertificate({ client, namespace: options.leaseNamespace, serviceName: options.webhookServiceName, log });
      if (certificate.ca) await injectCaBundle(client, options.webhookConfiguration, certificate.ca, log);
    }
    webhook = new WebhookServer({
      port: options.webhookPort,
      cert: certificate.cert,
      key: certificate.key,
      existing: () => controller.configObjects(),
      log: (level, message, fields) => log[level](`webhook ${message}`, fields),
    });
    webhookPort = await webhook.start();
    if (!options.webhookCertDir) {
      const server = webhook;
      const keeper = new WebhookCertificateKeeper({
        client,
        namespace: options.leaseNamespace,
        serviceName: options.webhookServiceName,
        configurationName: options.webhookConfiguration,
        log,
        registry,
        serve: (next) => server.setCertificate(next.cert, next.key),
      });
      keeper.serving(certificate);
      certReload = setInterval(() => {
        keeper.check().catch((error: unknown) => log.warn('webhook certificate check failed', { error: String(error) }));
      }, CERTIFICATE_CHECK_MS);
      certReload.unref();
    } else {
      const expiry = certificateExpiryGauge(registry);
      const setExpiry = (cert: string): void => {
        const v = validity(cert);
        if (v) expiry.set(v.notAfter / 1000);
      };
      setExpiry(certificate.cert);
      // A mounted Secret changes in place when the certificate is rotated.
      const dir = options.webhookCertDir;
      certReload = setInterval(() => {
        readCertificateDir(dir).then(
          (next) => {
            if (next.cert !== certificate.cert || next.key !== certificate.key) {
              certificate = next;
              webhook?.setCertificate(next.cert, next.key);
              setExpiry(next.cert);
              log.info('webhook certificate reloaded', { dir });
            }
          },
          (error: unknown) => log.warn('webhook certificate reload failed', { dir, error: String(error) }),
        );
      }, 60_000);
      certReload.unref();
    }
  }

  let leading: Promise<void> | undefined;
  let elector: LeaderElector | undefined;
  const alwaysLeading = new AbortController();
  if (options.leaderElect) {
    elector = new LeaderElector({
      client,
      namespace: options.leaseNamespace,
      name: options.leaseName,
      identity,
      leaseDurationMs: options.leaseDurationSeconds * 1000,
      renewDeadlineMs: options.renewDeadlineSeconds * 1000,
      retryPeriodMs: options.retryPeriodSeconds * 1000,
      observer: watchMetrics.leaderElection(options.leaseName),
      onStartedLeading: (term) => {
        log.info('started leading', { lease: `${options.leaseNamespace}/${options.leaseName}`, identity });
        leading = controller.lead(term).catch((error: unknown) => log.error('leader loop failed', { error: String(error) }));
      },
      onStoppedLeading: async () => {
        log.info('stopped leading', { identity });
        await leading;
      },
      onNewLeader: (holder) => {
        if (holder && holder !== identity) log.info('following', { leader: holder });
      },
    });
    elector.start();
  } else {
    leading = controller.lead(alwaysLeading.signal).catch((error: unknown) => log.error('controller loop failed', { error: String(error) }));
  }
  log.info('controller started', {
    identity,
    namespaces: options.namespaces,
    lbClass: options.lbClass ?? null,
    metricsPort: monitoring.port,
    webhookPort,
    leaderElect: options.leaderElect,
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      clearInterval(certReload);
      if (elector) await elector.stop({ release: true });
      alwaysLeading.abort();
      await leading;
      await controller.stop();
      await webhook?.stop();
      await monitoring.close();
      client.close();
      log.info('controller stopped', { identity });
    })());
  return { controller, metricsPort: monitoring.port, webhookPort, identity, stop };
}

/** The binary: parse flags, run, stop cleanly on SIGTERM/SIGINT. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  let options: ControllerOptions;
  try {
    options = await parseOptions(argv);
  } catch (error) {
    process.stderr.write(`lb-controller: ${(error as Error).message}\nRun with --help for the options.\n`);
    process.exitCode = 2;
    return;
  }
  const log = createLogger(options.logLevel, { component: 'controller' });
  let running: RunningController;
  try {
    running = await runController(options, log);
  } catch (error) {
    log.error('could not start', { error: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
    return;
  }
  stopOnSignals(running, log);
}
