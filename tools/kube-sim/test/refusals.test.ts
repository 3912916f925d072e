// Issue 14's probes, through kubectl 1.35 and @kubernetes/client-node: what a hostile or unlucky
// client sends is refused (or handled) as kube-apiserver does, and nothing it sends reaches
// Object.prototype. Each of these failed before the fix (see the issue for what was seen).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeSim, start } from '../src/index.js';
import { kubectls, requireKubectl, runKubectl, tempDir, workspaceRoot } from './helpers.js';

const kubectl135 = kubectls[1]!;
const crds = join(workspaceRoot, 'charts', 'lb', 'crds');

describe('refusals kube-apiserver makes, through kubectl and client-node', () => {
  let sim: KubeSim;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  let dir: string;
  const kubectl = (args: string[], input?: string) => runKubectl(kubectl135, sim, args, input, 20_000);
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(async () => {
    requireKubectl(kubectl135);
    sim = await start({ files: [join(crds, 'metallb.io_ipaddresspools.yaml')] });
    const kc = new KubeConfig();
    kc.loadFromFile(sim.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    dir = tempDir('kube-sim-refusals-');
    await sim.store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'target', namespace: 'default' }, data: { a: 'b' } });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  describe('patches that name prototypes', () => {
    it('a JSON patch to /__proto__/polluted is a 422 and pollutes nothing; metallb.io applies still work', async () => {
      const r = await kubectl(['patch', 'configmap', 'target', '--type', 'json', '-p', '[{"op":"add","path":"/__proto__/polluted","value":"yes"}]']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('doc is missing path: "/__proto__/polluted"');
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      const pool = 'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: after, namespace: default}\nspec: {addresses: [192.0.2.0/28]}\n';
      expect(await kubectl(['apply', '-f', '-'], pool)).toMatchObject({ code: 0, stdout: 'ipaddresspool.metallb.io/after created\n' });
    });

    it('merge and strategic patches naming __proto__ or constructor set fields of those names, not prototypes', async () => {
      for (const type of ['merge', 'strategic']) {
        const r = await kubectl(['patch', 'configmap', 'target', '--type', type, '-p', '{"data":{"__proto__":"p","constructor":"c"},"metadata":{"labels":{"constructor":"x"}}}']);
        expect(r, type).toMatchObject({ code: 0 });
      }
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      const stored = sim.store.get('configmaps', 'target', 'default');
      expect(Object.getPrototypeOf(stored?.['data'])).toBe(Object.prototype);
      expect(JSON.parse(JSON.stringify(stored?.['data']))).toEqual(JSON.parse('{"a":"b","__proto__":"p","constructor":"c"}'));
      expect(stored?.metadata?.labels).toEqual({ constructor: 'x' });
    });

    it('client-node: a JSON patch to /constructor/prototype is a 422', async () => {
      const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
      const err = await core
        .patchNamespacedConfigMap({ name: 'target', namespace: 'default', body: [{ op: 'add', path: '/constructor/prototype/polluted', value: 'yes' }] }, jsonPatch)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiException);
      expect((err as ApiException<string>).code).toBe(422);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });
  });

  describe('field validation of built-in kinds', () => {
    const typo = 'apiVersion: v1\nkind: Service\nmetadata: {name: typo}\nspec:\n  type: LoadBalancer\n  loadBalancerIp: 192.0.2.10\n  ports: [{port: 80}]\n';

    it('Strict (kubectl’s default) refuses an unknown field, naming it', async () => {
      const r = await kubectl(['create', '-f', '-'], typo);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.loadBalancerIp"');
      expect(sim.store.get('services', 'typo', 'default')).toBeUndefined();
    });

    it('Warn stores the object without the field and says so; Ignore stores it silently', async () => {
      const warn = await kubectl(['create', '--validate=warn', '-f', '-'], typo);
      expect(warn).toMatchObject({ code: 0, stdout: 'service/typo created\n' });
      expect(warn.stderr).toContain('Warning: unknown field "spec.loadBalancerIp"');
      expect(sim.store.get('services', 'typo', 'default')?.['spec']).not.toHaveProperty('loadBalancerIp');
      const ignore = await kubectl(['create', '--validate=false', '-f', '-'], typo.replace('name: typo', 'name: typo2'));
      expect(ignore).toMatchObject({ code: 0, stdout: 'service/typo2 created\n', stderr: '' });
      expect(sim.store.get('services', 'typo2', 'default')?.['spec']).not.toHaveProperty('loadBalancerIp');
    });

    it('Strict refuses a duplicate field; a wrong type is a decoding error whatever the mode', async () => {
      const dup = file('dup.json', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup","name":"dup"}}');
      const r = await kubectl(['create', '--raw', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', '-f', dup]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "metadata.name"');
      const wrong = file('wrong.json', '{"apiVersion":"v1","kind":"Service","metadata":{"name":"w"},"spec":{"ports":[{"port":"http"}]}}');
      const w = await kubectl(['create', '--raw', '/api/v1/namespaces/default/services?fieldValidation=Ignore', '-f', wrong]);
      expect(w.stderr).toContain('json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32');
    });

    it('client-node: fieldValidation=Strict is a 400 for custom resources too, metadata included', async () => {
      const body = { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'cn', colour: 'red' }, spec: { addresses: ['192.0.2.0/28'], autoAssign: true, avoidBuggyIps: true } };
      const err = await custom.createNamespacedCustomObject({ group: 'metallb.io', version: 'v1beta1', namespace: 'default', plural: 'ipaddresspools', body, fieldValidation: 'Strict' }).catch((e: unknown) => e);
      expect((err as ApiException<string>).code).toBe(400);
      expect(String((err as ApiException<string>).body)).toContain('strict decoding error: unknown field \\"metadata.colour\\", unknown field \\"spec.avoidBuggyIps\\"');
      const warned = await custom.createNamespacedCustomObject({ group: 'metallb.io', version: 'v1beta1', namespace: 'default', plural: 'ipaddresspools', body });
      expect((warned as { spec: object }).spec).toEqual({ addresses: ['192.0.2.0/28'], autoAssign: true, avoidBuggyIPs: false });
    });
  });

  describe('CRDs with broken schemas are refused up front', () => {
    const crd = (schema: string): string => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: things, kind: Thing}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: ${schema}
`;
    const at = 'spec.versions[0].schema.openAPIV3Schema';
    const cases: Array<[string, string, string]> = [
      ['an unknown type', '{type: object, properties: {spec: {type: notatype}}}', `${at}.properties[spec].type: Unsupported value: "notatype"`],
      ['a schema that is a string', 'just-a-string', 'cannot unmarshal string into Go struct field CustomResourceValidation.spec.versions.schema.openAPIV3Schema of type v1.JSONSchemaProps'],
      ['a non-object root', '{type: string}', `${at}.type: Invalid value: "string": must be object at the root`],
      ['an unclosed regex', '{type: object, properties: {spec: {type: string, pattern: "[a-"}}}', "must be a valid regular expression, but isn't: error parsing regexp: missing closing ]"],
      ['a CEL rule that does not compile', '{type: object, properties: {spec: {type: object, x-kubernetes-validations: [{rule: "self.a >"}]}}}', `${at}.properties[spec].x-kubernetes-validations[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.a >"`],
      ['$ref', '{type: object, properties: {spec: {type: object, $ref: "#/definitions/x"}}}', `${at}.properties[spec].$ref: Forbidden: $ref is not supported`],
    ];
    it.each(cases)('%s', async (_name, schema, message) => {
      const r = await kubectl(['apply', '-f', '-'], crd(schema));
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(message);
      expect(sim.store.get('customresourcedefinitions', 'things.example.com')).toBeUndefined();
      const obj = await kubectl(['apply', '--validate=false', '-f', '-'], 'apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\n');
      expect(obj.stderr).toContain('no matches for kind "Thing"');
    });
    it('ran the table', () => expect(cases.length).toBeGreaterThan(0));
  });

  describe('limits', () => {
    it('JSON nested 5,000 deep is a 400 naming the limit, and the server goes on serving', async () => {
      const deep = file('deep.json', `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`);
      const r = await kubectl(['create', '--raw', '/api/v1/namespaces/default/configmaps', '-f', deep]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('Error from server (BadRequest): ConfigMap in version "v1" cannot be handled as a ConfigMap: exceeded max depth of 1000');
      expect((await kubectl(['get', 'ns', 'default', '-o', 'name'])).stdout).toBe('namespace/default\n');
    });

    it('a body over 3 MiB is a 413', async () => {
      const big = file('big.json', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(3 * 1024 * 1024) } }));
      const r = await kubectl(['create', '--raw', '/api/v1/namespaces/default/configmaps', '-f', big]);
      expect(r.stderr).toContain('Request entity too large: limit is 3145728');
    });
  });

  describe('query parameters', () => {
    it('timeoutSeconds=-5 ends a watch at once; timeoutSeconds=abc is a 400', async () => {
      const t0 = performance.now();
      const r = await kubectl(['get', '--raw', `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${sim.store.resourceVersion}&timeoutSeconds=-5`]);
      expect(r).toMatchObject({ code: 0, stdout: '' });
      expect(performance.now() - t0).toBeLessThan(10_000);
      const abc = await kubectl(['get', '--raw', '/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=abc']);
      expect(abc.code).not.toBe(0);
      expect(abc.stderr).toContain('strconv.ParseInt: parsing "abc": invalid syntax');
    });

    it('resourceVersionMatch=garbage is a 422 naming the supported values', async () => {
      const r = await kubectl(['get', '--raw', '/api/v1/namespaces/default/configmaps?resourceVersion=1&resourceVersionMatch=garbage']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('resourceVersionMatch: Unsupported value: "garbage": supported values: "Exact", "NotOlderThan", ""');
      const watch = await kubectl(['get', '--raw', '/api/v1/namespaces/default/configmaps?watch=1&resourceVersionMatch=NotOlderThan']);
      expect(watch.stderr).toContain('resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
    });

    it('a watch from a future resourceVersion ends after 3 s with 504 Too large resource version; a list gets the same as a status', async () => {
      const future = sim.store.resourceVersion + 1000;
      const r = await kubectl(['get', '--raw', `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${future}`]);
      const event = JSON.parse(r.stdout) as { type: string; object: { code: number; reason: string; message: string; details: unknown } };
      expect(event).toMatchObject({ type: 'ERROR', object: { code: 504, reason: 'Timeout', details: { causes: [{ reason: 'ResourceVersionTooLarge' }], retryAfterSeconds: 1 } } });
      expect(event.object.message).toContain(`Too large resource version: ${future}, current: `);
      const err = await core.listNamespacedConfigMap({ namespace: 'default', resourceVersion: String(future) }).catch((e: unknown) => e);
      expect((err as ApiException<string>).code).toBe(504);
    });

    it('a watch from a resourceVersion reached while it waits starts normally', async () => {
      const next = sim.store.resourceVersion + 1;
      const watching = kubectl(['get', '--raw', `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${next - 1 + 1}&timeoutSeconds=2`]);
      await new Promise((r) => setTimeout(r, 300));
      await sim.store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'arrives', namespace: 'default' } });
      await sim.store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after', namespace: 'default' } });
      const r = await watching;
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('"name":"after"');
      expect(r.stdout).not.toContain('"ERROR"');
    });

    it('server-side apply (application/apply-patch+yaml) is a 415, as the README says', async () => {
      const r = await kubectl(['apply', '--server-side', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa, namespace: default}\n');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/UnsupportedMediaType|unknown format/);
    });
  });
});
