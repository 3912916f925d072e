// Real helm v4 (from .bin/, as tools/bootstrap.sh fetches it) against kube-sim: a chart with a CRD,
// a custom resource and core and apps objects installs, and `helm uninstall` removes every object
// of the release and the release's own Secrets (deleted by client-go's typed client, whose
// DeleteOptions body is protobuf), keeps what the chart marks `helm.sh/resource-policy: keep`,
// and leaves the CRD, as helm does.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeSim, start } from '../src/index.js';
import { tempDir, workspaceRoot } from './helpers.js';

const helmBin = join(workspaceRoot, '.bin', 'helm');

const chart: Record<string, string> = {
  'Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 0.1.0\n',
  'crds/widgets.yaml': `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: { kind: Widget, plural: widgets, singular: widget, listKind: WidgetList }
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: { type: object, properties: { size: { type: integer } } }
`,
  'templates/objects.yaml': `apiVersion: v1
kind: ConfigMap
metadata: { name: {{ .Release.Name }}-settings }
data: { a: b }
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}-kept
  annotations: { helm.sh/resource-policy: keep }
stringData: { key: value }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: {{ .Release.Name }} }
---
apiVersion: v1
kind: Service
metadata: { name: {{ .Release.Name }} }
spec:
  selector: { app: demo }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: {{ .Release.Name }} }
spec:
  selector: { matchLabels: { app: demo } }
  template:
    metadata: { labels: { app: demo } }
    spec:
      containers: [{ name: demo, image: demo:1 }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: {{ .Release.Name }}-reader }
rules: [{ apiGroups: [""], resources: [configmaps], verbs: [get] }]
---
apiVersion: example.com/v1
kind: Widget
metadata: { name: {{ .Release.Name }} }
spec: { size: 3 }
`,
};

function run(bin: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr });
    });
  });
}

describe('helm v4', () => {
  let sim: KubeSim;
  let env: NodeJS.ProcessEnv;
  let chartDir: string;
  const helm = (args: readonly string[]): ReturnType<typeof run> => run(helmBin, args, env);
  const names = (resource: string, namespace?: string): string[] => sim.store.list(resource, namespace).map((o) => String(o.metadata?.name));

  beforeAll(async () => {
    if (!existsSync(helmBin)) throw new Error(`helm not found at ${helmBin}: run \`node tools/scripts/fetch-k8s-binaries.mjs\` (or \`npm test\`, which bootstraps it)`);
    sim = await start();
    const dir = tempDir('kube-sim-helm-');
    chartDir = join(dir, 'chart');
    for (const [file, text] of Object.entries(chart)) {
      mkdirSync(join(chartDir, file, '..'), { recursive: true });
      writeFileSync(join(chartDir, file), text);
    }
    env = { ...process.env, KUBECONFIG: sim.kubeconfigPath, HELM_CACHE_HOME: join(dir, 'cache'), HELM_CONFIG_HOME: join(dir, 'config'), HELM_DATA_HOME: join(dir, 'data') };
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('installs a chart with a CRD and a custom resource', async () => {
    // kube-sim has no server-side apply; helm 4 then needs --server-side=false.
    const r = await helm(['install', 'demo', chartDir, '-n', 'default', '--server-side=false']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(names('widgets.example.com', 'default')).toEqual(['demo']);
    expect(names('secrets', 'default').sort()).toEqual(['demo-kept', 'sh.helm.release.v1.demo.v1']);
  });

  it('uninstalls: every object and the release Secrets gone, the kept Secret and the CRD left', async () => {
    const r = await helm(['uninstall', 'demo', '-n', 'default']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/These resources were kept due to the resource policy:\n\[Secret\] demo-kept/);
    expect(r.stdout).toMatch(/release "demo" uninstalled/);
    expect(names('secrets', 'default')).toEqual(['demo-kept']);
    for (const resource of ['configmaps', 'serviceaccounts', 'services', 'deployments.apps', 'widgets.example.com']) expect(names(resource, 'default'), resource).toEqual([]);
    expect(names('clusterroles.rbac.authorization.k8s.io')).toEqual([]);
    expect(names('customresourcedefinitions.apiextensions.k8s.io')).toEqual(['widgets.example.com']);
    expect((await helm(['list', '-n', 'default', '-q'])).stdout.trim()).toBe('');
  });
});
