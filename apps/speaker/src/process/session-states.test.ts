// SessionStateWriter against kube-sim serving the chart's BGPSessionState CRD.
import { join } from 'node:path';
import { connect, type KubeClient } from '@lb/k8s-watch';
import { start, type KubeSim } from '@lb/kube-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BgpSessionStatus } from '../bgp/bgp-mode.js';
import { createLogger } from './log.js';
import { BgpSessionStates, SessionStateWriter } from './session-states.js';
import { waitFor } from '@lb/netlab';

const crd = join(import.meta.dirname, '..', '..', '..', '..', 'charts', 'lb', 'crds', 'frrk8s.metallb.io_bgpsessionstates.yaml');
const namespace = 'metallb-system';
const session = (peer: string, address: string, bgpStatus: string, bfdStatus: BgpSessionStatus['bfdStatus'] = 'N/A'): BgpSessionStatus => ({
  peer,
  address,
  state: 'idle',
  bgpStatus,
  bfdStatus,
  announcedPrefixes: 0,
  pendingPrefixes: 0,
  problems: [],
});

describe('SessionStateWriter', () => {
  let sim: KubeSim;
  let client: KubeClient;

  beforeAll(async () => {
    sim = await start({ files: [crd] });
    client = await connect({ kubeconfig: sim.kubeconfigPath });
    await client.create({ group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false } as never, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  });
  afterAll(async () => {
    client?.close();
    await sim?.stop();
  });

  const states = async () => {
    const list = await client.list(BgpSessionStates, { namespace });
    return list.items.map((o) => ({ name: o.metadata?.name, labels: o.metadata?.labels, status: o.status })).sort((a, b) => String(a.name).localeCompare(String(b.name)));
  };

  it('keeps one object per node and peer equal to the sessions, and removes those of peers gone', async () => {
    let sessions = [session('router', '172.30.0.3', 'Active', 'Down'), session('router-v6', 'fd30::3', 'Idle')];
    const writer = new SessionStateWriter({ client, log: createLogger('error'), namespace, node: 'lb-node-1', sessions: () => sessions });
    writer.start();
    const first = await waitFor('two states', async () => ((await states()).length === 2 ? states() : undefined), { timeoutMs: 10_000, intervalMs: 100 });
    expect(first).toEqual([
      { name: 'lb-node-1-router', labels: { 'frrk8s.metallb.io/node': 'lb-node-1', 'frrk8s.metallb.io/peer': '172.30.0.3', 'frrk8s.metallb.io/vrf': '' }, status: { node: 'lb-node-1', peer: '172.30.0.3', vrf: '', bgpStatus: 'Active', bfdStatus: 'Down' } },
      { name: 'lb-node-1-router-v6', labels: { 'frrk8s.metallb.io/node': 'lb-node-1', 'frrk8s.metallb.io/peer': 'fd30--3', 'frrk8s.metallb.io/vrf': '' }, status: { node: 'lb-node-1', peer: 'fd30::3', vrf: '', bgpStatus: 'Idle', bfdStatus: 'N/A' } },
    ]);
    sessions = [session('router', '172.30.0.3', 'Established', 'Up')];
    await waitFor('the update and the removal', async () => {
      const now = await states();
      return now.length === 1 && (now[0]?.status as { bgpStatus?: string }).bgpStatus === 'Established' ? now : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100 });
    await writer.stop();

    // A restarted speaker takes over the objects its node's earlier process made.
    sessions = [session('router', '172.30.0.3', 'Connect', 'Down')];
    const again = new SessionStateWriter({ client, log: createLogger('error'), namespace, node: 'lb-node-1', sessions: () => sessions });
    again.start();
    await waitFor('the restarted writer to update', async () => ((await states())[0]?.status as { bgpStatus?: string }).bgpStatus === 'Connect', { timeoutMs: 10_000, intervalMs: 100 });
    await again.stop();
    expect((await states()).map((s) => s.name)).toEqual(['lb-node-1-router']);
  });
});
