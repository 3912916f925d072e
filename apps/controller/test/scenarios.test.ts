// The seed scenarios, as `npm start` plays them: kube-sim with the CRDs and the webhook, the
// controller as a real process, the examples applied with kubectl, and assertions on what kube-sim
// holds. The steps build on each other in order (one cluster, as a user would go through it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeSim } from '@lb/kube-sim';
import {
  addresses,
  applyPool,
  CONFIG_NAMESPACE,
  type ControllerProcess,
  eventsFor,
  examples,
  freePort,
  installWebhookConfiguration,
  kubectl,
  kubectlOk,
  seeds,
  service,
  sleep,
  TestBed,
  waitFor,
  waitForAddresses,
  waitForEvent,
  webhookTrusted,
} from './harness.js';

const POOL_ANNOTATION = 'metallb.io/ip-allocated-from-pool';

interface PoolStatus {
  assignedIPv4?: number;
  assignedIPv6?: number;
  availableIPv4?: number;
  availableIPv6?: number;
}

function poolStatus(sim: KubeSim, namespace: string, name: string): PoolStatus | undefined {
  return sim.store.get('ipaddresspools.metallb.io', name, namespace)?.['status'] as PoolStatus | undefined;
}

function configurationState(sim: KubeSim): { result?: string; errorSummary?: string } | undefined {
  return sim.store.get('configurationstates.metallb.io', 'controller', CONFIG_NAMESPACE)?.['status'] as { result?: string; errorSummary?: string } | undefined;
}

/** A LoadBalancer Service as a user would write it, applied with kubectl. */
function serviceYaml(namespace: string, name: string, annotations: Record<string, string> = {}, extraSpec = ''): string {
  const lines = Object.entries(annotations).map(([k, v]) => `    ${k}: "${v}"`);
  return [
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    ...(lines.length > 0 ? ['  annotations:', ...lines] : []),
    'spec:',
    '  type: LoadBalancer',
    ...(extraSpec ? [extraSpec] : []),
    '  ports:',
    '  - port: 80',
    '    protocol: TCP',
    '',
  ].join('\n');
}

function ipv4InRange(ip: string, first: string, last: string): boolean {
  const n = (a: string): number => a.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  return ip.includes('.') && n(ip) >= n(first) && n(ip) <= n(last);
}

function conditions(sim: KubeSim, namespace: string, name: string): Array<{ type: string; status: string; reason: string; message: string }> {
  return service(sim, namespace, name)?.status?.conditions ?? [];
}

/** Creates a Service after `sentinelAfter` and waits for it: once served, everything before it has been seen. */
async function settleWithSentinel(sim: KubeSim, namespace: string, name: string): Promise<void> {
  await kubectlOk(sim, ['apply', '-f', '-'], serviceYaml(namespace, name));
  await waitForAddresses(sim, namespace, name);
  // Workers run in parallel: give the ones that took earlier keys a moment to finish.
  await sleep(500);
}

describe('the seed scenarios against kube-sim', () => {
  const bed = new TestBed();
  let sim: KubeSim;
  let controller: ControllerProcess;

  beforeAll(async () => {
    sim = await bed.sim();
    const webhookPort = await freePort();
    await installWebhookConfiguration(sim, webhookPort);
    // Seed 000 installed MetalLB with helm into `default`; the others keep it in metallb-system.
    controller = await bed.controller(sim, { args: ['--namespace', `${CONFIG_NAMESPACE},default`, '--webhook-port', String(webhookPort)] });
    await controller.ready();
    await webhookTrusted(sim);
  });

  afterAll(() => bed.cleanup());

  it('seed 000: the one-address pool and its L2Advertisement serve a Service asking for the pool', async () => {
    const applied = await kubectlOk(sim, ['apply', '-f', join(seeds, '000-first-pool-l2.yaml')]);
    expect(applied).toContain('ipaddresspool.metallb.io/first-pool created');
    expect(applied).toContain('l2advertisement.metallb.io/default created');
    await kubectlOk(sim, ['create', 'namespace', 'seed000']);
    await kubectlOk(sim, ['apply', '-f', '-'], serviceYaml('seed000', 'first', { 'metallb.io/address-pool': 'first-pool' }));
    expect(await waitForAddresses(sim, 'seed000', 'first')).toEqual(['10.220.2.214']);
    expect(service(sim, 'seed000', 'first')?.metadata.annotations?.[POOL_ANNOTATION]).toBe('first-pool');
    await waitFor(() => poolStatus(sim, 'default', 'first-pool')?.assignedIPv4 === 1, 10_000, 'first-pool status');
    expect(poolStatus(sim, 'default', 'first-pool')).toEqual({ assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 0, availableIPv6: 0 });
    expect(configurationState(sim)?.result).toBe('Valid');
  });

  it('seed 001: the typo pool is refused, nginx as ClusterIP gets nothing, switched to LoadBalancer it gets the fixed cheap pool', async () => {
    await kubectlOk(sim, ['create', 'namespace', 'demo']);
    await kubectlOk(sim, ['apply', '-f', join(seeds, '001-nginx.yaml'), '-n', 'demo']);

    const typo = await kubectl(sim, ['apply', '-f', join(seeds, '001-cheap-pool-typo.yaml')]);
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toContain('denied the request');
    expect(typo.stderr).toContain('172.16.16.150-172.16.16.20');
    expect(sim.store.get('ipaddresspools.metallb.io', 'cheap', CONFIG_NAMESPACE)).toBeUndefined();

    await kubectlOk(sim, ['apply', '-f', join(examples, 'demo', 'cheap-pool-fixed.yaml')]);
    await settleWithSentinel(sim, 'demo', 'sentinel-001');
    expect(addresses(sim, 'demo', 'nginx-service')).toEqual([]);
    expect(service(sim, 'demo', 'nginx-service')?.metadata.annotations?.[POOL_ANNOTATION]).toBeUndefined();

    await kubectlOk(sim, ['patch', 'svc', 'nginx-service', '-n', 'demo', '-p', '{"spec":{"type":"LoadBalancer"}}']);
    const [ip] = await waitForAddresses(sim, 'demo', 'nginx-service');
    expect(ipv4InRange(ip ?? '', '172.16.16.150', '172.16.16.200')).toBe(true);
    expect(service(sim, 'demo', 'nginx-service')?.metadata.annotations?.[POOL_ANNOTATION]).toBe('cheap');
    const allocated = await waitForEvent(sim, 'Service', 'demo', 'nginx-service', 'IPAllocated');
    expect(allocated.type).toBe('Normal');
    expect(allocated.message).toContain(ip);
  });

  it("seed 002: the namespace-selector pool serves a namespace labelled app=myapp, and only it", async () => {
    for (const file of ['002-01-pool-three-ranges.yaml', '002-02-pool-namespace-selectors.yaml', '002-05-l2-empty.yaml', '004-my-ip-pool.yaml']) {
      await kubectlOk(sim, ['apply', '-f', join(seeds, file)]);
    }
    // The tenant namespace (app=myapp), the shared IP, the dual-stack and the deprecated-annotation Services, three nodes.
    await kubectlOk(sim, ['apply', '-f', join(examples, 'demo', 'scenarios.yaml')]);
    const [tenant] = await waitForAddresses(sim, 'tenant', 'api');
    expect(ipv4InRange(tenant ?? '', '192.168.20.0', '192.168.20.255')).toBe(true);
    expect(service(sim, 'tenant', 'api')?.metadata.annotations?.[POOL_ANNOTATION]).toBe('ippool-ns-service-alloc-sample');

    await kubectlOk(sim, ['create', 'namespace', 'unlabelled']);
    await kubectlOk(sim, ['apply', '-f', '-'], serviceYaml('unlabelled', 'plain'));
    await waitForAddresses(sim, 'unlabelled', 'plain');
    expect(service(sim, 'unlabelled', 'plain')?.metadata.annotations?.[POOL_ANNOTATION]).not.toBe('ippool-ns-service-alloc-sample');
  });

  it('a shared IP: two Services with one allow-shared-ip key and different protocols get one address', async () => {
    expect(await waitForAddresses(sim, 'dns', 'dns-tcp')).toEqual(['192.168.10.53']);
    expect(await waitForAddresses(sim, 'dns', 'dns-udp')).toEqual(['192.168.10.53']);
    expect(service(sim, 'dns', 'dns-tcp')?.metadata.annotations?.[POOL_ANNOTATION]).toBe('example');
    expect(service(sim, 'dns', 'dns-udp')?.metadata.annotations?.[POOL_ANNOTATION]).toBe('example');
  });

  it('a RequireDualStack Service gets one IPv4 and one IPv6 address from the same pool', async () => {
    const [v4, v6] = await waitForAddresses(sim, 'demo', 'dual', 2);
    expect(ipv4InRange(v4 ?? '', '192.168.10.0', '192.168.10.255') || ipv4InRange(v4 ?? '', '192.168.9.1', '192.168.9.5')).toBe(true);
    expect(v6).toMatch(/^fc00:f853:ccd:e799::[0-9a-f]?$/);
    expect(service(sim, 'demo', 'dual')?.metadata.annotations?.[POOL_ANNOTATION]).toBe('example');
  });

  it('a deprecated metallb.universe.tf/ annotation works and produces a Warning Event', async () => {
    const [ip] = await waitForAddresses(sim, 'demo', 'legacy');
    expect(ipv4InRange(ip ?? '', '192.168.1.200', '192.168.1.250')).toBe(true);
    expect(service(sim, 'demo', 'legacy')?.metadata.annotations?.[POOL_ANNOTATION]).toBe('my-ip-pool');
    const warning = await waitForEvent(sim, 'Service', 'demo', 'legacy', 'DeprecatedAnnotation');
    expect(warning.type).toBe('Warning');
    expect(warning.message).toContain('metallb.universe.tf/address-pool');
    expect(warning.message).toContain('metallb.io/address-pool');
  });

  it('a MetalLoadBalancerClass Service asking for three addresses gets three, and two when only two nodes match', async () => {
    await kubectlOk(sim, ['apply', '-f', join(examples, 'classes', 'ingress-class.yaml')]);
    const three = await waitForAddresses(sim, 'shop', 'web', 3);
    for (const ip of three) expect(ipv4InRange(ip, '192.168.2.100', '192.168.2.150') || ipv4InRange(ip, '10.42.0.0', '10.42.0.255')).toBe(true);
    expect(new Set(three).size).toBe(3);
    await waitFor(() => conditions(sim, 'shop', 'web').some((c) => c.type === 'AllPublicIPsAssigned'), 10_000, 'the AllPublicIPsAssigned condition');
    expect(conditions(sim, 'shop', 'web').find((c) => c.type === 'AllPublicIPsAssigned')).toMatchObject({ status: 'True', message: '3 of 3 public IPs were assigned' });
    // The class owns its pool: no MetalLB pool annotation.
    expect(service(sim, 'shop', 'web')?.metadata.annotations?.[POOL_ANNOTATION]).toBeUndefined();

    await kubectlOk(sim, ['label', 'node', 'lb-node-3', 'node-role.kubernetes.io/loadbalancer-']);
    const two = await waitForAddresses(sim, 'shop', 'web', 2);
    expect(three).toEqual(expect.arrayContaining(two));
    await waitFor(() => conditions(sim, 'shop', 'web').some((c) => c.message === '2 of 3 public IPs were assigned'), 10_000, 'the condition to say 2 of 3');
    expect(conditions(sim, 'shop', 'web').find((c) => c.type === 'AllPublicIPsAssigned')).toMatchObject({ status: 'False', message: '2 of 3 public IPs were assigned' });
    const short = await waitForEvent(sim, 'Service', 'shop', 'web', 'NotAllIPsAssigned');
    expect(short.type).toBe('Warning');

    await kubectlOk(sim, ['label', 'node', 'lb-node-3', 'node-role.kubernetes.io/loadbalancer=']);
    const again = await waitForAddresses(sim, 'shop', 'web', 3);
    expect(again).toEqual(expect.arrayContaining(two));
    await waitFor(() => conditions(sim, 'shop', 'web').some((c) => c.message === '3 of 3 public IPs were assigned' && c.status === 'True'), 10_000, 'the condition to say 3 of 3 again');
  });

  it('IPAddressPool status counts what is assigned and available per family', async () => {
    const expected: Record<string, PoolStatus> = {
      // nginx-service, unlabelled/plain and sentinel-001 share out the cheap pool's 51 addresses.
      cheap: { assignedIPv4: 3, assignedIPv6: 0, availableIPv4: 48, availableIPv6: 0 },
      // dns-tcp + dns-udp (one shared address) and dual (one of each family); 256 + 5 IPv4, 16 IPv6.
      example: { assignedIPv4: 2, assignedIPv6: 1, availableIPv4: 259, availableIPv6: 15 },
      'ippool-ns-service-alloc-sample': { assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 255, availableIPv6: 0 },
      'my-ip-pool': { assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 50, availableIPv6: 0 },
    };
    const pools = Object.keys(expected);
    expect(pools.length).toBeGreaterThan(0);
    const actual = (): Record<string, PoolStatus | undefined> => Object.fromEntries(pools.map((p) => [p, poolStatus(sim, CONFIG_NAMESPACE, p)]));
    await waitFor(() => JSON.stringify(actual()) === JSON.stringify(expected), 10_000, 'pool status counts', () => JSON.stringify(actual()));
    expect(actual()).toEqual(expected);
    // The table a user sees.
    const table = await kubectlOk(sim, ['get', 'svc', '-A']);
    expect(table).toMatch(/nginx-service\s+LoadBalancer\s+\S+\s+172\.16\.16\.\d+/);
  });

  it('a Service that cannot get an address gets a Warning Event with the reason', async () => {
    await kubectlOk(sim, ['apply', '-f', '-'], serviceYaml('seed000', 'second', { 'metallb.io/address-pool': 'first-pool' }));
    const failed = await waitForEvent(sim, 'Service', 'seed000', 'second', 'AllocationFailed');
    expect(failed.type).toBe('Warning');
    expect(failed.message).toContain('Failed to allocate IP for "seed000/second"');
    expect(failed.message).toContain('first-pool');
    expect(addresses(sim, 'seed000', 'second')).toEqual([]);

    await kubectlOk(sim, ['apply', '-f', '-'], serviceYaml('seed000', 'outside', { 'metallb.io/loadBalancerIPs': '203.0.113.7' }));
    const outside = await waitForEvent(sim, 'Service', 'seed000', 'outside', 'AllocationFailed');
    expect(outside.message).toContain('203.0.113.7');
  });

  it('an invalid configuration keeps the last valid one, sets ConfigurationState Invalid and emits an Event', async () => {
    const nginxBefore = addresses(sim, 'demo', 'nginx-service');
    // The webhook refuses the typo, so it can only arrive around it (webhook down, failurePolicy Ignore): write it to the store.
    await sim.store.apply(readFileSync(join(seeds, '001-cheap-pool-typo.yaml'), 'utf8'));
    await waitFor(() => configurationState(sim)?.result === 'Invalid', 10_000, 'ConfigurationState Invalid');
    expect(configurationState(sim)?.errorSummary).toContain('172.16.16.150-172.16.16.20');
    const invalid = await waitForEvent(sim, 'IPAddressPool', CONFIG_NAMESPACE, 'cheap', 'InvalidConfiguration');
    expect(invalid.type).toBe('Warning');
    expect(invalid.message).toContain('172.16.16.150-172.16.16.20');

    // The last valid configuration still runs: cheap still holds .150-.200.
    await kubectlOk(sim, ['apply', '-f', '-'], serviceYaml('demo', 'while-invalid', { 'metallb.io/address-pool': 'cheap' }));
    const [ip] = await waitForAddresses(sim, 'demo', 'while-invalid');
    expect(ipv4InRange(ip ?? '', '172.16.16.150', '172.16.16.200')).toBe(true);
    expect(addresses(sim, 'demo', 'nginx-service')).toEqual(nginxBefore);

    await kubectlOk(sim, ['apply', '-f', join(examples, 'demo', 'cheap-pool-fixed.yaml')]);
    await waitFor(() => configurationState(sim)?.result === 'Valid', 10_000, 'ConfigurationState Valid again');
    expect(configurationState(sim)?.errorSummary).toBeUndefined();
    expect(addresses(sim, 'demo', 'nginx-service')).toEqual(nginxBefore);
  });

  it('a Service that stops being LoadBalancer, or is deleted, releases its address', async () => {
    const [legacyIp] = addresses(sim, 'demo', 'legacy');
    await kubectlOk(sim, ['patch', 'svc', 'nginx-service', '-n', 'demo', '-p', '{"spec":{"type":"ClusterIP"}}']);
    await waitFor(() => addresses(sim, 'demo', 'nginx-service').length === 0, 10_000, 'nginx-service to lose its address');
    await waitFor(() => service(sim, 'demo', 'nginx-service')?.metadata.annotations?.[POOL_ANNOTATION] === undefined, 10_000, 'the pool annotation to go');

    await kubectlOk(sim, ['delete', 'svc', 'legacy', '-n', 'demo']);
    await waitFor(() => poolStatus(sim, CONFIG_NAMESPACE, 'my-ip-pool')?.assignedIPv4 === 0, 10_000, 'my-ip-pool to count 0 assigned');
    expect(poolStatus(sim, CONFIG_NAMESPACE, 'my-ip-pool')?.availableIPv4).toBe(51);
    // The freed address is free again.
    await kubectlOk(sim, ['apply', '-f', '-'], serviceYaml('demo', 'legacy-successor', { 'metallb.io/loadBalancerIPs': legacyIp ?? '' }));
    expect(await waitForAddresses(sim, 'demo', 'legacy-successor')).toEqual([legacyIp]);
  });

  it('a Service of another loadBalancerClass is left alone', async () => {
    await kubectlOk(sim, ['apply', '-f', '-'], serviceYaml('demo', 'other-class', {}, '  loadBalancerClass: example.com/other'));
    await settleWithSentinel(sim, 'demo', 'sentinel-class');
    const other = service(sim, 'demo', 'other-class');
    expect(other?.status?.loadBalancer?.ingress ?? []).toEqual([]);
    expect(other?.metadata.annotations?.[POOL_ANNOTATION]).toBeUndefined();
    expect(eventsFor(sim, 'Service', 'demo', 'other-class')).toEqual([]);
  });

  it('logged only JSON lines and kept running', () => {
    expect(controller.running).toBe(true);
    expect(controller.strayLines).toEqual([]);
    expect(controller.logs.length).toBeGreaterThan(0);
  });
});

describe('--lb-class', () => {
  const bed = new TestBed();
  afterAll(() => bed.cleanup());

  it('serves only Services of that class; no class and other classes are left alone', async () => {
    const sim = await bed.sim();
    await applyPool(sim, 'pool', ['198.51.100.0/28']);
    const controller = await bed.controller(sim, { args: ['--lb-class', 'example.com/ours'] });
    await controller.ready();
    await kubectlOk(sim, ['create', 'namespace', 'apps']);
    await kubectlOk(sim, ['apply', '-f', '-'], serviceYaml('apps', 'no-class'));
    await kubectlOk(sim, ['apply', '-f', '-'], serviceYaml('apps', 'theirs', {}, '  loadBalancerClass: example.com/theirs'));
    await kubectlOk(sim, ['apply', '-f', '-'], serviceYaml('apps', 'ours', {}, '  loadBalancerClass: example.com/ours'));
    const [ip] = await waitForAddresses(sim, 'apps', 'ours');
    expect(ip).toMatch(/^198\.51\.100\./);
    await sleep(500);
    expect(addresses(sim, 'apps', 'no-class')).toEqual([]);
    expect(addresses(sim, 'apps', 'theirs')).toEqual([]);
    expect(service(sim, 'apps', 'no-class')?.metadata.annotations?.[POOL_ANNOTATION]).toBeUndefined();
    expect(service(sim, 'apps', 'theirs')?.metadata.annotations?.[POOL_ANNOTATION]).toBeUndefined();
  });
});
