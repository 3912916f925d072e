import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Lab, type SpawnedProcess } from '../lab.js';
import { exitedWith, waitFor } from '../wait.js';

/**
 * How kube-sim is run: its bin, which runs the built JavaScript (the root `prepare` script builds it),
 * with the node flags of KUBE_SIM_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile a lab).
 */
export function kubeSimCommand(): { command: string; args: string[] } {
  const packageJson = createRequire(import.meta.url).resolve('@lb/kube-sim/package.json');
  const nodeArgs = (process.env['KUBE_SIM_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  return { command: process.execPath, args: [...nodeArgs, join(dirname(packageJson), 'bin', 'kube-sim.mjs')] };
}

export interface KubeSimProcessOptions {
  /** Address to listen on (the lab's management address); default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: a free port, kept across restarts. */
  readonly port?: number;
  /** Manifests loaded at every start, in order. */
  readonly files?: readonly string[];
  /** Default a random one, kept across restarts. */
  readonly token?: string;
}

/** kube-sim as a real process on the host, with faults: pause (SIGSTOP), stop and start again. */
export interface KubeSimProcess {
  /** `https://host:port`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** Usable from the host and from every lab namespace that reaches `host`. */
  readonly kubeconfigPath: string;
  /** The CA clients trust (PEM file), the same across restarts. */
  readonly caFile: string;
  readonly process: SpawnedProcess;
  readonly running: boolean;
  /** SIGSTOP: connections are accepted by the kernel and then hang; every object is kept. */
  pause(): void;
  resume(): void;
  /** The process exits: connections are refused. Objects are lost (kube-sim keeps them in memory). */
  stop(): Promise<void>;
  /** Starts again on the same address, port, token and CA, with the manifests of the first start. */
  start(): Promise<void>;
}

let kubeSimCounter = 0;

/** Starts kube-sim as a process on the host and resolves once it serves; stopped by `lab.cleanup()`. */
export async function startKubeSim(lab: Lab, options: KubeSimProcessOptions = {}): Promise<KubeSimProcess> {
  kubeSimCounter += 1;
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(16).toString('hex');
  const dir = join(lab.workDir, `kube-sim-${kubeSimCounter}`);
  const kubeconfigPath = join(dir, 'kubeconfig');
  const dataDir = join(dir, 'data');
  const caFile = join(dir, 'ca.crt');
  const { command, args } = kubeSimCommand();
  let port = options.port ?? 0;
  let current: SpawnedProcess | undefined;
  let starts = 0;

  const launch = async (): Promise<SpawnedProcess> => {
    starts += 1;
    const proc = lab.spawn(null, command, [...args, '--host', host, '--port', String(port), '--token', token, '--kubeconfig', kubeconfigPath, '--data-dir', dataDir, ...(options.files ?? [])], {
      logFile: join(lab.workDir, `kube-sim-${kubeSimCounter}-${starts}.log`),
    });
    const url = await waitFor(
      `kube-sim listening on ${host}`,
      () => {
        const out = proc.output();
        return out.includes('kubeconfig:') ? /listening on (\S+)/.exec(out)?.[1] : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 25, abortIf: exitedWith(proc.child, proc.output) },
    );
    port = Number(new URL(url).port);
    // The data dir keeps the CA across restarts; the kubeconfig carries it, a file is handier for curl.
    const caData = /certificate-authority-data:\s*(\S+)/.exec(readFileSync(kubeconfigPath, 'utf8'))?.[1];
    if (caData) writeFileSync(caFile, Buffer.from(caData, 'base64'));
    return proc;
  };

  current = await launch();
  const running = (): boolean => current !== undefined && current.child.exitCode === null && current.child.signalCode === null;
  return {
    get url() {
      return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
    },
    host,
    get port() {
      return port;
    },
    token,
    kubeconfigPath,
    caFile,
    get process() {
      return current as SpawnedProcess;
    },
    get running() {
      return running();
    },
    pause: () => void current?.child.kill('SIGSTOP'),
    resume: () => void current?.child.kill('SIGCONT'),
    async stop() {
      await current?.stop();
    },
    async start() {
      if (running()) throw new Error('kube-sim is already running');
      current = await launch();
    },
  };
}
