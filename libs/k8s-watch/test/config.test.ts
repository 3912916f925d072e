// Configuration sources against kube-sim: its kubeconfig file and text, and an in-cluster service
// account laid out in a temporary directory.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, type KubeSim } from '@lb/kube-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, connect, loadKubeConfig, Namespaces } from '../src/index.js';

let sim: KubeSim;
let dir: string;

beforeAll(async () => {
  sim = await start();
  dir = mkdtempSync(join(tmpdir(), 'k8s-watch-config-'));
});
afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function namespaces(source: Parameters<typeof connect>[0]): Promise<string[]> {
  const client = await connect(source);
  try {
    return (await client.list(Namespaces)).items.map((n) => n.metadata?.name ?? '').sort();
  } finally {
    client.close();
  }
}

describe('configuration', () => {
  it('reads a kubeconfig file, its text, and $KUBECONFIG', async () => {
    expect(await namespaces({ kubeconfig: sim.kubeconfigPath })).toContain('default');
    expect(await namespaces({ kubeconfigYaml: sim.kubeconfig })).toContain('kube-system');
    expect(await namespaces({ env: { KUBECONFIG: `${sim.kubeconfigPath}:/nonexistent` } })).toContain('default');
  });

  it('uses the service account in a pod, with its token, CA and namespace', async () => {
    const root = join(dir, 'pod');
    const sa = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), sim.token);
    writeFileSync(join(sa, 'ca.crt'), sim.ca ?? '');
    writeFileSync(join(sa, 'namespace'), 'metallb-system');
    const env = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(sim.port) };
    const explicit = { inCluster: true, serviceAccountRoot: root, env };
    expect(await namespaces(explicit)).toContain('default');
    // Found without asking, when there is no kubeconfig in the environment.
    expect(await namespaces({ serviceAccountRoot: root, env })).toContain('default');
    const client = await connect(explicit);
    expect(client.namespace).toBe('metallb-system');
    client.close();
  });

  const failures: { name: string; source: Parameters<typeof loadKubeConfig>[0]; message: RegExp }[] = [
    { name: 'missing file', source: { kubeconfig: '/nonexistent/kubeconfig' }, message: /^kubeconfig \/nonexistent\/kubeconfig does not exist$/ },
    { name: 'bad YAML', source: { kubeconfigYaml: 'clusters: [' }, message: /^kubeconfig text: / },
    { name: 'unknown context', source: { kubeconfigYaml: 'x', context: 'nope' }, message: /no context named 'nope'/ },
    {
      name: 'in-cluster without a pod',
      source: { inCluster: true, serviceAccountRoot: '/nonexistent', env: {} },
      message: /in-cluster configuration: KUBERNETES_SERVICE_HOST is not set; KUBERNETES_SERVICE_PORT is not set; \/nonexistent\/var\/run\/secrets\/kubernetes.io\/serviceaccount\/token does not exist; .*ca.crt does not exist/,
    },
    { name: 'nothing anywhere', source: { env: { HOME: '/nonexistent' } }, message: /no Kubernetes configuration: .*\/nonexistent\/.kube\/config does not exist/ },
    {
      name: 'context naming a missing cluster',
      source: { kubeconfigYaml: 'contexts: [{name: x, context: {cluster: gone, user: u}}]\nusers: [{name: u, user: {}}]\ncurrent-context: x\n' },
      message: /context 'x' names a cluster that is not defined/,
    },
  ];
  it.each(failures)('rejects $name with a clear message', ({ source, message }) => {
    let error: unknown;
    try {
      loadKubeConfig(source);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });
  it('has failure cases', () => expect(failures.length).toBeGreaterThan(0));
});
