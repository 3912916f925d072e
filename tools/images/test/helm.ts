// helm, kubectl and promtool from .bin/ (tools/bootstrap.sh fetches them), and the chart rendered as objects.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { chartDir, metricNames } from '../src/index.js';

export const workspaceRoot = join(import.meta.dirname, '..', '..', '..');
export const helmBin = join(workspaceRoot, '.bin', 'helm');
export const kubectlBin = join(workspaceRoot, '.bin', 'kubectl');
/** Unpacked from Debian's prometheus package by tools/bootstrap.sh. */
export const promtoolBin = join(workspaceRoot, '.bin', 'promtool');
export { chartDir };

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [field: string]: unknown;
}

function tool(bin: string): string {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run tools/bootstrap.sh (it fetches helm v4 and kubectl)`);
  return bin;
}

export function helm(args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(tool(helmBin), args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

const run = promisify(execFile);

/** Asynchronous, so that a kube-sim in this process can answer it. */
export async function kubectl(args: readonly string[], kubeconfig: string): Promise<string> {
  return (await run(tool(kubectlBin), args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 })).stdout;
}

/** helm, asynchronous (for commands that talk to an in-process kube-sim). */
export async function helmAsync(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return (await run(tool(helmBin), args, { encoding: 'utf8', env, timeout: 60_000 })).stdout;
}

/** `--set` flags turning every optional part of the chart on. */
export const EVERYTHING_ON = [
  'prometheus.secureMetricsPort=9120',
  'prometheus.controllerMetricsTLSSecret=lb-controller-metrics-tls',
  'prometheus.speakerMetricsTLSSecret=lb-speaker-metrics-tls',
  'prometheus.serviceMonitor.enabled=true',
  'prometheus.podMonitor.enabled=true',
  'prometheus.prometheusRule.enabled=true',
  'prometheus.serviceAccount=prometheus-k8s',
  'prometheus.namespace=monitoring',
  'speaker.realtimePriority=true',
  'speaker.bgp.drainSeconds=30',
  'speaker.ignoreExcludeLB=true',
  'loadBalancerClass=metallb',
  'webhook.certSecret=lb-webhook-tls',
  'imagePullSecrets[0].name=regcred',
  'controller.podAntiAffinity=hard',
];

export function renderText(sets: readonly string[] = [], extra: readonly string[] = []): string {
  return helm(['template', 'lb', chartDir, '--namespace', 'metallb-system', ...extra, ...sets.flatMap((s) => ['--set', s])]);
}

export function render(sets: readonly string[] = [], extra: readonly string[] = []): K8sObject[] {
  return parseAllDocuments(renderText(sets, extra))
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

export function find(objects: readonly K8sObject[], kind: string, nameSuffix = ''): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name.endsWith(nameSuffix));
  if (!found) throw new Error(`no ${kind} *${nameSuffix} in the rendered chart (${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')})`);
  return found;
}

export interface AlertRuleGroup {
  name: string;
  rules: Array<{ alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }>;
}

/** The PrometheusRule's groups as `helm template` renders them with every optional part on. */
export function alertRuleGroups(): AlertRuleGroup[] {
  return (find(render(EVERYTHING_ON), 'PrometheusRule') as K8sObject & { spec: { groups: AlertRuleGroup[] } }).spec.groups;
}

/** Every metric name the chart's alerts read. */
export function alertMetricNames(): string[] {
  return [...new Set(alertRuleGroups().flatMap((g) => g.rules.flatMap((r) => metricNames(r.expr))))];
}
