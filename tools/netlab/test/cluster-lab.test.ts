// The cluster lab end to end, in one shared lab (3 nodes, client, FRR router with bfdd, client
// behind it, kube-sim on the host): topology, AnyIP without ARP, static-neighbour curl, request
// stream, faults, capture reader, ECMP from two gobgpd, and cleanup leaving nothing behind.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answersByAddress,
  ClusterLab,
  ownerChanges,
  requireNetworkLab,
  startGobgpd,
  waitFor,
  waitForNeighbor,
  type ClusterNode,
  type SpawnedProcess,
} from '../src/index.js';

const vip4 = '10.220.2.214';
// Tests that wait on timeouts or daemons: room for a busy 2-core machine.
const slowTest = 60_000;
const vip6 = 'fc00:f853:ccd:e799::214';

// A UDP and TCP echo server on the given ports, and a probe that exits 0 when its datagram or
// connection got an answer within 400 ms.
const echoServer = `
const dgram = require('node:dgram'); const net = require('node:net');
for (const port of process.argv.slice(1).map(Number)) {
  const s = dgram.createSocket({ type: 'udp6', ipv6Only: false }); s.on('message', (m, r) => s.send(m, r.port, r.address)); s.bind(port);
  net.createServer((c) => c.pipe(c)).listen(port, '::');
}
console.log('echoing');`;
const probe = `
const [proto, host, port] = process.argv.slice(1); setTimeout(() => process.exit(1), 400);
if (proto === 'udp') { const s = require('node:dgram').createSocket(host.includes(':') ? 'udp6' : 'udp4'); s.on('message', () => process.exit(0)); s.send('x', Number(port), host); }
else { const c = require('node:net').connect(Number(port), host, () => c.write('x')); c.on('data', () => process.exit(0)); c.on('error', () => process.exit(1)); }`;

describe('ClusterLab', () => {
  let c: ClusterLab;
  let node: (i: number) => ClusterNode;
  beforeAll(async () => {
    requireNetworkLab(['arping', 'ndisc6', 'tcpdump', 'curl', 'nft', 'ss', 'zebra', 'bgpd', 'bfdd', 'gobgpd', 'gobgp', 'vtysh']);
    // The router also connects to two nodes itself: gobgpd (passive there) waits 5-10 s before connecting.
    c = await ClusterLab.start({ tag: 'nl', router: { bfd: true, neighbors: ['172.30.0.11', '172.30.0.12'] } });
    node = (i) => c.node(i);
    console.log(`cluster lab up in ${c.startupMs} ms`, c.startupPhases);
  });
  afterAll(async () => {
    await c?.cleanup();
  });

  const ping = (ns: string, address: string): boolean => c.lab.tryNs(ns, 'ping', ['-c', '1', '-W', '1', address]).ok;
  const api = (i: number, path = '/api/v1/nodes', seconds = 3): { ok: boolean; out: string } => {
    const k = c.kubeSim!;
    const r = c.lab.tryNs(node(i).ns, 'curl', ['-sS', '-m', String(seconds), '--cacert', k.caFile, '-H', `Authorization: Bearer ${k.token}`, `${k.url}${path}`]);
    return { ok: r.ok, out: r.stdout + r.stderr };
  };
  // A cut API answers nothing: half a second tells.
  const apiCut = (i: number): boolean => !api(i, '/api/v1/nodes', 0.5).ok;

  it('comes up: the client reaches every node, the remote client the router, over IPv4 and IPv6', () => {
    expect(c.nodes.map((n) => n.name)).toEqual(['lb-node-1', 'lb-node-2', 'lb-node-3']);
    expect(node(0).lan).toEqual({ ipv4: '172.30.0.11', ipv6: 'fd30::11' });
    for (const n of c.nodes) {
      expect(ping(c.clientNs, n.lan.ipv4), n.name).toBe(true);
      expect(ping(c.clientNs, n.lan.ipv6), n.name).toBe(true);
    }
    const router = c.plan.router!;
    expect(router.lan.ipv4).toBe('172.30.0.3'); // seed 002's BGPPeer peerAddress, as written
    expect(ping(c.remoteNs!, router.lan.ipv4)).toBe(true);
    expect(ping(c.remoteNs!, router.lan.ipv6)).toBe(true);
    expect(ping(c.remoteNs!, node(0).lan.ipv4)).toBe(true); // nodes route back through the router
    expect(ping(c.clientNs, c.plan.api.ipv4)).toBe(false); // the API is not on the LAN
  });

  it('serves kube-sim to every node over the management link, with the lab kubeconfig and Node objects', () => {
    for (let i = 0; i < 3; i++) {
      const r = api(i);
      expect(r.ok, r.out).toBe(true);
      const list = JSON.parse(r.out) as { items: Array<{ metadata: { name: string }; status: { addresses: Array<{ address: string }> } }> };
      expect(list.items.map((n) => n.metadata.name)).toEqual(['lb-node-1', 'lb-node-2', 'lb-node-3']);
      expect(list.items[0]?.status.addresses.map((a) => a.address)).toContain('172.30.0.11');
    }
    const kubeconfig = execFileSync('cat', [c.kubeSim!.kubeconfigPath], { encoding: 'utf8' });
    expect(kubeconfig).toContain(`server: ${c.kubeSim!.url}`);
    // A non-root process (the speaker under setpriv) reads its own copy.
    const copy = c.kubeconfigFor(65534, 65534);
    expect(c.lab.tryNs(node(0).ns, 'setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'cat', copy]).stdout).toBe(kubeconfig);
  });

  it('never lets the kernel answer ARP or NDP for a Service address, while it answers for the node itself', () => {
    const none = c.arping(vip4, { count: 2, deadlineSeconds: 1 });
    expect(none.sent).toBe(2);
    expect(none.received).toBe(0);
    expect(c.ndisc6(vip6, { tries: 2, waitMs: 300 })).toBeUndefined();
    // The same clients do get answers for a node's own addresses: the silence above is the kernel's choice.
    expect(c.arping(node(0).lan.ipv4).replyMacs).toEqual([node(0).mac]);
    expect(c.ndisc6(node(0).lan.ipv6)).toBe(node(0).mac);
  });

  it('takes curl to the node a static neighbour entry names, for IPv4 and IPv6 Service addresses', () => {
    for (const n of c.nodes) {
      c.setNeighbor(vip4, n.mac);
      c.setNeighbor(vip6, n.mac);
      expect(c.curl(vip4)).toMatchObject({ ok: true, node: n.name });
      expect(c.curl(vip6, { port: 8080 })).toMatchObject({ ok: true, node: n.name });
    }
    // Any address of any seed range is accepted the same way.
    c.setNeighbor('192.168.1.200', node(1).mac);
    expect(c.curl('192.168.1.200', { port: 443 })).toMatchObject({ ok: true, node: 'lb-node-2' });
    c.flushNeighbors();
  });

  it("switches a node's HTTP server off (refused), to 503, and back", async () => {
    c.setNeighbor(vip4, node(2).mac);
    await c.setHttpMode(2, 'refuse');
    expect(c.curl(vip4)).toMatchObject({ ok: false, status: 0 });
    await c.setHttpMode(2, 'error');
    expect(c.curl(vip4)).toMatchObject({ ok: false, status: 503, node: 'lb-node-3' });
    await c.setHttpMode(2, 'serve');
    expect(c.curl(vip4)).toMatchObject({ ok: true, node: 'lb-node-3' });
    c.flushNeighbors();
  });

  it("records a gap in the request stream while the answering node's LAN link is down", async () => {
    c.setNeighbor(vip4, node(0).mac);
    const stream = await c.requestStream(vip4, { intervalMs: 10, timeoutMs: 300 });
    await waitFor('answers before the fault', () => stream.records().filter((r) => r.node).length >= 20, { timeoutMs: 5000 });
    c.linkDown(0);
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, 500));
    // Taken before the link comes up: an answer may arrive while `ip` is still returning.
    const upAt = Date.now();
    c.linkUp(0);
    await waitFor('answers after the fault', () => stream.records().some((r) => r.node && r.t > upAt), { timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 200));
    const { summary } = await stream.stop();
    console.log('link down 500 ms:', summary);
    expect(summary.failed).toBeGreaterThan(0);
    expect(summary.maxGapMs).toBeGreaterThanOrEqual(450);
    expect(summary.gapFrom!).toBeLessThanOrEqual(downAt + 50);
    expect(summary.gapTo!).toBeGreaterThanOrEqual(upAt);
    expect(summary.recovered).toBe(true);
    expect(summary.byNode).toEqual({ 'lb-node-1': summary.ok });
    c.flushNeighbors();
  }, slowTest);

  it('freezes every process of a node and thaws them', async () => {
    c.setNeighbor(vip4, node(1).mac);
    const pids = c.freeze(1);
    try {
      expect(pids).toContain(node(1).http.child.pid);
      const state = execFileSync('ps', ['-o', 'stat=', '-p', String(node(1).http.child.pid)], { encoding: 'utf8' });
      expect(state.trim()).toMatch(/^T/);
      // The kernel completes the handshake; the frozen server never answers.
      expect(c.curl(vip4, { timeoutMs: 500 })).toMatchObject({ ok: false, status: 0 });
    } finally {
      c.thaw(1);
    }
    await waitFor('lb-node-2 answering again', () => c.curl(vip4).ok, { timeoutMs: 5000 });
    c.flushNeighbors();
  });

  it("cuts a node's API access without its LAN, its LAN without the API, and the API for every node", async () => {
    c.cutApi(0);
    expect(apiCut(0)).toBe(true);
    expect(api(1).ok).toBe(true);
    expect(ping(c.clientNs, node(0).lan.ipv4)).toBe(true);
    c.restoreApi(0);
    expect(api(0).ok).toBe(true);

    c.linkDown(0);
    expect(ping(c.clientNs, node(0).lan.ipv4)).toBe(false);
    expect(api(0).ok).toBe(true);
    c.linkUp(0);
    await waitFor('lb-node-1 back on the LAN', () => ping(c.clientNs, node(0).lan.ipv4), { timeoutMs: 5000 });

    c.linkDown(2, { side: 'node' });
    expect(ping(c.clientNs, node(2).lan.ipv4)).toBe(false);
    c.linkUp(2, { side: 'node' });
    await waitFor('lb-node-3 back on the LAN', () => ping(c.clientNs, node(2).lan.ipv6) && ping(c.remoteNs!, node(2).lan.ipv4), { timeoutMs: 5000 });

    c.linkDown(1, { link: 'management' });
    expect(apiCut(1)).toBe(true);
    expect(ping(c.clientNs, node(1).lan.ipv4)).toBe(true);
    c.linkUp(1, { link: 'management' });
    await waitFor('lb-node-2 back on the API', () => api(1).ok, { timeoutMs: 5000 });

    c.apiOutage();
    for (let i = 0; i < 3; i++) expect(apiCut(i)).toBe(true);
    expect(ping(c.clientNs, node(2).lan.ipv4)).toBe(true);
    c.endApiOutage();
    for (let i = 0; i < 3; i++) expect(api(i).ok).toBe(true);
  }, slowTest);

  it("'reject' refuses new API connections and resets a watch already open", async () => {
    const k = c.kubeSim!;
    const watch: SpawnedProcess = c.lab.spawn(node(2).ns, 'curl', ['-sS', '-N', '--cacert', k.caFile, '-H', `Authorization: Bearer ${k.token}`, `${k.url}/api/v1/nodes?watch=true`]);
    await waitFor('the watch streaming', () => watch.output().includes('ADDED'), { timeoutMs: 5000 });
    const started = Date.now();
    c.cutApi(2, 'reject');
    try {
      const r = api(2, '/api/v1/nodes', 3);
      expect(r.ok).toBe(false);
      expect(r.out).toMatch(/couldn't connect|refused|reset/i);
      await waitFor('the watch to end', () => watch.child.exitCode !== null, { timeoutMs: 3000 });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      c.restoreApi(2);
      await watch.stop();
    }
    expect(api(2).ok).toBe(true);
  });

  it('stops kube-sim and starts it again with the same URL, token and CA; pause hangs it', async () => {
    const k = c.kubeSim!;
    const url = k.url;
    k.pause();
    expect(apiCut(0)).toBe(true);
    k.resume();
    expect(api(0).ok).toBe(true);
    await k.stop();
    expect(k.running).toBe(false);
    expect(api(0).out).toMatch(/couldn't connect|refused/i);
    await k.start();
    expect(k.url).toBe(url);
    const r = api(0);
    expect(r.ok, r.out).toBe(true);
    expect(r.out).toContain('lb-node-3'); // the Node objects are loaded again
  }, slowTest);

  it('cuts UDP on the membership port between two nodes only, and restores it', () => {
    const server = c.lab.spawn(node(1).ns, process.execPath, ['-e', echoServer, '7946', '7947']);
    const reach = (from: number, proto: 'udp' | 'tcp', address: string, port: number): boolean =>
      c.lab.tryNs(node(from).ns, process.execPath, ['-e', probe, proto, address, String(port)]).ok;
    const b = node(1);
    return waitFor('the echo server', () => server.output().includes('echoing'), { timeoutMs: 5000 }).then(() => {
      expect(reach(0, 'udp', b.lan.ipv4, 7946)).toBe(true);
      c.cutMembership(0, 1);
      expect(reach(0, 'udp', b.lan.ipv4, 7946)).toBe(false);
      expect(reach(0, 'udp', b.lan.ipv6, 7946)).toBe(false);
      expect(reach(0, 'udp', b.lan.ipv4, 7947)).toBe(true); // another port
      expect(reach(0, 'tcp', b.lan.ipv4, 7946)).toBe(true); // TCP on the port
      expect(reach(2, 'udp', b.lan.ipv4, 7946)).toBe(true); // another node
      c.restoreMembership(0, 1);
      expect(reach(0, 'udp', b.lan.ipv4, 7946)).toBe(true);
      return server.stop();
    });
  }, slowTest);

  it('tells from a capture which MAC answered for which address, and when', async () => {
    const capture = await c.captureNeighbors();
    const garp = (i: number): void => {
      // Unsolicited: no reply comes, so arping exits 1.
      c.lab.tryNs(node(i).ns, 'arping', ['-U', '-S', vip4, '-i', c.plan.lanInterface, '-c', '1', '-w', '1', vip4]);
    };
    garp(0);
    garp(1);
    expect(c.arping(node(2).lan.ipv4).received).toBe(1);
    expect(c.ndisc6(node(2).lan.ipv6)).toBe(node(2).mac);
    const frames = await capture.stop();
    const answers = answersByAddress(frames);
    expect(answers.get(vip4)?.map((a) => a.mac)).toEqual([node(0).mac, node(1).mac]);
    expect(ownerChanges(frames, vip4).map((ch) => c.nodeByMac(ch.mac)?.name)).toEqual(['lb-node-1', 'lb-node-2']);
    expect(answers.get(node(2).lan.ipv4)).toMatchObject([{ mac: node(2).mac, count: 1 }]);
    expect(answers.get(node(2).lan.ipv6)?.[0]?.mac).toBe(node(2).mac);
    expect(frames.find((f) => f.kind === 'request' && f.address === node(2).lan.ipv4)?.mac).toBe(c.lab.mac(c.clientNs, c.clientInterface));
  });

  it('installs one route with two next hops from two gobgpd announcing the same /32 and /128, and the remote client reaches both nodes', async () => {
    const router = c.router!;
    const routerLan = c.plan.router!.lan;
    const speakers = [node(0), node(1)].map((n) => {
      const d = startGobgpd(c.lab, n.ns, { asn: 64512, routerId: n.lan.ipv4, neighbors: [{ address: routerLan.ipv4, asn: 64512, passive: true }] });
      return { n, d };
    });
    for (const { n, d } of speakers) {
      await waitForNeighbor(d, routerLan.ipv4, 'established');
      d.control(['global', 'rib', 'add', '-a', 'ipv4', `${vip4}/32`, 'nexthop', n.lan.ipv4]);
      d.control(['global', 'rib', 'add', '-a', 'ipv6', `${vip6}/128`, 'nexthop', n.lan.ipv6]);
    }
    const hops4 = await waitFor('two IPv4 next hops in the router kernel', () => {
      const h = router.kernelNextHops(`${vip4}/32`);
      return h.length === 2 ? h : undefined;
    }, { timeoutMs: 15_000, intervalMs: 250 });
    expect(hops4.sort()).toEqual([node(0).lan.ipv4, node(1).lan.ipv4]);
    const hops6 = await waitFor('two IPv6 next hops in the router kernel', () => {
      const h = router.kernelNextHops(`${vip6}/128`);
      return h.length === 2 ? h : undefined;
    }, { timeoutMs: 15_000, intervalMs: 250 });
    expect(hops6.sort()).toEqual([node(0).lan.ipv6, node(1).lan.ipv6]);
    expect(router.routes('ipv4-unicast').filter((r) => r.prefix === `${vip4}/32`)).toHaveLength(2);

    // The L4 hash spreads connections (new source ports) over both nodes.
    for (const vip of [vip4, vip6]) {
      const seen = new Set<string>();
      for (let i = 0; i < 24 && seen.size < 2; i++) {
        const r = c.curl(vip, { from: 'remote' });
        expect(r.ok, r.error).toBe(true);
        seen.add(r.node!);
      }
      expect([...seen].sort()).toEqual(['lb-node-1', 'lb-node-2']);
    }
    // bfdd runs and has a session per speaker (down: gobgpd speaks no BFD).
    expect(router.bfdPeers().map((p) => p.peer).sort()).toEqual([node(0).lan.ipv4, node(1).lan.ipv4]);
    for (const { d } of speakers) await d.stop();
  }, slowTest);

  it('removes every namespace, link and process on cleanup', async () => {
    const prefix = c.lab.prefix;
    const pids = [c.kubeSim!.process.child.pid, ...c.lab.namespaceNames.flatMap((ns) => execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean).map(Number))];
    expect(pids.length).toBeGreaterThan(5);
    const rootLink = c.apiLink;
    await c.cleanup();
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(prefix);
    expect(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })).not.toContain(rootLink);
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid as number, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(c.lab.workDir);
  });
});

describe('ClusterLab.start failing', () => {
  it('removes what it had made before throwing', async () => {
    requireNetworkLab();
    const before = { ns: execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }), links: execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' }).split('\n').length };
    // kube-sim exits on a manifest that does not exist, after the network was built.
    await expect(ClusterLab.start({ tag: 'nl', nodes: 1, kubeSim: { files: ['/nonexistent/netlab.yaml'] } })).rejects.toThrow(/kube-sim listening.*exited/s);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).toBe(before.ns);
    expect(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' }).split('\n').length).toBe(before.links);
  }, slowTest);
});
