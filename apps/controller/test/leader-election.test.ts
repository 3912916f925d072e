// Two replicas with --leader-elect and short lease timings: only the Lease holder writes; after
// kill -9 of the leader, the other takes over within lease duration + retry period, keeps every
// address, and serves a Service created after the kill.
import { afterAll, describe, expect, it } from 'vitest';
import { type KubeSim } from '@lb/kube-sim';
import {
  applyPool,
  changedEntries,
  CONFIG_NAMESPACE,
  type ControllerProcess,
  ensureNamespace,
  eventsFor,
  loadBalancerService,
  snapshot,
  TestBed,
  unassigned,
  waitFor,
  waitForAddresses,
} from './harness.js';

const LEASE_DURATION_S = 4;
const RENEW_DEADLINE_S = 3;
const RETRY_PERIOD_S = 1;
const NAMESPACE = 'ha';

function leaseHolder(sim: KubeSim): string | undefined {
  return (sim.store.get('leases', 'metallb-controller', CONFIG_NAMESPACE)?.['spec'] as { holderIdentity?: string } | undefined)?.holderIdentity;
}

function reportingInstances(sim: KubeSim, names: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const name of names) for (const e of eventsFor(sim, 'Service', NAMESPACE, name)) if (e.reason === 'IPAllocated') out.add(e.reportingInstance ?? '');
  return out;
}

describe('two replicas with leader election', () => {
  const bed = new TestBed();
  afterAll(() => bed.cleanup());

  it('only the leader writes; after kill -9 the other takes over within lease duration + retry period', { timeout: 120_000 }, async () => {
    const sim = await bed.sim();
    await applyPool(sim, 'ha', ['10.30.0.0/24']);
    await ensureNamespace(sim, NAMESPACE);
    const names = Array.from({ length: 50 }, (_, i) => `svc-${i}`);
    for (const name of names) await sim.store.create(loadBalancerService(NAMESPACE, name));

    const flags = ['--leader-elect', '--lease-duration', String(LEASE_DURATION_S), '--renew-deadline', String(RENEW_DEADLINE_S), '--retry-period', String(RETRY_PERIOD_S)];
    const replicas = new Map<string, ControllerProcess>();
    for (const identity of ['replica-a', 'replica-b']) replicas.set(identity, await bed.controller(sim, { args: [...flags, '--identity', identity] }));
    await waitFor(() => unassigned(sim, NAMESPACE).length === 0, 30_000, 'every Service to have an address');
    const leaderId = leaseHolder(sim) ?? '';
    const followerId = [...replicas.keys()].find((id) => id !== leaderId) ?? '';
    const leader = replicas.get(leaderId) as ControllerProcess;
    const follower = replicas.get(followerId) as ControllerProcess;
    expect(leader).toBeDefined();
    expect(follower).toBeDefined();

    // Only the leader wrote: every allocation Event names it, and only it logged assignments.
    await waitFor(() => names.every((n) => eventsFor(sim, 'Service', NAMESPACE, n).some((e) => e.reason === 'IPAllocated')), 15_000, 'an IPAllocated Event per Service');
    expect([...reportingInstances(sim, names)]).toEqual([leaderId]);
    expect(leader.logs.some((l) => l.msg === 'started leading')).toBe(true);
    expect(follower.logs.some((l) => l.msg === 'started leading')).toBe(false);
    expect(follower.logs.filter((l) => l.msg === 'addresses assigned')).toEqual([]);
    // A standby is ready too: its caches are warm and its webhook would answer.
    await follower.ready();

    const before = snapshot(sim);
    const killedAt = performance.now();
    await leader.stop('SIGKILL');
    await sim.store.create(loadBalancerService(NAMESPACE, 'after-kill'));

    await waitFor(() => leaseHolder(sim) === followerId, 20_000, `${followerId} to hold the Lease`);
    const takeoverMs = performance.now() - killedAt;
    await waitForAddresses(sim, NAMESPACE, 'after-kill', 1, 20_000);
    const servedMs = performance.now() - killedAt;
    console.log(`leader ${leaderId} killed: ${followerId} held the Lease after ${Math.round(takeoverMs)} ms, served a new Service after ${Math.round(servedMs)} ms`);

    // Lease duration + retry period; the Lease is polled every 50 ms here, which the bound absorbs
    // only if the takeover is not late by more than that.
    expect(takeoverMs).toBeLessThan((LEASE_DURATION_S + RETRY_PERIOD_S) * 1000);
    expect(changedEntries(before, snapshot(sim))).toEqual([]);
    await waitFor(() => eventsFor(sim, 'Service', NAMESPACE, 'after-kill').some((e) => e.reason === 'IPAllocated'), 10_000, 'the IPAllocated Event of after-kill');
    expect([...reportingInstances(sim, ['after-kill'])]).toEqual([followerId]);
    expect(follower.logs.some((l) => l.msg === 'started leading')).toBe(true);
  });
});
