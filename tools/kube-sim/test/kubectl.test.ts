// Real kubectl binaries (1.32 and 1.35) against kube-sim over HTTPS with a bearer token.
import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { type KubeSim } from '../src/index.js';
import { eventually, kubectls, runKubectl, simWithKubectl, tempDir } from './helpers.js';

const service = (port: number, label = 'v1'): string => `apiVersion: v1
kind: Service
metadata:
  name: web
  labels:
    release: ${label}
spec:
  type: LoadBalancer
  selector:
    app: web
  ports:
  - name: http
    port: ${port}
    targetPort: 8080
`;

describe.each(kubectls)('$name', (k) => {
  const env = simWithKubectl(k);
  const kubectl = env.kubectl;
  let sim: KubeSim;
  beforeAll(() => {
    sim = env.sim();
  });

  it('lists resources (api-resources) from discovery', async () => {
    const r = await kubectl(['api-resources']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const line of [/^services\s+svc\s+v1\s+true\s+Service$/m, /^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m, /^customresourcedefinitions\s+crd,crds\s+apiextensions\.k8s\.io\/v1\s+false\s+CustomResourceDefinition$/m]) {
      expect(r.stdout).toMatch(line);
    }
  });

  it('creates with generator commands (protobuf bodies) and from files', async () => {
    expect((await kubectl(['create', 'namespace', 'demo'])).stdout).toBe('namespace/demo created\n');
    expect((await kubectl(['create', 'configmap', 'cm', '--from-literal=a=b', '-n', 'demo'])).stdout).toBe('configmap/cm created\n');
    const svc = await kubectl(['create', '-f', '-', '-n', 'demo'], service(80));
    expect(svc).toMatchObject({ code: 0, stdout: 'service/web created\n' });
    const again = await kubectl(['create', '-f', '-', '-n', 'demo'], service(80));
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('Error from server (AlreadyExists)');
    expect(again.stderr).toContain('services "web" already exists');
  });

  it('prints server-side tables', async () => {
    const r = await kubectl(['get', 'svc', '-n', 'demo']);
    expect(r.code).toBe(0);
    const [header, row] = r.stdout.trim().split('\n');
    expect(header?.split(/\s{2,}/)).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    expect(row).toMatch(/^web\s+LoadBalancer\s+10\.\d+\.\d+\.\d+\s+<pending>\s+80:3\d{4}\/TCP\s+\d+s$/);
    const wide = await kubectl(['get', 'svc', 'web', '-n', 'demo', '-o', 'wide', '--show-labels']);
    expect(wide.stdout).toMatch(/SELECTOR\s+LABELS/);
    expect(wide.stdout).toMatch(/app=web\s+release=v1/);
    const ns = await kubectl(['get', 'ns']);
    expect(ns.stdout).toMatch(/^demo\s+Active\s+\d+s$/m);
  });

  it('applies client-side: create, unchanged, then configured with a change', async () => {
    const first = await kubectl(['apply', '-f', '-', '-n', 'demo'], service(80).replace('name: web', 'name: applied'));
    expect(first).toMatchObject({ code: 0, stdout: 'service/applied created\n' });
    const rv = sim.store.get('services', 'applied', 'demo')?.metadata?.resourceVersion;
    const second = await kubectl(['apply', '-f', '-', '-n', 'demo'], service(80).replace('name: web', 'name: applied'));
    expect(second).toMatchObject({ code: 0, stdout: 'service/applied unchanged\n' });
    expect(sim.store.get('services', 'applied', 'demo')?.metadata?.resourceVersion).toBe(rv);
    const third = await kubectl(['apply', '-f', '-', '-n', 'demo'], service(81, 'v2').replace('name: web', 'name: applied'));
    expect(third).toMatchObject({ code: 0, stdout: 'service/applied configured\n' });
    const stored = sim.store.get('services', 'applied', 'demo');
    expect(stored?.metadata?.labels).toEqual({ release: 'v2' });
    expect(stored?.['spec']).toMatchObject({ ports: [{ name: 'http', port: 81, targetPort: 8080, protocol: 'TCP' }] });
  });

  it('patches (merge, json, strategic, status subresource), labels and annotates', async () => {
    const steps: Array<[string[], string]> = [
      [['patch', 'svc', 'web', '-n', 'demo', '--type', 'merge', '-p', '{"spec":{"sessionAffinity":"ClientIP"}}'], 'service/web patched\n'],
      [['patch', 'svc', 'web', '-n', 'demo', '--type', 'json', '-p', '[{"op":"add","path":"/metadata/labels/j","value":"k"}]'], 'service/web patched\n'],
      [['patch', 'svc', 'web', '-n', 'demo', '-p', '{"spec":{"ports":[{"port":443,"targetPort":8443}]}}'], 'service/web patched\n'],
      [['patch', 'svc', 'web', '-n', 'demo', '--subresource=status', '--type', 'merge', '-p', '{"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.7"}]}}}'], 'service/web patched\n'],
      [['label', 'svc', 'web', '-n', 'demo', 'tier=front'], 'service/web labeled\n'],
      [['annotate', 'svc', 'web', '-n', 'demo', 'note=hello'], 'service/web annotated\n'],
      [['label', 'svc', 'web', '-n', 'demo', 'tier-'], 'service/web unlabeled\n'],
    ];
    for (const [args, out] of steps) expect(await kubectl(args)).toMatchObject({ code: 0, stdout: out });
    expect(steps.length).toBeGreaterThan(0);
    const svc = sim.store.get('services', 'web', 'demo');
    expect(svc?.metadata?.labels).toEqual({ release: 'v1', j: 'k' });
    expect(svc?.metadata?.annotations).toEqual({ note: 'hello' });
    expect(svc?.['spec']).toMatchObject({ sessionAffinity: 'ClientIP', ports: [{ port: 80 }, { port: 443, targetPort: 8443 }] });
    expect(svc?.['status']).toEqual({ loadBalancer: { ingress: [{ ip: '192.0.2.7' }] } });
    const table = await kubectl(['get', 'svc', 'web', '-n', 'demo']);
    expect(table.stdout).toMatch(/web\s+LoadBalancer\s+\S+\s+192\.0\.2\.7\s+80:\d+\/TCP,443:\d+\/TCP/);
    const failed = await kubectl(['patch', 'svc', 'web', '-n', 'demo', '--type', 'json', '-p', '[{"op":"test","path":"/spec/type","value":"ClusterIP"}]']);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain('the test operation failed');
  });

  it('watches with get -w, seeing changes as they happen', async () => {
    const child = spawn(k.path, [`--kubeconfig=${sim.kubeconfigPath}`, 'get', 'configmaps', '-n', 'demo', '-w', '--output-watch-events'], { env: { ...process.env, HOME: '/tmp' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await eventually(() => /ADDED\s+cm\s+1/.test(out), 'the initial ADDED line');
      await sim.store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later', namespace: 'demo' }, data: { x: 'y', z: 'w' } });
      await eventually(() => /ADDED\s+later\s+2/.test(out), 'a new object');
      // kubectl 1.35 adds "from demo namespace".
      expect((await kubectl(['delete', 'configmap', 'later', '-n', 'demo'])).stdout).toMatch(/^configmap "later" deleted( from demo namespace)?\n$/);
      await eventually(() => /DELETED\s+later/.test(out), 'the deletion');
    } finally {
      child.kill();
    }
  });

  it('deletes, and reports NotFound the way kubectl expects', async () => {
    const deleted = await kubectl(['delete', 'svc', 'web', '-n', 'demo']);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(/^service "web" deleted( from demo namespace)?\n$/);
    const missing = await kubectl(['get', 'svc', 'web', '-n', 'demo']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toBe('Error from server (NotFound): services "web" not found\n');
  });

  it('refuses a wrong token', async () => {
    const bad = sim.kubeconfig.replace(sim.token, 'wrong-token');
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const file = join(tempDir('kube-sim-bad-'), 'kubeconfig');
    writeFileSync(file, bad);
    const r = await runKubectl(k, { ...sim, kubeconfigPath: file }, ['get', 'ns']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Unauthorized|provide credentials/);
  });
});
