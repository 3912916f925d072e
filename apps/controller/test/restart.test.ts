// Restart with 1,000 assigned Services: the new process restores every assignment from the
// Services' status before allocating anything, so no address moves, nothing is rewritten, and
// Services created while it was down (or after) are served from what is left.
import { afterAll, describe, expect, it } from 'vitest';
import { type KubeSim } from '@lb/kube-sim';
import { applyPool, changedEntries, CONFIG_NAMESPACE, ensureNamespace, loadBalancerService, snapshot, TestBed, unassigned, waitFor, waitForAddresses } from './harness.js';

const NAMESPACE = 'load';
const SERVICES = 1000;

/** 1,000 Services with some variety: every 10th dual-stack, pairs sharing one address, the rest plain. */
async function createLoad(sim: KubeSim): Promise<void> {
  await ensureNamespace(sim, NAMESPACE);
  for (let i = 0; i < SERVICES; i++) {
    const svc = loadBalancerService(NAMESPACE, `svc-${i}`) as { spec: Record<string, unknown>; metadata: Record<string, unknown> };
    if (i % 10 === 3) Object.assign(svc.spec, { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] });
    if (i % 50 === 0 || i % 50 === 1) {
      // svc-0 and svc-1 share, svc-50 and svc-51 share, ...: same key, ports that do not clash.
      svc.metadata['annotations'] = { 'metallb.io/allow-shared-ip': `pair-${Math.floor(i / 50)}` };
      svc.spec['ports'] = [{ port: 8000 + (i % 50), protocol: 'TCP' }];
    }
    await sim.store.create(svc);
  }
}

function resourceVersions(sim: KubeSim, keys: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const key of keys) {
    const [namespace, name] = key.split('/') as [string, string];
    out.set(key, String(sim.store.get('services', name, namespace)?.metadata?.resourceVersion));
  }
  return out;
}

describe('restart with 1,000 assigned Services', () => {
  const bed = new TestBed();
  afterAll(() => bed.cleanup());

  it('changes no address, rewrites nothing, and serves Services created while down and after', { timeout: 240_000 }, async () => {
    const sim = await bed.sim();
    await applyPool(sim, 'restart', ['10.10.0.0/21', 'fd00:10::/116']);
    await createLoad(sim);

    const first = await bed.controller(sim);
    await waitFor(() => unassigned(sim, NAMESPACE).length === 0, 90_000, 'every Service to have an address', () => `${unassigned(sim, NAMESPACE).length} left`);
    // Holes in the ranges, so that a controller that allocated before restoring would move addresses.
    for (let i = 5; i < SERVICES; i += 7) await sim.store.delete('services', `svc-${i}`, NAMESPACE);
    const remaining = SERVICES - Math.ceil((SERVICES - 5) / 7);
    await waitFor(
      () => (sim.store.get('ipaddresspools.metallb.io', 'restart', CONFIG_NAMESPACE)?.['status'] as { assignedIPv6?: number } | undefined)?.assignedIPv6 === countDualStack(sim),
      20_000,
      'the pool status to count the released addresses',
    );
    const before = snapshot(sim);
    expect(before.size).toBe(remaining);
    const versionsBefore = resourceVersions(sim, before.keys());

    const exit = await first.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });

    // Created while no controller runs: they compete with the restored addresses for the holes.
    for (let i = 0; i < 20; i++) await sim.store.create(loadBalancerService(NAMESPACE, `while-down-${i}`));

    const second = await bed.controller(sim);
    await second.ready();
    const restored = await second.waitForLog((l) => l.msg === 'leading', 10_000, '"leading"');
    expect(restored['restored']).toBe(remaining);
    for (let i = 0; i < 20; i++) await waitForAddresses(sim, NAMESPACE, `while-down-${i}`);
    await sim.store.create(loadBalancerService(NAMESPACE, 'after-restart'));
    await waitForAddresses(sim, NAMESPACE, 'after-restart');

    const after = snapshot(sim);
    expect(changedEntries(before, after)).toEqual([]);
    const versionsAfter = resourceVersions(sim, before.keys());
    expect([...versionsBefore].filter(([key, rv]) => versionsAfter.get(key) !== rv)).toEqual([]);

    // Every address is held once, except by the Services sharing one by key.
    const holders = new Map<string, string[]>();
    for (const [key, entry] of after) {
      const status = (JSON.parse(entry) as { status: { loadBalancer?: { ingress?: Array<{ ip: string }> } } }).status;
      for (const { ip } of status.loadBalancer?.ingress ?? []) holders.set(ip, [...(holders.get(ip) ?? []), key]);
    }
    const shared = [...holders].filter(([, keys]) => keys.length > 1);
    expect(shared.length).toBeGreaterThan(0);
    for (const [ip, keys] of shared) {
      expect(keys.length, ip).toBe(2);
      const [a, b] = keys.map((k) => Number(/svc-(\d+)$/.exec(k)?.[1]));
      expect(Math.floor((a ?? -1) / 50), `${ip} held by ${keys.join(', ')}`).toBe(Math.floor((b ?? -2) / 50));
    }
    expect(second.strayLines).toEqual([]);
  });
});

function countDualStack(sim: KubeSim): number {
  return (sim.store.list('services', NAMESPACE) as Array<{ spec?: { ipFamilyPolicy?: string } }>).filter((s) => s.spec?.ipFamilyPolicy === 'RequireDualStack').length;
}
