// Services the controller refuses, and what it says, against kube-sim with the controller as a
// real process: a Service refused for want of an address gets it as soon as one is freed (the
// stranded-Service case); the Events put the reason first, stay under the API's 1,024-byte limit,
// count addresses right and never name another namespace's Service; RequireDualStack without two
// cluster IPs is refused as MetalLB refuses it; an invalid new pool gets the Event, not the valid
// pool it collides with. One cluster and one controller for the file (~15 s).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeSim } from '@lb/kube-sim';
import {
  addresses,
  applyPool,
  CONFIG_NAMESPACE,
  type ControllerProcess,
  ensureNamespace,
  eventsFor,
  kubectlOk,
  loadBalancerService,
  TestBed,
  waitFor,
  waitForAddresses,
  waitForEvent,
} from './harness.js';

describe('refused Services', () => {
  const bed = new TestBed();
  let sim: KubeSim;
  let controller: ControllerProcess;

  beforeAll(async () => {
    sim = await bed.sim();
    await applyPool(sim, 'one', ['10.70.0.1/32']);
    await applyPool(sim, 'wide', ['10.71.0.0/24']);
    for (const namespace of ['stranded', 'bulk2', 'faults', 'dual']) await ensureNamespace(sim, namespace);
    controller = await bed.controller(sim);
    await controller.ready();
  });

  afterAll(() => bed.cleanup());

  it('a stranded Service: one address, A holds it, B is refused, A is deleted: B gets it within seconds', async () => {
    const pinned = { annotations: { 'metallb.io/address-pool': 'one' } };
    await sim.store.create(loadBalancerService('stranded', 'a', pinned));
    expect(await waitForAddresses(sim, 'stranded', 'a')).toEqual(['10.70.0.1']);
    await sim.store.create(loadBalancerService('stranded', 'b', pinned));
    const refused = await waitForEvent(sim, 'Service', 'stranded', 'b', 'AllocationFailed');
    expect(refused.message).toMatch(/^pool 'one' has no free IPv4 address\. Failed to allocate IP for "stranded\/b"$/);
    expect(addresses(sim, 'stranded', 'b')).toEqual([]);

    await kubectlOk(sim, ['delete', 'service', 'a', '-n', 'stranded']);
    const deleted = performance.now();
    expect(await waitForAddresses(sim, 'stranded', 'b', 1, 10_000)).toEqual(['10.70.0.1']);
    console.log(`stranded Service served ${Math.round(performance.now() - deleted)} ms after the holder was deleted`);
    // Refused once, then served: one AllocationFailed Event, not one per retry.
    expect(eventsFor(sim, 'Service', 'stranded', 'b').filter((e) => e.reason === 'AllocationFailed')).toHaveLength(1);
  });

  it('an Event for a 1,000-address annotation: the reason first, the right count, within 1,024 bytes', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => `10.72.${Math.floor(i / 250)}.${i % 250}`).join(',');
    await sim.store.create(loadBalancerService('faults', 'thousand', { annotations: { 'metallb.io/loadBalancerIPs': many } }));
    const event = await waitForEvent(sim, 'Service', 'faults', 'thousand', 'AllocationFailed');
    expect(Buffer.byteLength(event.message)).toBeLessThanOrEqual(1024);
    expect(event.message).toMatch(/^metallb\.io\/loadBalancerIPs: '10\.72\.0\.0,10\.72\.0\.1,[^']*\.\.\.' \(1,000 entries\) has 1,000 IPv4 addresses; give at most one per family\. /);
    expect(event.message).not.toContain('two IPv4');
    expect(event.message.endsWith('Failed to allocate IP for "faults/thousand"')).toBe(true);
  });

  it("never names another namespace's Service in an Event; names one of the same namespace", async () => {
    await sim.store.create(loadBalancerService('bulk2', 's000', { annotations: { 'metallb.io/loadBalancerIPs': '10.71.0.9' } }));
    expect(await waitForAddresses(sim, 'bulk2', 's000')).toEqual(['10.71.0.9']);
    await sim.store.create(loadBalancerService('faults', 'x', { annotations: { 'metallb.io/loadBalancerIPs': '10.71.0.9' } }));
    const foreign = await waitForEvent(sim, 'Service', 'faults', 'x', 'AllocationFailed');
    expect(foreign.message).toBe('10.71.0.9 is in use by another Service, which does not allow sharing. Failed to allocate IP for "faults/x"');
    await sim.store.create(loadBalancerService('bulk2', 'y', { annotations: { 'metallb.io/loadBalancerIPs': '10.71.0.9' } }));
    const neighbour = await waitForEvent(sim, 'Service', 'bulk2', 'y', 'AllocationFailed');
    expect(neighbour.message).toContain('in use by bulk2/s000');
    // The operator's log names the holder, whatever its namespace.
    const logged = await controller.waitForLog((l) => l.msg === 'allocation failed' && l['service'] === 'faults/x', 5000, 'the refusal of faults/x');
    expect(logged['holders']).toEqual(['bulk2/s000']);
  });

  it("refuses RequireDualStack with one family and one cluster IP, with MetalLB's reason; gives two families both", async () => {
    await kubectlOk(sim, ['apply', '-f', '-'], dualStackYaml('single', '  ipFamilies: [IPv4]\n'));
    const refused = await waitForEvent(sim, 'Service', 'dual', 'single', 'AllocationFailed');
    expect(refused.message).toMatch(/^spec\.ipFamilyPolicy: requires dual stack but not enough clusterips: spec\.ipFamilies \[IPv4\], spec\.clusterIPs \[10\.\d+\.\d+\.\d+\]\. /);
    expect(addresses(sim, 'dual', 'single')).toEqual([]);
    await kubectlOk(sim, ['apply', '-f', '-'], dualStackYaml('both', ''));
    await kubectlOk(sim, ['apply', '-f', '-'], `apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: v6, namespace: ${CONFIG_NAMESPACE}}\nspec:\n  addresses: [10.73.0.0/30, 'fd00:73::/126']\n`);
    const both = await waitForAddresses(sim, 'dual', 'both', 2);
    expect(both).toEqual(['10.73.0.0', 'fd00:73::']);
  });

  it('an invalid new pool gets the InvalidConfiguration Event, not the older valid pool it overlaps', async () => {
    // A second apart: creationTimestamps have a resolution of one second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await applyPool(sim, 'clash', ['10.71.0.0/23']);
    const invalid = await waitForEvent(sim, 'IPAddressPool', CONFIG_NAMESPACE, 'clash', 'InvalidConfiguration');
    expect(invalid.message).toMatch(/^10\.71\.0\.0\/23 overlaps 10\.71\.0\.0\/24 of IPAddressPool metallb-system\/wide \(spec\.addresses\[0\]\)$/);
    await waitFor(() => eventsFor(sim, 'IPAddressPool', CONFIG_NAMESPACE, 'clash').length > 0, 5000, 'the Event');
    expect(eventsFor(sim, 'IPAddressPool', CONFIG_NAMESPACE, 'wide')).toEqual([]);
    await sim.store.delete('ipaddresspools.metallb.io', 'clash', CONFIG_NAMESPACE);
  });

  it('logged only JSON lines and kept running', () => {
    expect(controller.running).toBe(true);
    expect(controller.strayLines).toEqual([]);
  });
});

function dualStackYaml(name: string, families: string): string {
  return `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: dual, annotations: {metallb.io/address-pool: v6}}\nspec:\n  type: LoadBalancer\n  ipFamilyPolicy: RequireDualStack\n${families}  ports: [{port: 80, protocol: TCP}]\n`;
}
