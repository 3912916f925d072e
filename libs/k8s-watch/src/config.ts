// Where the API server and credentials come from: a kubeconfig (a file, or its text), or the pod's
// service account when running in a cluster. Loading itself is @kubernetes/client-node's; this
// picks the source, checks the result, and says clearly what was tried when nothing works.
import { KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeClient, type KubeClientOptions } from './client.js';

export interface ConfigSource {
  /** Path of a kubeconfig file. */
  readonly kubeconfig?: string;
  /** A kubeconfig's YAML text. */
  readonly kubeconfigYaml?: string;
  /** The context to use instead of the file's current context. */
  readonly context?: string;
  /** Use the pod's service account (KUBERNETES_SERVICE_HOST/PORT and its token and CA files). */
  readonly inCluster?: boolean;
  /** Prefixed to the service account's file paths (tests; default none). */
  readonly serviceAccountRoot?: string;
  /** Environment to read (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

function loadInCluster(root: string, env: Readonly<Record<string, string | undefined>>): KubeConfig {
  const missing: string[] = [];
  if (!env['KUBERNETES_SERVICE_HOST']) missing.push('KUBERNETES_SERVICE_HOST is not set');
  if (!env['KUBERNETES_SERVICE_PORT']) missing.push('KUBERNETES_SERVICE_PORT is not set');
  for (const file of ['token', 'ca.crt']) {
    const path = `${root}${SERVICE_ACCOUNT}/${file}`;
    if (!existsSync(path)) missing.push(`${path} does not exist`);
  }
  if (missing.length > 0) throw new ConfigError(`in-cluster configuration: ${missing.join('; ')}`);
  const config = new KubeConfig();
  // client-node reads the host and port from process.env; hand it the ones we were given.
  const saved = { host: process.env['KUBERNETES_SERVICE_HOST'], port: process.env['KUBERNETES_SERVICE_PORT'] };
  process.env['KUBERNETES_SERVICE_HOST'] = env['KUBERNETES_SERVICE_HOST'];
  process.env['KUBERNETES_SERVICE_PORT'] = env['KUBERNETES_SERVICE_PORT'];
  try {
    config.loadFromCluster(root);
  } finally {
    restore('KUBERNETES_SERVICE_HOST', saved.host);
    restore('KUBERNETES_SERVICE_PORT', saved.port);
  }
  return config;
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

function loadFile(path: string): KubeConfig {
  if (!existsSync(path)) throw new ConfigError(`kubeconfig ${path} does not exist`);
  const config = new KubeConfig();
  try {
    config.loadFromFile(path);
  } catch (error) {
    throw new ConfigError(`kubeconfig ${path}: ${(error as Error).message}`, { cause: error });
  }
  return config;
}

/**
 * Loads configuration from, in order: `kubeconfig`, `kubeconfigYaml`, the service account when
 * `inCluster`, $KUBECONFIG (first file of the list), the service account when running in a pod,
 * ~/.kube/config. The result names a context whose cluster has a server URL.
 */
export function loadKubeConfig(source: ConfigSource = {}): KubeConfig {
  const env = source.env ?? process.env;
  const root = source.serviceAccountRoot ?? '';
  let config: KubeConfig;
  let origin: string;
  if (source.kubeconfig) {
    config = loadFile(source.kubeconfig);
    origin = source.kubeconfig;
  } else if (source.kubeconfigYaml !== undefined) {
    config = new KubeConfig();
    try {
      config.loadFromString(source.kubeconfigYaml);
    } catch (error) {
      throw new ConfigError(`kubeconfig text: ${(error as Error).message}`, { cause: error });
    }
    origin = 'kubeconfig text';
  } else if (source.inCluster) {
    config = loadInCluster(root, env);
    origin = 'in-cluster service account';
  } else {
    const fromEnv = env['KUBECONFIG']?.split(':').find((p) => p !== '');
    const home = join(env['HOME'] ?? homedir(), '.kube', 'config');
    if (fromEnv) {
      config = loadFile(fromEnv);
      origin = fromEnv;
    } else if (env['KUBERNETES_SERVICE_HOST']) {
      config = loadInCluster(root, env);
      origin = 'in-cluster service account';
    } else if (existsSync(home)) {
      config = loadFile(home);
      origin = home;
    } else {
      throw new ConfigError(`no Kubernetes configuration: no kubeconfig given, $KUBECONFIG is not set, KUBERNETES_SERVICE_HOST is not set (not in a pod), and ${home} does not exist`);
    }
  }
  if (source.context) {
    if (!config.getContextObject(source.context)) {
      throw new ConfigError(`${origin}: no context named '${source.context}' (contexts: ${config.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    config.setCurrentContext(source.context);
  }
  const current = config.getCurrentContext();
  if (!current || !config.getContextObject(current)) throw new ConfigError(`${origin}: no current context`);
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new ConfigError(`${origin}: context '${current}' names a cluster that is not defined`);
  if (!cluster.server) throw new ConfigError(`${origin}: cluster '${cluster.name}' has no server`);
  return config;
}

/** loadKubeConfig, then a client for it. */
export async function connect(source: ConfigSource = {}, options: KubeClientOptions = {}): Promise<KubeClient> {
  return KubeClient.fromKubeConfig(loadKubeConfig(source), options);
}
