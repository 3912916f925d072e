import { describe, expect, it } from 'vitest';
import { nodeObjects } from './node-objects.js';
import { planCluster, seedServiceRanges } from './plan.js';

const mgmt = { ipv4: '10.254.7.0/24', ipv6: 'fd54:0:0:7::/64' };

describe('planCluster', () => {
  it('numbers three nodes, the client and the API alike in IPv4 and IPv6, without a router by default', () => {
    const plan = planCluster({}, mgmt);
    expect(plan.nodes.map((n) => [n.name, n.lan.ipv4, n.lan.ipv6, n.management.ipv4])).toEqual([
      ['lb-node-1', '172.30.0.11', 'fd30::11', '10.254.7.11'],
      ['lb-node-2', '172.30.0.12', 'fd30::12', '10.254.7.12'],
      ['lb-node-3', '172.30.0.13', 'fd30::13', '10.254.7.13'],
    ]);
    expect(plan.client).toEqual({ ipv4: '172.30.0.100', ipv6: 'fd30::100' });
    expect(plan.api).toEqual({ ipv4: '10.254.7.1', ipv6: 'fd54:0:0:7::1' });
    expect(plan.router).toBeUndefined();
    expect(plan.lanInterface).toBe('eth0');
    expect(plan.serviceRanges.map((s) => s.text)).toEqual(seedServiceRanges);
    expect(plan.nodes[0]?.labels).toEqual({ 'kubernetes.io/hostname': 'lb-node-1', 'kubernetes.io/os': 'linux' });
  });

  it("puts the router at seed 002's peer address and the remote client behind it", () => {
    const plan = planCluster({ router: { asn: 64500 }, nodes: [{ name: 'a', labels: { rack: 'frontend' } }, 'b'] }, mgmt);
    expect(plan.router?.lan).toEqual({ ipv4: '172.30.0.3', ipv6: 'fd30::3' });
    expect(plan.router?.outside).toEqual({ ipv4: '172.31.0.1', ipv6: 'fd31::1' });
    expect(plan.router?.options.asn).toBe(64500);
    expect(plan.remote).toEqual({ ipv4: '172.31.0.100', ipv6: 'fd31::100' });
    expect(plan.nodes[0]?.labels['rack']).toBe('frontend');
  });

  it('takes other subnets, ranges, ports and interface names', () => {
    const plan = planCluster({ lan: { ipv4: '192.0.2.0/24' }, serviceRanges: ['198.51.100.0/24'], httpPorts: [8443], lanInterface: 'eth1', nodes: 1 }, mgmt);
    expect(plan.nodes[0]?.lan).toEqual({ ipv4: '192.0.2.11', ipv6: 'fd30::11' });
    expect(plan.serviceRanges.map((s) => s.text)).toEqual(['198.51.100.0/24']);
    expect(plan.httpPorts).toEqual([8443]);
    expect(plan.lanInterface).toBe('eth1');
  });

  it('names every problem at once', () => {
    let message = '';
    try {
      planCluster({ nodes: ['ok', 'Bad_Name', 'ok'], lan: { ipv4: 'fd00::/64' }, serviceRanges: ['nope', '10.254.7.0/25'], httpPorts: [0], lanInterface: 'mgmt0' }, mgmt);
    } catch (error) {
      message = (error as Error).message;
    }
    for (const part of [
      'lan.ipv4: "fd00::/64" is not an IPv4 subnet',
      'nodes: "Bad_Name" is not a DNS label',
      'nodes: "ok" appears twice',
      'lanInterface: "mgmt0"',
      'serviceRanges: "nope" is not a subnet',
      'httpPorts: 0 is not a TCP port',
      'management.ipv4 (10.254.7.0/24) overlaps serviceRanges 10.254.7.0/25 (10.254.7.0/25)',
    ]) {
      expect(message).toContain(part);
    }
  });

  it('refuses more nodes than the LAN numbering holds', () => {
    expect(() => planCluster({ nodes: 90 }, mgmt)).toThrow('nodes: 90 nodes; the lab holds 1 to 89');
  });
});

describe('nodeObjects', () => {
  it('registers each node as a kubelet would: LAN addresses as InternalIP, Ready', () => {
    const list = nodeObjects(planCluster({ nodes: 1 }, mgmt).nodes) as { kind: string; items: Array<{ metadata: { name: string }; status: { addresses: unknown[]; conditions: unknown[] } }> };
    expect(list.kind).toBe('List');
    expect(list.items[0]?.metadata.name).toBe('lb-node-1');
    expect(list.items[0]?.status.addresses).toEqual([
      { type: 'InternalIP', address: '172.30.0.11' },
      { type: 'InternalIP', address: 'fd30::11' },
      { type: 'Hostname', address: 'lb-node-1' },
    ]);
    expect(list.items[0]?.status.conditions).toMatchObject([{ type: 'Ready', status: 'True' }]);
  });
});
