// BGP mode end to end, in one shared lab (test/bgp-lab.ts): kube-sim, the real controller, three
// real lb-speaker processes in node namespaces peering with FRR (zebra ECMP, L4 multipath hash,
// bfdd, graceful restart helper), each node's HTTP server answering its name, and a client behind
// the router sending a request every 10 ms. Needs root; run under `flock /tmp/lb-lab.lock`.
// About 60-80 s on a quiet 2-core machine.
import { requireNetworkLab, waitFor } from '@lb/netlab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BgpSessionStates } from '../src/process/session-states.js';
import { BgpLab, ROUTER } from './bgp-lab.js';
import { NAMESPACE } from './lab.js';

const slow = 120_000;

describe('lb-speaker over BGP, end to end', () => {
  let lab: BgpLab;
  let ip: string;

  beforeAll(async () => {
    requireNetworkLab(['zebra', 'bgpd', 'bfdd', 'vtysh', 'curl', 'nft']);
    const started = performance.now();
    lab = await BgpLab.start({ peer: { bfd: true } });
    ip = await lab.service('web');
    await lab.allPaths(ip, { bfd: true, timeoutMs: 60_000 });
    console.log(`BGP lab up in ${Math.round(performance.now() - started)} ms`);
  }, slow);
  afterAll(async () => {
    await lab?.cleanup();
  });

  it('announces from every node: the router routes over all three, the client behind it reaches each', async () => {
    expect(lab.paths(ip).sort()).toEqual([...lab.nodeAddresses].sort());
    const stream = await lab.speakers.cluster.requestStream(ip, { intervalMs: 10, from: 'remote' });
    await waitFor('answers from every node', () => new Set(stream.records().map((r) => r.node)).size === 3, { timeoutMs: 10_000, intervalMs: 100 });
    const { summary } = await stream.stop();
    expect(summary.failed).toBe(0);
    expect(Object.keys(summary.byNode).sort()).toEqual(['lb-node-1', 'lb-node-2', 'lb-node-3']);
  }, slow);

  it('writes one BGPSessionState per node and peer (Established, BFD Up)', async () => {
    const states = await waitFor('three BGPSessionStates, each Established with BFD up', async () => {
      const list = await lab.speakers.client.list(BgpSessionStates, { namespace: NAMESPACE });
      const items = list.items as Array<{ status?: { node?: string; peer?: string; bgpStatus?: string; bfdStatus?: string } }>;
      return items.length === 3 && items.every((s) => s.status?.bgpStatus === 'Established' && s.status.bfdStatus === 'Up') ? items : undefined;
    }, { timeoutMs: 20_000, intervalMs: 500 });
    expect(states.map((s) => s.status?.node).sort()).toEqual(['lb-node-1', 'lb-node-2', 'lb-node-3']);
    expect(new Set(states.map((s) => s.status?.peer))).toEqual(new Set([ROUTER]));
  }, slow);

  it('rolling kill -9 and start of all three speakers (graceful restart): no failed request', async () => {
    const r = await lab.rollingRestart(ip, 'kill9');
    console.log(`rolling kill -9: ${r.summary.sent} requests, ${r.summary.failed} failed, longest gap ${r.summary.maxGapMs} ms, per node ${r.perNodeMs.map(Math.round).join('/')} ms`);
    expect(r.failures).toEqual([]);
    expect(r.summary.sent).toBeGreaterThan(300);
    // Each restarted process told the router so in its first OPEN (RFC 4724's R bit).
    expect(lab.nodeAddresses.map((a) => lab.router.restartStateBit(a))).toEqual([true, true, true]);
  }, slow);

  it('rolling SIGTERM (withdraw, drain, exit) and start of all three: no failed request', async () => {
    const r = await lab.rollingRestart(ip, 'sigterm');
    console.log(`rolling SIGTERM: ${r.summary.sent} requests, ${r.summary.failed} failed, longest gap ${r.summary.maxGapMs} ms, per node ${r.perNodeMs.map(Math.round).join('/')} ms`);
    expect(r.failures).toEqual([]);
  }, slow);

  it('a router whose bgpd is killed and started again gets every path back from the speakers', async () => {
    const killed = performance.now();
    await lab.restartRouterBgpd();
    await lab.allPaths(ip, { bfd: true, timeoutMs: 60_000 });
    console.log(`router bgpd kill -9 and start: all three paths back ${Math.round(performance.now() - killed)} ms after the kill`);
    // The speakers did not restart: their reconnections do not set the R bit.
    expect(lab.nodeAddresses.map((a) => lab.router.restartStateBit(a))).toEqual([false, false, false]);
    const stream = await lab.speakers.cluster.requestStream(ip, { intervalMs: 10, from: 'remote' });
    await waitFor('answers from every node again', () => new Set(stream.records().map((r) => r.node)).size === 3, { timeoutMs: 10_000, intervalMs: 100 });
    expect((await stream.stop()).summary.failed).toBe(0);
  }, slow);

  it('a frozen node leaves the router within a second with BFD (3 × 100 ms), seen from the request stream', async () => {
    const r = await lab.freezeNode(ip, { bfd: true, timeoutMs: 10_000 });
    console.log(`BFD node freeze: ${JSON.stringify(r)}`);
    expect(r.routerMs).toBeLessThan(1000);
    expect(r.gapMs).toBeLessThan(1000);
  }, slow);
});
