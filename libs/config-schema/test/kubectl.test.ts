// Our generated CRDs installed with real kubectl into kube-sim (the workspace's in-memory API
// server): the kinds are served, MetalLB's samples and the seed examples apply, printer columns
// and defaults show, and objects breaking the schema are refused with the field named.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, type KubeSim } from '@lb/kube-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDir, workspaceRoot } from './helpers.js';

const kubectlPath = join(workspaceRoot, '.bin', 'kubectl');
const crdDir = join(workspaceRoot, 'charts', 'lb', 'crds');
const samplesDir = join(sharedDir, 'reference', 'metallb-configsamples');
const fixtures = join(import.meta.dirname, '..', '..', '..', 'examples');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('generated CRDs with kubectl and kube-sim', () => {
  let sim: KubeSim;
  let cacheDir: string;

  const kubectl = (args: readonly string[], input?: string): Promise<Run> =>
    new Promise((resolve) => {
      const child = execFile(
        kubectlPath,
        [`--kubeconfig=${sim.kubeconfigPath}`, `--cache-dir=${cacheDir}`, ...args],
        { timeout: 20_000, env: { ...process.env, HOME: cacheDir, KUBECONFIG: sim.kubeconfigPath } },
        (error, stdout, stderr) => {
          const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (input !== undefined) child.stdin?.end(input);
    });

  beforeAll(async () => {
    if (!existsSync(kubectlPath)) throw new Error(`kubectl is not at ${kubectlPath}: run tools/bootstrap.sh (npm test does) to fetch it`);
    cacheDir = mkdtempSync(join(tmpdir(), 'config-schema-kubectl-'));
    sim = await start();
  });
  afterAll(async () => {
    await sim?.stop();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  it('installs every CRD and serves its kinds', async () => {
    const applied = await kubectl(['apply', '-f', crdDir]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout.trim().split('\n')).toHaveLength(readdirSync(crdDir).length);
    const metallb = await kubectl(['api-resources', '--api-group=metallb.io', '-o', 'name']);
    expect(metallb.stdout.trim().split('\n').sort()).toEqual(
      ['bfdprofiles', 'bgpadvertisements', 'bgppeers', 'communities', 'configurationstates', 'ipaddresspools', 'l2advertisements', 'servicebgpstatuses', 'servicel2statuses'].map((p) => `${p}.metallb.io`),
    );
    const deckhouse = await kubectl(['api-resources', '--api-group=network.deckhouse.io', '-o', 'name']);
    expect(deckhouse.stdout.trim()).toBe('metalloadbalancerclasses.network.deckhouse.io');
    for (const namespace of ['metallb-system', 'shop']) expect((await kubectl(['create', 'namespace', namespace])).code).toBe(0);
  });

  it("applies every one of MetalLB's configuration samples", async () => {
    const samples = readdirSync(samplesDir).filter((f) => f.endsWith('.yaml'));
    expect(samples.length).toBeGreaterThan(10);
    for (const file of samples) {
      const result = await kubectl(['apply', '-f', join(samplesDir, file)]);
      expect({ file, code: result.code, stderr: result.stderr }).toEqual({ file, code: 0, stderr: '' });
    }
  });

  it('applies the seed examples and the MetalLoadBalancerClass example', async () => {
    const seedFiles = readdirSync(join(fixtures, 'seeds')).filter((f) => f.endsWith('.yaml'));
    expect(seedFiles.length).toBeGreaterThan(10);
    for (const file of [...seedFiles.map((f) => join(fixtures, 'seeds', f)), join(fixtures, 'classes', 'ingress-class.yaml')]) {
      const result = await kubectl(['apply', '-f', file]);
      expect({ file, code: result.code, stderr: result.stderr }).toEqual({ file, code: 0, stderr: '' });
    }
  });

  it('prints our printer columns', async () => {
    const pools = await kubectl(['get', 'ipaddresspools', '-n', 'metallb-system']);
    expect(pools.stdout.split('\n')[0]?.split(/\s{2,}/)).toEqual(['NAME', 'AUTO ASSIGN', 'AVOID BUGGY IPS', 'ADDRESSES']);
    const classes = await kubectl(['get', 'metalloadbalancerclasses']);
    expect(classes.stdout.split('\n')[0]?.split(/\s{2,}/)).toEqual(['NAME', 'DEFAULT', 'TYPE', 'ADDRESSES']);
    expect(classes.stdout).toContain('ingress');
  });

  it('applies the schema defaults', async () => {
    const peer = await kubectl(['get', 'bgppeers.v1beta2.metallb.io', 'peer', '-n', 'metallb-system', '-o', 'json']);
    expect(peer.code).toBe(0);
    const spec = (JSON.parse(peer.stdout) as { spec: Record<string, unknown> }).spec;
    expect(spec).toEqual(expect.objectContaining({ peerPort: 179, dualStackAddressFamily: false, disableMP: false }));
  });

  const refused: Array<[string, unknown, RegExp]> = [
    ['peerPort 0', { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'bad-port', namespace: 'metallb-system' }, spec: { myASN: 1, peerASN: 2, peerAddress: '10.0.0.1', peerPort: 0 } }, /spec\.peerPort/],
    ['dynamicASN outside its enum', { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'bad-dyn', namespace: 'metallb-system' }, spec: { myASN: 1, dynamicASN: 'both', peerAddress: '10.0.0.1' } }, /spec\.dynamicASN/],
    ['BFD multiplier 1', { apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: { name: 'bad-bfd', namespace: 'metallb-system' }, spec: { detectMultiplier: 1 } }, /spec\.detectMultiplier/],
    ['a pool without addresses', { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'bad-pool', namespace: 'metallb-system' }, spec: {} }, /spec\.addresses/],
    ['a class of another type', { apiVersion: 'network.deckhouse.io/v1alpha1', kind: 'MetalLoadBalancerClass', metadata: { name: 'bad-class' }, spec: { type: 'BGP' } }, /spec\.type/],
  ];
  it('has refusals to try', () => expect(refused.length).toBeGreaterThan(0));

  it.each(refused)('refuses %s, naming the field', async (_what, object, field) => {
    const result = await kubectl(['apply', '-f', '-'], JSON.stringify(object));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(field);
  });

  it('refuses changing enableGracefulRestart', async () => {
    const peer = (value: boolean) => JSON.stringify({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'gr', namespace: 'metallb-system' }, spec: { myASN: 1, peerASN: 2, peerAddress: '10.0.0.7', enableGracefulRestart: value } });
    expect((await kubectl(['apply', '-f', '-'], peer(true))).code).toBe(0);
    const changed = await kubectl(['apply', '-f', '-'], peer(false));
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toMatch(/enableGracefulRestart/);
  });

  it('reads back the seed pools as applied', async () => {
    const pool = await kubectl(['get', 'ipaddresspool', 'example', '-n', 'metallb-system', '-o', 'json']);
    const spec = (JSON.parse(pool.stdout) as { spec: unknown }).spec;
    expect(spec).toEqual({ addresses: ['192.168.10.0/24', '192.168.9.1-192.168.9.5', 'fc00:f853:0ccd:e799::/124'], autoAssign: true, avoidBuggyIPs: false });
    expect(readFileSync(join(fixtures, 'seeds', '002-01-pool-three-ranges.yaml'), 'utf8')).toContain('fc00:f853:0ccd:e799::/124');
  });
});
