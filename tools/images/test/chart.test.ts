// The chart as helm lints and renders it, as kube-sim accepts it (server-side dry run, helm
// install and upgrade), and as the speaker's process contract and Pod Security want it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, type KubeSim } from '@lb/kube-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { podSecurityViolations, readChartValuesTable, type PodSpec } from '../src/index.js';
import { EVERYTHING_ON, alertRuleGroups, chartDir, find, helm, helmAsync, kubectl, promtoolBin, render, renderText, type K8sObject } from './helm.js';

interface Container {
  name: string;
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  securityContext?: { capabilities?: { add?: readonly string[]; drop?: readonly string[] }; allowPrivilegeEscalation?: boolean };
}
type Workload = K8sObject & { spec: { template: { spec: PodSpec & { containers: Container[]; volumes?: Array<Record<string, unknown>>; tolerations?: unknown[] } } } };

const podSpec = (o: K8sObject): Workload['spec']['template']['spec'] => (o as Workload).spec.template.spec;
const container = (o: K8sObject, name: string): Container => {
  const found = podSpec(o).containers.find((c) => c.name === name);
  if (!found) throw new Error(`${o.kind}/${o.metadata.name} has no container ${name}`);
  return found;
};

const variants: Array<[string, string[]]> = [
  ['default values', []],
  ['every optional part on', EVERYTHING_ON],
  ['one controller replica, no webhook', ['controller.replicas=1', 'webhook.enabled=false']],
];

describe('helm lint and template', () => {
  it.each(variants)('passes helm lint --strict with %s', (_name, sets) => {
    expect(helm(['lint', '--strict', chartDir, ...sets.flatMap((s) => ['--set', s])])).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it.each(variants)('renders objects that validate as Kubernetes objects with %s', async (_name, sets) => {
    const objects = render(sets, ['--include-crds']);
    let validated = 0;
    for (const o of objects) {
      if (o.apiVersion.startsWith('monitoring.coreos.com/')) continue; // no schema offline; checked below
      const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['v1', o.apiVersion];
      const path = group === 'v1' ? `v1/${o.kind}` : `${group}/${version}/${o.kind}`;
      const mod = (await import(`kubernetes-models/${path}`)) as Record<string, new (data: unknown) => { validate(): void }>;
      const Model = mod[o.kind] ?? mod['default'];
      if (!Model) throw new Error(`kubernetes-models has no ${path}`);
      expect(() => new Model(o).validate(), `${o.kind}/${o.metadata.name}`).not.toThrow();
      validated++;
    }
    expect(validated).toBeGreaterThan(20);
  });

  it('refuses values the schema does not know, naming them', () => {
    expect(() => renderText(['speaker.frr.enabled=true'])).toThrow(/speaker.*additional properties 'frr' not allowed/s);
  });

  it('refuses monitors without the TLS proxy, saying why', () => {
    expect(() => renderText(['prometheus.serviceMonitor.enabled=true'])).toThrow(/need prometheus.secureMetricsPort/);
  });

  it('has the README values table generated from the schema', () => {
    const readme = readFileSync(join(chartDir, 'README.md'), 'utf8');
    expect(readme, 'run: npm run values-table -w @lb/images').toContain(readChartValuesTable());
  });
});

describe('the controller', () => {
  it.each(variants)('passes Pod Security "restricted" with %s', (_name, sets) => {
    const deployment = render(sets).find((o) => o.kind === 'Deployment');
    expect(deployment).toBeDefined();
    expect(podSecurityViolations(podSpec(deployment as K8sObject), 'restricted')).toEqual([]);
  });

  it('binds metrics to localhost and probes through the webhook server or the TLS proxy', () => {
    const plain = container(find(render(), 'Deployment'), 'controller') as Container & { readinessProbe?: { httpGet?: { port: string; scheme: string } } };
    expect(plain.args).toContain('--metrics-host=127.0.0.1');
    expect(plain.readinessProbe?.httpGet).toMatchObject({ port: 'webhook', scheme: 'HTTPS' });
    const secure = find(render(EVERYTHING_ON), 'Deployment');
    expect((container(secure, 'controller') as typeof plain).readinessProbe?.httpGet).toMatchObject({ port: 'metricshttps', scheme: 'HTTPS' });
    expect(container(secure, 'kube-rbac-proxy').args).toEqual(expect.arrayContaining(['--secure-listen-address=:9120', '--upstream=http://127.0.0.1:7472/']));
  });

  it('has a PodDisruptionBudget and spreads its replicas', () => {
    const objects = render();
    expect(find(objects, 'PodDisruptionBudget', '-controller')).toMatchObject({ spec: { maxUnavailable: 1 } });
    expect(podSpec(find(objects, 'Deployment'))).toHaveProperty('affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution');
    expect(render(['controller.replicas=1']).some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
  });

  it('registers the webhook for CREATE and UPDATE only', () => {
    const config = find(render(), 'ValidatingWebhookConfiguration') as K8sObject & { webhooks: Array<{ rules: Array<{ operations: string[] }> }> };
    expect(config.webhooks.length).toBeGreaterThan(0);
    for (const hook of config.webhooks) for (const rule of hook.rules) expect(rule.operations).toEqual(['CREATE', 'UPDATE']);
  });
});

describe('the speaker (SPEAKER-CONTRACT)', () => {
  const objects = render();
  const daemonSet = find(objects, 'DaemonSet', '-speaker');
  const speaker = container(daemonSet, 'speaker');

  it('runs on the host network with NET_RAW and nothing else, as a non-root user', () => {
    const spec = podSpec(daemonSet);
    expect(spec.hostNetwork).toBe(true);
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    expect(speaker.securityContext?.capabilities).toEqual({ drop: ['ALL'], add: ['NET_RAW'] });
    const realtime = container(find(render(['speaker.realtimePriority=true']), 'DaemonSet'), 'speaker');
    expect(realtime.securityContext?.capabilities?.add).toEqual(['NET_RAW', 'SYS_NICE']);
    // What keeps it from Pod Security "baseline", and nothing more.
    expect(podSecurityViolations(spec, 'baseline')).toEqual([
      'spec.hostNetwork: host namespaces are forbidden',
      'spec.containers[speaker].securityContext.capabilities.add: NET_RAW is not allowed',
      'spec.containers[speaker]: probe host 127.0.0.1 is forbidden',
      'spec.containers[speaker]: probe host 127.0.0.1 is forbidden',
    ]);
  });

  it('gets every setting the contract names through its MetalLB environment variable or flag', () => {
    const env = Object.fromEntries((speaker.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom?.fieldRef?.fieldPath]));
    expect(env).toEqual({
      METALLB_NODE_NAME: 'spec.nodeName',
      METALLB_HOST: 'status.hostIP',
      METALLB_NAMESPACE: 'metadata.namespace',
      METALLB_ML_NAMESPACE: 'metadata.namespace',
      METALLB_ML_BIND_ADDR: 'status.podIP',
      METALLB_ML_BIND_PORT: '7946',
      METALLB_ML_LABELS: 'app.kubernetes.io/name=lb,app.kubernetes.io/instance=lb,app.kubernetes.io/component=speaker',
      METALLB_ML_SECRET_KEY_PATH: '/etc/ml_secret_key',
    });
    expect(speaker.args).toEqual(['--log-level=info', '--metrics-bind-address=127.0.0.1:7472']);
    const all = container(find(render(EVERYTHING_ON), 'DaemonSet'), 'speaker');
    expect(all.args).toEqual(['--log-level=info', '--metrics-bind-address=127.0.0.1:7472', '--lb-class=metallb', '--ignore-exclude-lb', '--drain-seconds=30']);
    const off = container(find(render(['speaker.layer2.enabled=false', 'speaker.bgp.enabled=false']), 'DaemonSet'), 'speaker');
    expect(off.args).toEqual(expect.arrayContaining(['--disable-layer2', '--disable-bgp']));
  });

  it('mounts the membership Secret (key secretkey) at the path it is told, and selects its peers by its own labels', () => {
    expect(speaker.volumeMounts).toEqual([{ name: 'memberlist', mountPath: '/etc/ml_secret_key', readOnly: true }]);
    const volume = podSpec(daemonSet).volumes?.find((v) => v['name'] === 'memberlist');
    expect(volume).toMatchObject({ secret: { secretName: 'lb-memberlist', items: [{ key: 'secretkey', path: 'secretkey' }] } });
    const secret = find(objects, 'Secret', '-memberlist') as K8sObject & { data: { secretkey: string } };
    expect(Buffer.from(secret.data.secretkey, 'base64')).toHaveLength(128);
    expect(secret.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
    const labels = (daemonSet as Workload & { spec: { selector: { matchLabels: Record<string, string> } } }).spec.selector.matchLabels;
    expect(labels['app.kubernetes.io/component']).toBe('speaker');
  });

  it("tolerates the control plane's taints like MetalLB's speaker", () => {
    expect(podSpec(daemonSet).tolerations).toEqual([
      { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule', operator: 'Exists' },
      { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule', operator: 'Exists' },
    ]);
  });
});

describe('against kube-sim', () => {
  const NS = 'metallb-system';
  let sim: KubeSim;
  let dir: string;
  beforeAll(async () => {
    sim = await start({});
    dir = mkdtempSync(join(tmpdir(), 'chr-chart-'));
    await kubectl(['create', 'namespace', 'metallb-system'], sim.kubeconfigPath);
    // CRDs first, for real: the dry run of the rest needs them served.
    await kubectl(['apply', '-f', join(chartDir, 'crds')], sim.kubeconfigPath);
  });
  afterAll(async () => {
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(variants)('accepts every object in a server-side dry run (strict field validation) with %s', async (_name, sets) => {
    const objects = render(sets).filter((o) => !o.apiVersion.startsWith('monitoring.coreos.com/'));
    const file = join(dir, 'rendered.yaml');
    writeFileSync(file, objects.map((o) => JSON.stringify(o)).join('\n---\n'));
    // kubectl's default validation is strict: the server refuses unknown or duplicate fields.
    const out = await kubectl(['apply', '--dry-run=server', '-f', file], sim.kubeconfigPath);
    expect(out.trim().split('\n')).toHaveLength(objects.length);
    expect(out).not.toMatch(/Warning/);
  });

  it('installs with helm, and an upgrade keeps the membership key', async () => {
    const env = { ...process.env, KUBECONFIG: sim.kubeconfigPath, HELM_CACHE_HOME: join(dir, 'cache'), HELM_CONFIG_HOME: join(dir, 'config'), HELM_DATA_HOME: join(dir, 'data') };
    // kube-sim has no server-side apply; helm 4 then needs --server-side=false.
    await helmAsync(['install', 'lb', chartDir, '-n', 'metallb-system', '--server-side=false', '--skip-crds'], env);
    const key = (): Promise<string> => kubectl(['get', 'secret', 'lb-memberlist', '-n', 'metallb-system', '-o', 'jsonpath={.data.secretkey}'], sim.kubeconfigPath);
    const first = await key();
    expect(Buffer.from(first, 'base64')).toHaveLength(128);
    await helmAsync(['upgrade', 'lb', chartDir, '-n', 'metallb-system', '--server-side=false', '--set', 'speaker.logLevel=debug'], env);
    expect(await key()).toBe(first);
    expect(await kubectl(['get', 'daemonset', 'lb-speaker', '-n', 'metallb-system', '-o', 'jsonpath={.spec.template.spec.containers[0].args[0]}'], sim.kubeconfigPath)).toBe('--log-level=debug');
  });

  it('uninstalls with helm: nothing of the release left but the membership Secret (kept) and the CRDs', async () => {
    const env = { ...process.env, KUBECONFIG: sim.kubeconfigPath, HELM_CACHE_HOME: join(dir, 'cache'), HELM_CONFIG_HOME: join(dir, 'config'), HELM_DATA_HOME: join(dir, 'data') };
    const installed = render(['speaker.logLevel=debug']);
    const where = (o: K8sObject): string | undefined => (o.kind.startsWith('Cluster') || o.kind.endsWith('WebhookConfiguration') ? undefined : NS);
    expect(installed.filter((o) => sim.store.get(o.kind, o.metadata.name, where(o)) === undefined).map((o) => `${o.kind}/${o.metadata.name}`), 'installed by the test before').toEqual([]);
    const out = await helmAsync(['uninstall', 'lb', '-n', NS], env);
    expect(out).toMatch(/kept due to the resource policy:\n\[Secret\] lb-memberlist/);
    const left = installed.filter((o) => sim.store.get(o.kind, o.metadata.name, where(o)) !== undefined).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(left).toEqual(['Secret/lb-memberlist']);
    expect(sim.store.list('secrets', NS).map((s) => s.metadata?.name)).toEqual(['lb-memberlist']);
    expect(sim.store.list('customresourcedefinitions').length).toBe(readdirSync(join(chartDir, 'crds')).length);
  });
});

/** The labels a scrape through the chart's monitors gives a series (job from app.kubernetes.io/name). */
const scraped = (component: 'controller' | 'speaker'): Record<string, string> => ({ job: 'lb', namespace: 'metallb-system', pod: `lb-${component}-x`, container: component });
const series = (name: string, labels: Record<string, string>): string => `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`;

describe("the PrometheusRule's alerts, with promtool (Debian's prometheus package)", () => {
  let dir: string;
  const promtool = (args: readonly string[]): string => {
    if (!existsSync(promtoolBin)) throw new Error(`${promtoolBin} is missing: run tools/bootstrap.sh (it unpacks promtool from Debian's prometheus package)`);
    return execFileSync(promtoolBin, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'chr-promtool-'));
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: alertRuleGroups() }));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes promtool check rules', () => {
    expect(promtool(['check', 'rules', 'rules.yaml'])).toMatch(/SUCCESS: 7 rules found/);
  });

  it('fires each alert, with its summary filled in, on series named and labelled as the controller and the speaker export them', () => {
    const controller = scraped('controller');
    const speaker = scraped('speaker');
    const pool = (name: string, inUse: number, total: number): Array<{ series: string; values: string }> => [
      { series: series('metallb_allocator_addresses_in_use_total', { ...controller, pool: name }), values: `${inUse}x5` },
      { series: series('metallb_allocator_addresses_total', { ...controller, pool: name }), values: `${total}x5` },
    ];
    const alert = (alertname: string, labels: Record<string, string>, summary: string): { eval_time: string; alertname: string; exp_alerts: unknown[] } => ({ eval_time: '3m', alertname, exp_alerts: [{ exp_labels: labels, exp_annotations: { summary } }] });
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: series('metallb_k8s_client_config_stale_bool', controller), values: '1x5' },
            { series: series('metallb_k8s_client_config_loaded_bool', controller), values: '0x5' },
            ...pool('full', 10, 10),
            ...pool('most', 8, 10),
            { series: series('metallb_bgp_session_up', { ...speaker, peer: '10.0.0.1' }), values: '0x5' },
          ],
          alert_rule_test: [
            alert('MetalLBStaleConfig', { ...controller, severity: 'warning' }, 'lb: controller on lb-controller-x runs an older configuration: the latest failed to load.'),
            alert('MetalLBConfigNotLoaded', { ...controller, severity: 'warning' }, 'lb: controller on lb-controller-x has not loaded any configuration.'),
            // Matching on(pool) keeps only the pool label: the pool alerts cannot name the job.
            alert('MetalLBAddressPoolExhausted', { pool: 'full', severity: 'critical' }, 'pool full has no address left.'),
            { ...alert('MetalLBAddressPoolUsage75Percent', { pool: 'full', severity: 'warning' }, 'pool full is more than 75% used.'), exp_alerts: ['full', 'most'].map((p) => ({ exp_labels: { pool: p, severity: 'warning' }, exp_annotations: { summary: `pool ${p} is more than 75% used.` } })) },
            alert('MetalLBAddressPoolUsage85Percent', { pool: 'full', severity: 'warning' }, 'pool full is more than 85% used.'),
            alert('MetalLBAddressPoolUsage95Percent', { pool: 'full', severity: 'critical' }, 'pool full is more than 95% used.'),
            alert('MetalLBBGPSessionDown', { ...speaker, peer: '10.0.0.1', severity: 'critical' }, 'lb: speaker on lb-speaker-x has its BGP session with 10.0.0.1 down.'),
            // Not before its `for`: a session down for one minute is not yet an alert.
            { eval_time: '1m', alertname: 'MetalLBBGPSessionDown', exp_alerts: [] },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'alerts.test.yaml'), stringify(tests));
    expect(promtool(['test', 'rules', 'alerts.test.yaml'])).toMatch(/SUCCESS/);
  });
});

describe('monitoring objects (Prometheus Operator CRDs are not available offline)', () => {
  const objects = render(EVERYTHING_ON);
  it('scrape the TLS proxies with a token that may GET /metrics', () => {
    for (const kind of ['ServiceMonitor', 'PodMonitor']) {
      const monitors = objects.filter((o) => o.kind === kind);
      expect(monitors.map((m) => m.metadata.name).sort()).toEqual(['lb-controller', 'lb-speaker']);
      for (const m of monitors) expect(JSON.stringify(m)).toContain('"credentials":{"name":"lb-metrics-token","key":"token"}');
    }
    const reader = find(objects, 'ClusterRole', '-metrics-reader') as K8sObject & { rules: unknown[] };
    expect(reader.rules).toEqual([{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]);
  });
  // kube-rbac-proxy itself is not run (no image offline): what it is given is checked here.
  it.each([
    ['DaemonSet', '-speaker', 'lb-speaker-metrics-tls'],
    ['Deployment', '-controller', 'lb-controller-metrics-tls'],
  ])('gives the %s%s a kube-rbac-proxy sidecar: TLS from %s, upstream on 127.0.0.1, the service account allowed to review tokens and access', (kind, suffix, tlsSecret) => {
    const workload = find(objects, kind, suffix);
    const proxy = container(workload, 'kube-rbac-proxy');
    expect(proxy.args).toEqual(['--logtostderr', '--secure-listen-address=:9120', '--upstream=http://127.0.0.1:7472/', '--ignore-paths=/healthz,/readyz', '--tls-cert-file=/etc/metrics/tls.crt', '--tls-private-key-file=/etc/metrics/tls.key']);
    expect(proxy.volumeMounts).toEqual([{ name: 'metrics-certs', mountPath: '/etc/metrics', readOnly: true }]);
    expect(podSpec(workload).volumes?.find((v) => v['name'] === 'metrics-certs')).toMatchObject({ secret: { secretName: tlsSecret } });
    const account = (podSpec(workload) as { serviceAccountName?: string }).serviceAccountName;
    const binding = find(objects, 'ClusterRoleBinding', '-metrics-auth') as K8sObject & { roleRef: { name: string }; subjects: Array<{ name: string }> };
    expect(binding.subjects.map((s) => s.name)).toContain(account);
    expect((find(objects, 'ClusterRole', '-metrics-auth') as K8sObject & { rules: unknown[] }).rules).toEqual([
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
    ]);
  });
  it("carries MetalLB's alerts", () => {
    const rule = find(objects, 'PrometheusRule') as K8sObject & { spec: { groups: Array<{ rules: Array<{ alert: string }> }> } };
    expect(rule.spec.groups[0]?.rules.map((r) => r.alert)).toEqual([
      'MetalLBStaleConfig',
      'MetalLBConfigNotLoaded',
      'MetalLBAddressPoolExhausted',
      'MetalLBAddressPoolUsage75Percent',
      'MetalLBAddressPoolUsage85Percent',
      'MetalLBAddressPoolUsage95Percent',
      'MetalLBBGPSessionDown',
    ]);
  });
});
