// MetalLB's own CRDs, its published configuration samples and the examples in the seed documents,
// applied with real kubectl; an object breaking a CRD's schema or one of its CEL rules is refused,
// naming the field.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { type KubeSim } from '../src/index.js';
import { kubectls, simWithKubectl, tempDir } from './helpers.js';
import { extractExamples, type Schema } from './seeds.js';
import { sharedDir } from '@lb/testdata';

const shared = sharedDir();
const crdDir = join(shared, 'reference', 'metallb-crds');
const samplesDir = join(shared, 'reference', 'metallb-configsamples');
const seedsDir = join(shared, 'seeds');

function crdSchemas(): Map<string, Schema> {
  const schemas = new Map<string, Schema>();
  for (const file of readdirSync(crdDir)) {
    for (const doc of parseAllDocuments(readFileSync(join(crdDir, file), 'utf8'))) {
      const crd = doc.toJS() as { spec: { group: string; names: { kind: string }; versions: Array<{ name: string; schema: { openAPIV3Schema: Schema } }> } };
      for (const v of crd.spec.versions) schemas.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, v.schema.openAPIV3Schema);
    }
  }
  return schemas;
}

describe.each(kubectls)('MetalLB configuration with $name', (k) => {
  const env = simWithKubectl(k);
  const kubectl = env.kubectl;
  let sim: KubeSim;
  beforeAll(() => {
    sim = env.sim();
  });

  it('applies every MetalLB CRD and serves its kinds', async () => {
    const r = await kubectl(['apply', '-f', crdDir]);
    expect(r.stderr).toBe('');
    const files = readdirSync(crdDir);
    expect(files.length).toBeGreaterThan(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(files.length);
    const resources = await kubectl(['api-resources', '--api-group=metallb.io', '-o', 'name']);
    expect(resources.stdout.trim().split('\n').sort()).toEqual(
      ['bfdprofiles', 'bgpadvertisements', 'bgppeers', 'communities', 'configurationstates', 'ipaddresspools', 'l2advertisements', 'servicebgpstatuses', 'servicel2statuses'].map((p) => `${p}.metallb.io`),
    );
    expect((await kubectl(['create', 'namespace', 'metallb-system'])).code).toBe(0);
  });

  it('accepts every configuration sample', async () => {
    const samples = readdirSync(samplesDir).filter((f) => f.endsWith('.yaml'));
    expect(samples.length).toBeGreaterThan(0);
    for (const file of samples) {
      const r = await kubectl(['apply', '-f', join(samplesDir, file)]);
      expect({ file, code: r.code, stderr: r.stderr }).toEqual({ file, code: 0, stderr: '' });
    }
    const pools = await kubectl(['get', 'ipaddresspools', '-n', 'metallb-system']);
    expect(pools.stdout.split('\n')[0]?.split(/\s{2,}/)).toEqual(['NAME', 'AUTO ASSIGN', 'AVOID BUGGY IPS', 'ADDRESSES']);
  });

  it('accepts every example in the seed documents, including seed 001’s reversed range', async () => {
    const schemas = crdSchemas();
    const examples = readdirSync(seedsDir).flatMap((f) => extractExamples(readFileSync(join(seedsDir, f), 'utf8'), f, (a, kind) => schemas.get(`${a}/${kind}`)));
    expect(examples.length).toBeGreaterThan(0);
    // Seeds 000 and 001 keep their indentation, 002 lost it, 004 ran onto one line; 003 has no YAML.
    const perSeed = (prefix: string): number => examples.filter((e) => e.source.startsWith(prefix)).length;
    expect([perSeed('000'), perSeed('001'), perSeed('002'), perSeed('003'), perSeed('004')]).toEqual([2, 3, 14, 0, 1]);
    const namespaces = new Set(examples.map((e) => (e.object['metadata'] as { namespace?: string }).namespace ?? 'default'));
    for (const ns of namespaces) await kubectl(['create', 'namespace', ns]);
    for (const e of examples) {
      const r = await kubectl(['apply', '-f', '-'], JSON.stringify(e.object));
      expect({ source: e.source, code: r.code, stderr: r.stderr }).toEqual({ source: e.source, code: 0, stderr: '' });
    }
    // The CRD schema accepts 172.16.16.150-172.16.16.20; only MetalLB's webhook would refuse it.
    expect(sim.store.get('ipaddresspools.metallb.io', 'cheap', 'metallb-system')?.['spec']).toEqual({ addresses: ['172.16.16.150-172.16.16.20'], autoAssign: true, avoidBuggyIPs: false });
  });

  it('refuses an object that breaks the schema, naming the field', async () => {
    const peer = { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'bad', namespace: 'metallb-system' }, spec: { myASN: '64512', peerASN: 64512, peerAddress: '10.0.0.1' } };
    const r = await kubectl(['apply', '-f', '-'], JSON.stringify(peer));
    expect(r.code).not.toBe(0);
    // kubectl rebuilds the message from the Status details: `The BGPPeer "bad" is invalid: ...`.
    expect(r.stderr).toContain('BGPPeer "bad" is invalid: spec.myASN: Invalid value: "string": spec.myASN in body must be of type integer: "string"');
    const dir = tempDir('kube-sim-bad-');
    writeFileSync(join(dir, 'pool.yaml'), 'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: bad\n  namespace: metallb-system\nspec:\n  addresses: 10.0.0.0/24\n  autoAssign: "yes"\n');
    const pool = await kubectl(['create', '-f', join(dir, 'pool.yaml')]);
    expect(pool.code).not.toBe(0);
    expect(pool.stderr).toContain('spec.addresses: Invalid value: "string": spec.addresses in body must be of type array: "string"');
    expect(pool.stderr).toContain('spec.autoAssign: Invalid value: "string": spec.autoAssign in body must be of type boolean: "string"');
  });

  it("refuses an object that breaks one of MetalLB's CEL rules, with the rule's message", async () => {
    const ns = 'metallb-system';
    const advertisement = { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'agg', namespace: ns }, spec: { aggregationLength: 24, serviceSelectors: [{ matchLabels: { app: 'web' } }] } };
    const refused = await kubectl(['apply', '-f', '-'], JSON.stringify(advertisement));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'BGPAdvertisement "agg" is invalid: spec: Invalid value: "object": serviceSelectors and aggregationLength are mutually exclusive, can only be used together with default aggregationLength (32) and aggregationLengthV6 (128)',
    );
    expect(sim.store.get('bgpadvertisements.metallb.io', 'agg', ns)).toBeUndefined();

    const peer = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name, namespace: ns }, spec: { myASN: 64512, peerASN: 64513, peerAddress: '10.0.0.2', ...spec } });
    const slow = await kubectl(['apply', '-f', '-'], JSON.stringify(peer('slow', { connectTime: '1500ms' })));
    expect(slow.code).not.toBe(0);
    expect(slow.stderr).toContain('BGPPeer "slow" is invalid: spec.connectTime: Invalid value: "string": connect time should contain a whole number of seconds');

    // A transition rule (self == oldSelf): the update is refused, the stored object unchanged.
    expect((await kubectl(['apply', '-f', '-'], JSON.stringify(peer('gr', { enableGracefulRestart: true })))).code).toBe(0);
    const changed = await kubectl(['apply', '-f', '-'], JSON.stringify(peer('gr', { enableGracefulRestart: false })));
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toContain('BGPPeer "gr" is invalid: spec.enableGracefulRestart: Invalid value: "boolean": EnableGracefulRestart cannot be changed after creation');
    expect((sim.store.get('bgppeers.metallb.io', 'gr', ns)?.['spec'] as { enableGracefulRestart?: boolean }).enableGracefulRestart).toBe(true);
  });
});
