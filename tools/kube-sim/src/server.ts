// start(): an API server on a real socket, with its CA, token and kubeconfig, loaded with any
// manifests given, and a handle for fault injection and direct store access in tests.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { endpointResolver, type ServiceResolver, validatingWebhooks } from './admission.js';
import { KubeApi, type Target } from './api.js';
import { resolvedFor } from './registry.js';
import { DataDir, type LoadStats } from './data-dir.js';
import { Faults } from './faults.js';
import { handler } from './http.js';
import { renderKubeconfig } from './kubeconfig.js';
import { applyObjects, parseManifests } from './manifests.js';
import { type Obj } from './objects.js';
import { type CertificateAuthority, createServingPair, type IssuedCertificate, issueCertificate } from '@lb/certs';
import { WatchHub } from './watch.js';

export interface StartOptions {
  /** TCP port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Address to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** Serve HTTPS with a generated CA (default) or plain HTTP. */
  readonly https?: boolean;
  /** The bearer token clients must send; generated when absent. An empty string disables authentication. */
  readonly token?: string;
  /** Events kept for watches resuming from an older resourceVersion (default 100,000). */
  readonly historyWindow?: number;
  /** How often watches with allowWatchBookmarks get a BOOKMARK (default 30 s). */
  readonly bookmarkIntervalMs?: number;
  /** YAML manifests to load before serving. */
  readonly files?: readonly string[];
  /** Where to write the kubeconfig; a temporary file by default. */
  readonly kubeconfigPath?: string;
  /**
   * Generate a CA of its own instead of sharing the one this process generated first. Sharing
   * (the default) makes every start after the first take milliseconds rather than ~200 ms of RSA
   * key generation.
   */
  readonly freshCa?: boolean;
  /**
   * Sign the serving certificate with this CA: a kube-sim restarted with the same CA is trusted by
   * clients still holding the old kubeconfig, as a restarted kube-apiserver is.
   */
  readonly ca?: CertificateAuthority;
  /** Where webhook Services listen; by default their EndpointSlices or Endpoints say. */
  readonly resolveWebhookService?: ServiceResolver;
  /**
   * Keep objects, resourceVersions, the CA, the serving certificate and the token here across
   * restarts (created when missing). Without it everything lives in memory only.
   */
  readonly dataDir?: string;
}

/** Direct access to the objects for test setup and assertions; writes skip admission webhooks. */
export interface StoreAccess {
  readonly resourceVersion: number;
  /** `resource` is a plural (`services`), `plural.group`, kind or short name. */
  get(resource: string, name: string, namespace?: string): Obj | undefined;
  list(resource: string, namespace?: string): Obj[];
  count(resource?: string): number;
  /** Creates, or replaces when it exists, each object in a YAML stream or the given objects. */
  apply(manifests: string | object | readonly object[]): Promise<Obj[]>;
  /** Any object with apiVersion, kind and metadata (typed client models included). */
  create(obj: object): Promise<Obj>;
  update(obj: object): Promise<Obj>;
  updateStatus(obj: object): Promise<Obj>;
  delete(resource: string, name: string, namespace?: string): Promise<void>;
}

export interface KubeSim {
  readonly url: string;
  readonly port: number;
  readonly kubeconfigPath: string;
  readonly kubeconfig: string;
  readonly token: string;
  /** The CA certificate (PEM) clients trust; undefined over plain HTTP. */
  readonly ca: string | undefined;
  readonly faults: Faults;
  readonly store: StoreAccess;
  /** Open watch streams right now. */
  readonly watchCount: number;
  /** The data directory in use, if any, and what was restored from it at start. */
  readonly dataDir: { readonly path: string; readonly restored: LoadStats } | undefined;
  /** A serving certificate signed by kube-sim's CA, e.g. for a webhook server in a test. */
  issueCertificate(hosts: readonly string[]): IssuedCertificate;
  stop(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

const sharedPairs = new Map<string, Promise<{ ca: CertificateAuthority; serving: IssuedCertificate }>>();

function servingPair(hosts: readonly string[], fresh: boolean): Promise<{ ca: CertificateAuthority; serving: IssuedCertificate }> {
  if (fresh) return createServingPair(hosts, 'kube-apiserver', 'kube-sim-ca');
  const key = hosts.join(',');
  let pair = sharedPairs.get(key);
  if (!pair) {
    pair = createServingPair(hosts, 'kube-apiserver', 'kube-sim-ca');
    sharedPairs.set(key, pair);
  }
  return pair;
}

export async function start(options: StartOptions = {}): Promise<KubeSim> {
  const dataDir = options.dataDir !== undefined ? DataDir.open(resolve(options.dataDir)) : undefined;
  try {
    return await startWith(options, dataDir);
  } catch (err) {
    dataDir?.close();
    throw err;
  }
}

async function startWith(options: StartOptions, dataDir: DataDir | undefined): Promise<KubeSim> {
  const host = options.host ?? '127.0.0.1';
  const useHttps = options.https ?? true;
  const token = dataDir ? dataDir.token(options.token) : (options.token ?? randomBytes(16).toString('hex'));
  let restored: LoadStats = { objects: 0, journalRecords: 0 };
  const api = new KubeApi({ historyWindow: options.historyWindow ?? 100_000, ...(dataDir ? { load: (store) => (restored = dataDir.load(store)) } : {}) });
  const hub = new WatchHub(api, options.bookmarkIntervalMs ?? 30_000);
  const servingHosts = ['localhost', '127.0.0.1', '::1', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', ...(host === '127.0.0.1' || host === 'localhost' ? [] : [host])];
  const tls = !useHttps
    ? undefined
    : dataDir
      ? await dataDir.pki(servingHosts)
      : options.ca
        ? { ca: options.ca, serving: issueCertificate(options.ca, servingHosts, 'kube-apiserver') }
        : await servingPair(servingHosts, options.freshCa ?? false);
  const ca: CertificateAuthority | undefined = tls?.ca;
  let server: Server;
  // Every TCP connection, including ones still in the TLS handshake or not yet carrying a request,
  // which closeAllConnections() does not know about and which would keep close() waiting.
  const sockets = new Set<Socket>();
  const closeServer = (): Promise<void> =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    });
  let port = options.port ?? 0;
  let stopped = false;
  let url = '';
  const admit = validatingWebhooks(api, { resolveService: options.resolveWebhookService ?? endpointResolver(api) });

  const faults = new Faults({
    closeWatches: () => hub.closeAll(),
    compact: () => api.store.compact(),
    refuseConnections: async (ms) => {
      await closeServer();
      hub.closeAll();
      await new Promise((r) => setTimeout(r, ms));
      // A stop() during the outage means the server stays down.
      if (!stopped) await listen(server, port, host);
    },
  });
  const requestHandler = handler({ api, hub, faults, token, admit, serverAddress: () => `${host}:${port}` });
  if (tls) {
    server = createHttpsServer({ cert: tls.serving.cert, key: tls.serving.key }, requestHandler);
  } else {
    server = createHttpServer(requestHandler);
  }
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 60_000;
  // Watches are long-lived responses; only the request itself must arrive in time.
  server.requestTimeout = 0;

  for (const file of options.files ?? []) await applyObjects(api, parseManifests(readFileSync(file, 'utf8'), file), file);

  await listen(server, port, host);
  port = (server.address() as AddressInfo).port;
  url = `${useHttps ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const kubeconfig = renderKubeconfig({ server: url, token, ...(ca ? { caPem: ca.cert } : {}) });
  let tempDir: string | undefined;
  let kubeconfigPath = options.kubeconfigPath ?? (dataDir ? join(dataDir.path, 'kubeconfig') : undefined);
  if (!kubeconfigPath) {
    tempDir = mkdtempSync(join(tmpdir(), 'kube-sim-'));
    kubeconfigPath = join(tempDir, 'kubeconfig');
  } else mkdirSync(dirname(kubeconfigPath), { recursive: true });
  writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });

  const target = (resource: string, name: string, namespace: string | undefined, subresource = ''): Target => {
    const type = api.registry.find(resource);
    const resolved = type ? resolvedFor(type) : undefined;
    if (!type || !resolved) throw new Error(`kube-sim serves no resource named "${resource}"`);
    return { resolved, namespace: type.namespaced ? (namespace ?? 'default') : '', name, subresource };
  };
  const objectTarget = (obj: Obj, subresource = ''): Target => {
    const t = api.targetFor(String(obj['apiVersion']), String(obj['kind']), obj.metadata?.namespace ?? 'default', obj.metadata?.name ?? '', subresource);
    if (!t) throw new Error(`kube-sim serves no ${String(obj['kind'])} in ${String(obj['apiVersion'])}`);
    return t;
  };

  const store: StoreAccess = {
    get resourceVersion() {
      return api.store.resourceVersion;
    },
    get(resource, name, namespace) {
      const t = target(resource, name, namespace);
      const stored = api.store.get(t.resolved.storeKey, t.resolved.type.namespaced ? `${t.namespace}/${name}` : name);
      return stored ? api.decode(stored, t) : undefined;
    },
    list(resource, namespace) {
      const t = target(resource, '', namespace ?? '');
      return [...api.store.list(t.resolved.storeKey, namespace ? `${namespace}/` : '')].map((s) => api.decode(s, t));
    },
    count(resource) {
      return resource === undefined ? api.store.count() : api.store.count(target(resource, '', '').resolved.storeKey);
    },
    apply: (manifests) => {
      const objects = typeof manifests === 'string' ? parseManifests(manifests) : Array.isArray(manifests) ? (manifests as Obj[]) : [manifests as Obj];
      return applyObjects(api, objects);
    },
    // Typed client models (Dates, undefined fields) are taken as JSON: the API copies bodies with jsonCopy.
    create: async (obj) => (await api.create(objectTarget(obj as Obj), obj)).object,
    update: async (obj) => (await api.update(objectTarget(obj as Obj), obj)).object,
    updateStatus: async (obj) => (await api.update(objectTarget(obj as Obj, 'status'), obj)).object,
    delete: async (resource, name, namespace) => {
      await api.delete(target(resource, name, namespace));
    },
  };

  return {
    url,
    port,
    kubeconfigPath,
    kubeconfig,
    token,
    ca: ca?.cert,
    faults,
    store,
    dataDir: dataDir ? { path: dataDir.path, restored } : undefined,
    get watchCount() {
      return hub.count;
    },
    issueCertificate(hosts) {
      if (!ca) throw new Error('kube-sim was started without HTTPS; there is no CA');
      return issueCertificate(ca, hosts);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      hub.closeAll();
      await closeServer();
      dataDir?.close();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
