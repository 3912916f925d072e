// End to end, in one shared lab: kube-sim, the real controller and three real lb-speaker processes
// in node namespaces on one LAN bridge, a client namespace checking with arping, curl and tcpdump.
// Needs root and the network tools; run under `flock /tmp/lb-lab.lock`.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerChanges, requireNetworkLab, waitFor } from '@lb/netlab';
import { Services, type KubeObject } from '@lb/k8s-watch';
import { CONFIG_TYPES, ServiceL2Statuses } from '../src/process/api.js';
import { NAMESPACE, SpeakerLab, speakerBin } from './lab.js';

const slow = 60_000;
const MetalLoadBalancerClasses = CONFIG_TYPES.find((t) => t.kind === 'MetalLoadBalancerClass')!;
const IPAddressPools = CONFIG_TYPES.find((t) => t.kind === 'IPAddressPool')!;
const L2Advertisements = CONFIG_TYPES.find((t) => t.kind === 'L2Advertisement')!;

describe('lb-speaker in layer 2, end to end', () => {
  let lab: SpeakerLab;
  let ip: string;
  let home: string;

  beforeAll(async () => {
    requireNetworkLab(['arping', 'tcpdump', 'curl', 'nft', 'ss']);
    const started = performance.now();
    lab = await SpeakerLab.start();
    await lab.settled();
    console.log(`speaker lab up in ${Math.round(performance.now() - started)} ms`);
  }, 120_000);
  afterAll(async () => {
    await lab?.cleanup();
  });

  const owner = (address: string, accept?: (node: string) => boolean, timeoutMs?: number) => lab.owner(address, accept, timeoutMs);

  it('announces a new Service from exactly one node: arping sees one MAC, curl reaches that node, status and Event written', async () => {
    ip = await lab.service('web');
    home = await owner(ip);
    const replies = lab.cluster.arping(ip, { count: 3, deadlineSeconds: 2 });
    expect(new Set(replies.replyMacs)).toEqual(new Set([lab.cluster.node(home).mac]));
    expect(lab.cluster.curl(ip).node).toBe(home);
    const statuses = await waitFor('the ServiceL2Status', async () => {
      const list = await lab.client.list(ServiceL2Statuses, { namespace: NAMESPACE });
      return list.items.length > 0 && list.items.every((s) => (s.status as { node?: string } | undefined)?.node) ? list.items : undefined;
    });
    expect(statuses.map((s) => (s.status as { node: string }).node)).toEqual([home]);
    expect(statuses[0]?.metadata?.labels).toMatchObject({ 'metallb.io/node': home, 'metallb.io/service-name': 'web', 'metallb.io/service-namespace': 'default' });
    const events = await waitFor('the nodeAssigned Event', async () => {
      const list = await lab.client.list({ group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true } as never, { namespace: 'default' });
      return (list.items as Array<{ reason?: string; message?: string }>).filter((e) => e.reason === 'nodeAssigned');
    });
    expect(events[0]?.message).toBe(`announcing from node "${home}" with protocol "layer2"`);
    const i = lab.nodeIndex(home);
    expect(lab.metric(i, 'metallb_speaker_announced', { ip, node: home, protocol: 'layer2' })).toBe(1);
    const layer2 = () => lab.metricsText(i).split('\n').filter((l) => l.startsWith('metallb_layer2')).join('\n');
    expect(lab.metric(i, 'metallb_layer2_requests_received', { ip }), layer2()).toBeGreaterThan(0);
    expect(lab.metric(i, 'metallb_layer2_gratuitous_sent', { ip }), layer2()).toBeGreaterThan(0);
    expect(lab.metric(i, 'lb_speaker_members_alive')).toBe(3);
  }, slow);

  it('drops and counts forged membership datagrams from the client namespace; nothing moves', async () => {
    const target = lab.cluster.node(home);
    const dropsBefore = lab.metric(lab.nodeIndex(home), 'lb_speaker_membership_dropped_total');
    // Garbage, and datagrams shaped like ours under a wrong key, sent from the client's namespace.
    const script = `
      const s = require('node:dgram').createSocket('udp4'); let n = 0;
      const send = () => { const b = Buffer.alloc(80 + (n % 40)); require('node:crypto').randomFillSync(b); b[0] = 1;
        s.send(b, 7946, '${target.lan.ipv4}', () => { if (++n < 200) send(); else s.close(); }); };
      send();`;
    lab.cluster.lab.ns(lab.cluster.clientNs, process.execPath, ['-e', script]);
    await waitFor('the forged datagrams to be counted', () => lab.metric(lab.nodeIndex(home), 'lb_speaker_membership_dropped_total') >= dropsBefore + 200, { timeoutMs: 5000 });
    expect(lab.answerer(ip).node).toBe(home);
    expect(lab.metric(lab.nodeIndex(home), 'lb_speaker_members_alive')).toBe(3);
  }, slow);

  it('moves the address when the owner\'s speaker is killed (kill -9), with no failed request', async () => {
    const i = lab.nodeIndex(home);
    const capture = await lab.cluster.captureNeighbors();
    const stream = await lab.cluster.requestStream(ip, { intervalMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const killedAt = Date.now();
    await lab.signalSpeaker(i, 'SIGKILL');
    try {
      const next = await owner(ip, (n) => n !== home, 5000);
      // Its layer 2 worker goes with it (it exits when its parent's IPC channel closes).
      await waitFor('the killed speaker\'s worker to exit', () => !lab.processesIn(home).some((p) => p.includes('worker')), { timeoutMs: 3000 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const { summary } = await stream.stop();
      const frames = await capture.stop();
      const changes = ownerChanges(frames, ip);
      console.log(changes.map((c) => `${lab.cluster.nodeByMac(c.mac)?.name} at ${Number(c.timeNs / 1_000_000n) - killedAt} ms`).join(', '), `home ${home}`);
      const takeover = changes.find((c) => c.mac === lab.cluster.node(next).mac);
      expect(takeover).toBeDefined();
      const takeoverMs = Number(takeover!.timeNs / 1_000_000n) - killedAt;
      console.log(`kill -9: ${next} took over after ${takeoverMs} ms; stream ${JSON.stringify({ sent: summary.sent, failed: summary.failed, maxGapMs: summary.maxGapMs })}`);
      expect(takeoverMs).toBeLessThan(1000);
      expect(summary.failed).toBe(0);
      expect(lab.cluster.curl(ip).node).toBe(next);
    } finally {
      // Back: held down first, then the address returns home.
      await lab.startSpeaker(i);
    }
    const restarted = Date.now();
    expect(await owner(ip, (n) => n === home, 15_000)).toBe(home);
    console.log(`back home ${Date.now() - restarted} ms after the restart`);
    await lab.settled();
  }, slow);

  it('fails over when the owner\'s LAN link goes down, and takes the address back after the hold-down', async () => {
    const stream = await lab.cluster.requestStream(ip, { intervalMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    lab.cluster.linkDown(home);
    try {
      const next = await owner(ip, (n) => n !== home, 5000);
      await waitFor('the stream to reach the new owner', () => stream.records().some((r) => r.node === next), { timeoutMs: 5000 });
      const { summary } = await stream.stop();
      console.log(`link down: ${next} took over; gap ${summary.maxGapMs} ms`);
      expect(summary.maxGapMs).toBeLessThan(1000);
    } finally {
      lab.cluster.linkUp(home);
    }
    // The handback after the hold-down loses at most one failover budget of traffic.
    const back = await lab.cluster.requestStream(ip, { intervalMs: 10 });
    expect(await owner(ip, (n) => n === home, 15_000)).toBe(home);
    await waitFor('the stream to reach home again', () => back.records().some((r) => r.node === home), { timeoutMs: 5000 });
    const handback = (await back.stop()).summary;
    console.log(`handback to ${home}: gap ${handback.maxGapMs} ms, ${handback.failed} failed of ${handback.sent}`);
    expect(handback.maxGapMs).toBeLessThan(1000);
    // Steady state again: one MAC.
    expect(new Set(lab.cluster.arping(ip, { count: 3 }).replyMacs).size).toBe(1);
    await lab.settled();
  }, slow);

  it('fails over when the owner freezes (SIGSTOP of its namespace), and it does not answer beside the new owner on SIGCONT', async () => {
    const stream = await lab.cluster.requestStream(ip, { intervalMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    lab.cluster.freeze(home);
    let next: string;
    try {
      next = await owner(ip, (n) => n !== home, 5000);
      await waitFor('the stream to reach the new owner', () => stream.records().some((r) => r.node === next), { timeoutMs: 5000 });
    } finally {
      lab.cluster.thaw(home);
    }
    const capture = await lab.cluster.captureNeighbors();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const { summary } = await stream.stop();
    console.log(`freeze: ${next} took over; gap ${summary.maxGapMs} ms`);
    expect(summary.maxGapMs).toBeLessThan(1000);
    // Within the hold-down the woken node stays silent: only the new owner claims the address.
    const claims = (await capture.stop()).filter((f) => f.address === ip && ['gratuitous', 'reply'].includes(f.kind));
    expect(claims.every((f) => f.mac === lab.cluster.node(next).mac)).toBe(true);
    expect(await owner(ip, (n) => n === home, 15_000)).toBe(home);
    await lab.settled();
  }, slow);

  it('moves nothing during an API outage, and still fails over when a node dies inside it', async () => {
    lab.cluster.apiOutage();
    try {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(lab.answerer(ip).node).toBe(home);
      lab.cluster.linkDown(home);
      try {
        await owner(ip, (n) => n !== home, 5000);
      } finally {
        lab.cluster.linkUp(home);
      }
      expect(await owner(ip, (n) => n === home, 15_000)).toBe(home);
    } finally {
      lab.cluster.endApiOutage();
    }
  }, slow);

  let local: string;
  it('announces an externalTrafficPolicy: Local Service only from the node with the endpoint', async () => {
    local = await lab.service('local', { local: true, endpoints: ['lb-node-3'] });
    expect(await owner(local)).toBe('lb-node-3');
    expect(lab.cluster.curl(local).node).toBe('lb-node-3');
  }, slow);

  it('announces each of a MetalLoadBalancerClass Service\'s 3 addresses from a different node', async () => {
    await lab.client.create(MetalLoadBalancerClasses, {
      apiVersion: 'network.deckhouse.io/v1alpha1',
      kind: 'MetalLoadBalancerClass',
      metadata: { name: 'ingress' },
      spec: { type: 'L2', addressPool: ['192.168.2.100-192.168.2.150'], l2: { interfaces: ['eth0'] } },
    } as KubeObject);
    await lab.createService('multi', { loadBalancerClass: 'ingress', annotations: { 'network.deckhouse.io/l2-load-balancer-external-ips-count': '3' } });
    const addresses = await waitFor('three addresses for default/multi', async () => {
      const svc = (await lab.client.get(Services, 'default', 'multi')) as { status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } } };
      const ips = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip as string);
      return ips.length === 3 ? ips : undefined;
    });
    const owners = await Promise.all(addresses.map((a) => owner(a)));
    expect(new Set(owners).size).toBe(3);
    for (const [k, a] of addresses.entries()) expect(lab.cluster.curl(a).node).toBe(owners[k]);
  }, slow);

  it('honours an L2Advertisement\'s nodeSelectors and interfaces; the client\'s neighbour table holds the owner\'s MAC', async () => {
    const lanInterface = lab.cluster.node(0).lanInterface;
    const pool = (name: string, address: string) =>
      lab.client.create(IPAddressPools, { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name, namespace: NAMESPACE }, spec: { addresses: [`${address}/32`], autoAssign: false } } as KubeObject);
    const advertisement = (name: string, spec: object) =>
      lab.client.create(L2Advertisements, { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name, namespace: NAMESPACE }, spec: { ipAddressPools: [name], ...spec } } as KubeObject);
    await Promise.all([pool('picked', '10.220.2.10'), pool('wired', '10.220.2.20'), pool('elsewhere', '10.220.2.30')]);
    await Promise.all([
      advertisement('picked', { nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'lb-node-2' } }] }),
      advertisement('wired', { interfaces: [lanInterface] }),
      advertisement('elsewhere', { interfaces: ['not-the-lan'] }),
    ]);
    // Created as a user would, with kubectl.
    lab.kubectlCreateService('picked', { annotations: { 'metallb.universe.tf/address-pool': 'picked' } });
    const picked = await lab.addressOf('picked');
    expect(await owner(picked)).toBe('lb-node-2');
    lab.cluster.flushNeighbors();
    expect(lab.cluster.curl(picked).node).toBe('lb-node-2');
    const entry = lab.cluster.neighbors().find((n) => n.dst === picked);
    expect(entry?.lladdr).toBe(lab.cluster.node('lb-node-2').mac);

    const wired = await lab.service('wired', { annotations: { 'metallb.universe.tf/address-pool': 'wired' } });
    const wiredOwner = await owner(wired);
    const elsewhere = await lab.service('elsewhere', { annotations: { 'metallb.universe.tf/address-pool': 'elsewhere' } });
    // Both are elected and reported with their interfaces; only the LAN one answers on the LAN.
    const statuses = await waitFor('the ServiceL2Status of both', async () => {
      const list = (await lab.client.list(ServiceL2Statuses, { namespace: NAMESPACE })).items;
      const of = (service: string) => list.find((s) => s.metadata?.labels?.['metallb.io/service-name'] === service)?.status as { node?: string; interfaces?: Array<{ name: string }> } | undefined;
      const [w, e] = [of('wired'), of('elsewhere')];
      return w?.node && e?.node ? { wired: w, elsewhere: e } : undefined;
    });
    expect(statuses.wired).toMatchObject({ node: wiredOwner, interfaces: [{ name: lanInterface }] });
    expect(statuses.elsewhere.interfaces).toEqual([{ name: 'not-the-lan' }]);
    expect(lab.cluster.arping(elsewhere, { count: 3, deadlineSeconds: 2 }).received).toBe(0);
  }, slow);

  it('answers NDP for an IPv6 Service from one node (ndisc6), and curl reaches that node over IPv6', async () => {
    const v6 = await lab.service('web6', { ipFamilies: ['IPv6'], annotations: { 'metallb.universe.tf/address-pool': 'v6' } });
    expect(v6).toContain(':');
    const mac = await waitFor(`an NDP answer for ${v6}`, () => lab.cluster.ndisc6(v6, { tries: 2, waitMs: 300 }), { timeoutMs: 15_000, intervalMs: 200 });
    const node = lab.cluster.nodeByMac(mac)?.name;
    expect(node).toBeDefined();
    expect(lab.cluster.curl(v6).node).toBe(node);
  }, slow);

  it('keeps one owner when only the membership traffic between the owner and another node is cut', async () => {
    const other = lab.cluster.nodes.find((n) => n.name !== home)!.name;
    lab.cluster.cutMembership(home, other);
    try {
      for (let k = 0; k < 6; k++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const a = lab.answerer(ip);
        expect(a.macs, `after ${(k + 1) * 500} ms`).toEqual([lab.cluster.node(home).mac]);
      }
    } finally {
      lab.cluster.restoreMembership(home, other);
    }
    await lab.settled();
  }, slow);

  it('runs as a non-root user with only CAP_NET_RAW (setpriv), and refuses to start without it', async () => {
    const nobody = 65534;
    const setpriv = ['setpriv', '--reuid', String(nobody), '--regid', String(nobody), '--clear-groups'];
    const node3 = lab.cluster.node(2);
    const refused = lab.cluster.lab.tryNs(node3.ns, setpriv[0]!, [...setpriv.slice(1), process.execPath, speakerBin, '--node-name', node3.name]);
    expect(refused.ok).toBe(false);
    expect(refused.stderr.trim()).toBe('lb-speaker: cannot announce in layer 2: capability CAP_NET_RAW is missing (needed to answer ARP/NDP; add NET_RAW to the container, or setpriv --ambient-caps +net_raw)');

    await lab.signalSpeaker(2, 'SIGTERM');
    const kubeconfig = lab.cluster.kubeconfigFor(nobody, nobody);
    lab.keyDirFor(nobody, nobody);
    const proc = await lab.startSpeaker(2, ['--kubeconfig', kubeconfig], [...setpriv, '--inh-caps', '+net_raw', '--ambient-caps', '+net_raw']);
    const status = readFileSync(`/proc/${proc.child.pid}/status`, 'utf8');
    expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe(String(nobody));
    expect(/^CapEff:\s+([0-9a-f]+)/m.exec(status)?.[1]).toBe('0000000000002000'); // CAP_NET_RAW alone
    // Past its hold-down it answers for the Service only it may announce.
    expect(await owner(local, (n) => n === node3.name, 15_000)).toBe(node3.name);
  }, slow);

  it('answers no ARP once every speaker is stopped (SIGTERM: leave, withdraw, exit 0)', async () => {
    for (let i = 0; i < 3; i++) {
      const proc = lab.speakers[i]!;
      const exited = new Promise<number | null>((resolve) => proc.child.once('exit', (code) => resolve(code)));
      proc.child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    lab.cluster.flushNeighbors();
    const r = lab.cluster.arping(ip, { count: 3, deadlineSeconds: 2 });
    expect(r.received).toBe(0);
    expect(lab.cluster.curl(ip, { timeoutMs: 1000 }).ok).toBe(false);
  }, slow);
});
