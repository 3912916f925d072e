// lbctl end to end: kube-sim, the controller's binary and lbctl's binary as real processes. The
// speaker's status objects (ServiceL2Status, BGPSessionState) and speaker Pods are created in
// kube-sim directly, as the speaker contract says the speaker writes them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type KubeSim, type Obj } from '@lb/kube-sim';
import { TestBed, lbctl, repoRoot, waitFor } from './harness.js';

const NS = 'metallb-system';
const bed = new TestBed();
let sim: KubeSim;
let kubeconfig: string;

type Svc = Obj & { status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } } };
const addressesOf = (ns: string, name: string): string[] => ((sim.store.get('services', name, ns) as Svc | undefined)?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');
const service = (ns: string, name: string, extra: { annotations?: Record<string, string>; loadBalancerClass?: string } = {}): object => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
  spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], ...(extra.loadBalancerClass ? { loadBalancerClass: extra.loadBalancerClass } : {}) },
});
/** Services refused, each for its own reason (the key of each pool's refusal in the comment). */
const REFUSED: Record<string, (held: string) => Record<string, string>> = {
  // AddressInUse: an address another Service holds.
  taken: (held) => ({ 'metallb.io/loadBalancerIPs': held }),
  // PoolNotAllowed: the pool serves namespace b only.
  denied: () => ({ 'metallb.io/address-pool': 'restricted' }),
  // AddressNotInAnyPool.
  outside: () => ({ 'metallb.io/loadBalancerIPs': '192.0.2.1' }),
  // SharingKeyMismatch with a/share-1.
  'share-2': () => ({ 'metallb.io/address-pool': 'shared', 'metallb.io/loadBalancerIPs': '10.10.2.1', 'metallb.io/allow-shared-ip': 'k2' }),
  // PortInUse: same key as a/share-1, same port.
  'share-3': () => ({ 'metallb.io/address-pool': 'shared', 'metallb.io/loadBalancerIPs': '10.10.2.1', 'metallb.io/allow-shared-ip': 'k1' }),
  // An annotation that is not an address.
  malformed: () => ({ 'metallb.io/loadBalancerIPs': 'not-an-ip' }),
};

type EventLike = { reason?: string; message?: string; involvedObject?: { name?: string } };
/** The controller's AllocationFailed message about a/NAME, without its "Failed to allocate" tail. */
const failureOf = (name: string): string | undefined =>
  (sim.store.list('events', 'a') as EventLike[]).find((e) => e.reason === 'AllocationFailed' && e.involvedObject?.name === name)?.message?.replace(/\. Failed to allocate IP for .*$/, '');

const pool = (addresses: string[]): string =>
  stringify({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'web', namespace: NS }, spec: { addresses } });

beforeAll(async () => {
  bed.tempDir();
  sim = await bed.sim();
  kubeconfig = sim.kubeconfigPath;
  await sim.store.apply([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a', labels: { 'kubernetes.io/hostname': 'node-a' } } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-b', labels: { 'kubernetes.io/hostname': 'node-b' } } },
    { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'web', namespace: NS }, spec: { addresses: ['10.10.0.0/30'] } },
    { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'l2', namespace: NS }, spec: { ipAddressPools: ['web'] } },
    { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'restricted', namespace: NS }, spec: { addresses: ['10.10.1.0/30'], serviceAllocation: { namespaces: ['b'] } } },
    { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'shared', namespace: NS }, spec: { addresses: ['10.10.2.0/30'], autoAssign: false } },
  ]);
  // One speaker per node, only node-a's running and ready.
  for (const [node, ready] of [['node-a', true], ['node-b', false]] as const) {
    const pod = await sim.store.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `speaker-${node}`, namespace: NS, labels: { 'app.kubernetes.io/component': 'speaker' } },
      spec: { nodeName: node, containers: [{ name: 'speaker', image: 'lb-speaker' }] },
    });
    await sim.store.updateStatus({ ...pod, status: { phase: ready ? 'Running' : 'Pending', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
  }
  await bed.controller(sim);
  for (let i = 0; i < 4; i++) {
    await sim.store.create(service('a', `s${i}`));
    await waitFor(() => addressesOf('a', `s${i}`).length === 1, 15_000, `a/s${i} to get an address`);
  }
  await sim.store.create(service('a', 'wait'));
  await sim.store.create(service('a', 'ghost', { annotations: { 'metallb.io/address-pool': 'nope' } }));
  await sim.store.create(service('a', 'other', { loadBalancerClass: 'other.io/lb' }));
  // One Service refused for each other kind of reason.
  const held = addressesOf('a', 's1')[0] as string;
  const shared = { 'metallb.io/address-pool': 'shared', 'metallb.io/loadBalancerIPs': '10.10.2.1' };
  await sim.store.create(service('a', 'share-1', { annotations: { ...shared, 'metallb.io/allow-shared-ip': 'k1' } }));
  await waitFor(() => addressesOf('a', 'share-1').length === 1, 15_000, 'a/share-1 to get 10.10.2.1');
  for (const [name, annotations] of Object.entries(REFUSED)) await sim.store.create(service('a', name, { annotations: annotations(held) }));
  await waitFor(() => ['wait', 'ghost', ...Object.keys(REFUSED)].every((name) => failureOf(name) !== undefined), 15_000, 'an AllocationFailed Event about every refused Service');
  // What the speaker on node-a writes for a/s0.
  await sim.store.create({
    apiVersion: 'metallb.io/v1beta1',
    kind: 'ServiceL2Status',
    metadata: { name: 'l2-s0', namespace: NS, labels: { 'metallb.io/node': 'node-a', 'metallb.io/service-name': 's0', 'metallb.io/service-namespace': 'a' } },
  }).then((o) => sim.store.updateStatus({ ...o, status: { node: 'node-a', serviceName: 's0', serviceNamespace: 'a' } }));
  await sim.store.create({
    apiVersion: 'frrk8s.metallb.io/v1beta1',
    kind: 'BGPSessionState',
    metadata: { name: 'node-a-router', namespace: NS, labels: { 'frrk8s.metallb.io/node': 'node-a', 'frrk8s.metallb.io/peer': 'router' } },
  }).then((o) => sim.store.updateStatus({ ...o, status: { node: 'node-a', peer: 'router', bgpStatus: 'Established', bfdStatus: 'N/A' } }));
}, 90_000);

afterAll(() => bed.cleanup());

describe('lbctl explain', () => {
  it('names the real reason of a pending Service, and the controller\'s Event', async () => {
    const r = await lbctl(['explain', 'service', 'a/wait'], { kubeconfig });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe("Service a/wait: pending: NoAddressAvailable: no pool that serves a/wait has a free IPv4 address (tried 'web')");
    expect(r.stdout).toMatch(/✗\s+web\s+IPv4\s+PoolExhausted: pool 'web' has no free IPv4 address \(4 Service\(s\) hold its addresses\)/);
    expect(r.stdout).toMatch(/Warning\s+AllocationFailed/);
  });

  it.each(['wait', 'ghost', ...Object.keys(REFUSED)])('a/%s: the reason lbctl names is the one the controller gave', async (name) => {
    const r = await lbctl(['explain', 'service', `a/${name}`, '-o', 'json'], { kubeconfig });
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout) as { verdict: string; summary: string };
    expect(['pending', 'invalid-service']).toContain(e.verdict);
    expect(e.summary).toContain(failureOf(name));
  });

  it.each([
    ['a/ghost', /pending: UnknownPool: .*nope/],
    ['a/other', /not this load balancer's Service: loadBalancerClass 'other.io\/lb' belongs to another load balancer/],
  ])('%s', async (ref, summary) => {
    const r = await lbctl(['explain', 'svc', ref], { kubeconfig });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(summary);
  });

  it('says who announces an address, and why the other node does not (json)', async () => {
    const r = await lbctl(['explain', 'service', 'a/s0', '-o', 'json'], { kubeconfig });
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout) as { verdict: string; announcers: unknown[]; nodes: Array<{ verdicts: Array<{ node: string; refusals: Array<{ kind: string }> }> }> };
    expect(e.verdict, r.stdout.slice(0, 3000)).toBe('assigned');
    expect(e.announcers).toEqual([{ protocol: 'layer2', node: 'node-a', interfaces: [] }]);
    expect(e.nodes[0]?.verdicts.map((v) => [v.node, v.refusals.map((x) => x.kind)])).toEqual([
      ['node-a', []],
      ['node-b', ['speaker-not-alive']],
    ]);
  });

  it('works offline from a dump with the same answer', async () => {
    const dump = [...['services', 'nodes', 'namespaces', 'events', 'ipaddresspools', 'l2advertisements', 'pods', 'servicel2statuses'].flatMap((r) => sim.store.list(r))];
    const file = bed.file('dump.yaml', stringify({ apiVersion: 'v1', kind: 'List', items: dump }));
    const r = await lbctl(['explain', 'service', 'a/wait', '-f', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toContain('pending: NoAddressAvailable');
  });

  it('fails clearly on a Service that does not exist', async () => {
    const r = await lbctl(['explain', 'service', 'a/nope'], { kubeconfig });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/no Service a\/nope/);
  });
});

describe('lbctl plan', () => {
  it('lists exactly the Services that lose their addresses when the pool shrinks, exit code 2', async () => {
    const kept = new Set(['10.10.0.0', '10.10.0.1']);
    const losers = [0, 1, 2, 3].filter((i) => !kept.has(addressesOf('a', `s${i}`)[0] ?? '')).map((i) => `a/s${i}`);
    expect(losers).toHaveLength(2);
    const file = bed.file('shrunk.yaml', pool(['10.10.0.0-10.10.0.1']));
    const r = await lbctl(['plan', '-f', file, '-o', 'json'], { kubeconfig });
    expect(r.code, r.stderr).toBe(2);
    const plan = JSON.parse(r.stdout) as { lose: Array<{ service: string }>; change: unknown[]; gain: unknown[] };
    expect(plan.lose.map((c) => c.service)).toEqual(losers);
    expect(plan.change).toEqual([]);
    expect(plan.gain).toEqual([]);
  });

  it('lists the Services that would get an address when it grows, exit code 0', async () => {
    const file = bed.file('grown.yaml', pool(['10.10.0.0/29']));
    const r = await lbctl(['plan', '-f', file], { kubeconfig });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Would GET addresses \(1\):\n\s+a\/wait\s+10\.10\.0\.4 from pool web/);
  });

  it('lists the announcements that would move when an L2Advertisement stops selecting a node', async () => {
    const file = bed.file('l2-node-b.yaml', stringify({ apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'l2', namespace: NS }, spec: { ipAddressPools: ['web'], nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'node-b' } }] } }));
    const r = await lbctl(['plan', '-f', file], { kubeconfig });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/a\/s0\s+layer2\s+nodes node-a,node-b -> node-b; node-a would stop announcing it/);
  });

  it('refuses an invalid new configuration with exit code 1', async () => {
    const file = bed.file('invalid.yaml', pool(['10.10.0.9-10.10.0.1']));
    const r = await lbctl(['plan', '-f', file], { kubeconfig });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/invalid; the webhook would refuse it/);
  });
});

describe('lbctl status', () => {
  it('shows pools, speakers, sessions and layer 2 owners on one screen', async () => {
    const r = await lbctl(['status'], { kubeconfig });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/controller\s+Valid/);
    expect(r.stdout).toMatch(/web\s+IPv4\s+\[#{20}\]\s+4 used\s+0 free of 4/);
    expect(r.stdout).toMatch(/node-a\s+alive\s+layer2 owner of 1/);
    expect(r.stdout).toMatch(/node-b\s+NOT ALIVE/);
    expect(r.stdout).toMatch(/node-a\s+router\s+Established/);
    const json = await lbctl(['status', '-o', 'yaml'], { kubeconfig });
    const lb = sim.store.list('services').length;
    expect(json.stdout).toMatch(new RegExp(`loadBalancer: ${lb}\\n\\s+assigned: 5\\n\\s+pending: ${lb - 5}`));
  });
});

describe('lbctl validate', () => {
  it('accepts a seed, exit code 0', async () => {
    const r = await lbctl(['validate', '-f', join(repoRoot, 'examples', 'seeds', '000-first-pool-l2.yaml')]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
  });

  it('--cluster catches an overlap with the live configuration at file:line:col, exit code 1', async () => {
    const file = bed.file('overlap.yaml', stringify({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'more', namespace: NS }, spec: { addresses: ['10.10.0.2/31'] } }));
    const offline = await lbctl(['validate', '-f', file]);
    expect(offline.code).toBe(0);
    const r = await lbctl(['validate', '--cluster', '-f', file], { kubeconfig });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`${file}:\\d+:\\d+: error: IPAddressPool metallb-system/more: .*overlap`));
  });
});

describe('lbctl convert', () => {
  it('turns MetalLB\'s legacy ConfigMap into resources that validate accepts (through a pipe)', async () => {
    const converted = await lbctl(['convert', '-f', join(import.meta.dirname, 'legacy', 'bgp-advanced.yaml')]);
    expect(converted.code, converted.stderr).toBe(0);
    const r = await lbctl(['validate', '-f', '-'], { input: converted.stdout });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/8 object\(s\): valid/);
  });
});

describe('errors', () => {
  it('an unreachable cluster: one line, no stack trace, exit code 1', async () => {
    const broken = bed.file('broken-kubeconfig', readFileSync(kubeconfig, 'utf8').replace(/server: .*/, 'server: https://127.0.0.1:1'));
    const r = await lbctl(['status', '--kubeconfig', broken]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^lbctl: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([[['nonsense']], [['explain', 'service', 'no-slash']], [['validate']]])('%j: exit code 1 with the reason', async (args) => {
    const r = await lbctl(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^lbctl: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--help shows examples', async () => {
    const r = await lbctl(['plan', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:/);
  });
});
