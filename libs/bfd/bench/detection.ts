// Detection time against FRR's bfdd, side by side: bfdd frozen (SIGSTOP) and our process
// reports down; our process frozen and bfdd reports down. Ours is also measured from the last
// packet received, which is what the detection time is defined from (RFC 5880 §6.8.4).
import { setTimeout as sleep } from 'node:timers/promises';
import { round, spreadRows, summarize, type BenchResult } from '@lb/bench-kit';
import { waitFor } from '@lb/netlab';
import { OurBfd } from '../test/helpers/our-process.js';
import { bfdLab } from '../test/helpers/topology.js';

export async function detectionRows(failures: number): Promise<BenchResult[]> {
  const net = bfdLab('bfbd');
  const ours = OurBfd.start(net.lab, net.us);
  const rows: BenchResult[] = [];
  try {
    for (const [n, interval] of [[1, 100], [2, 50]] as const) {
      const configured = 3 * interval;
      const pair = net.pair(n);
      net.bfdd.addPeer({ peer: pair.ours, local: pair.theirs, receiveInterval: interval, transmitInterval: interval, detectMultiplier: 3 });
      const key = await ours.add({ localAddress: pair.ours, peerAddress: pair.theirs, profile: { receiveInterval: interval, transmitInterval: interval, detectMultiplier: 3 } });
      const fromLast: number[] = [];
      const oursFromFreeze: number[] = [];
      const frrFromFreeze: number[] = [];
      const settled = async (): Promise<void> => {
        await waitFor(`${key} up at ${interval} ms`, async () => {
          const s = await ours.session(key);
          const frr = net.bfdd.peer(pair.ours, pair.theirs);
          return s.state === 'Up' && !s.pollInProgress && s.timers.detectionTime === configured && frr?.status === 'up' && frr['remote-transmit-interval'] === interval;
        }, { timeoutMs: 20_000, intervalMs: 200 });
        await sleep(500 + Math.random() * interval);
      };
      for (let i = 0; i < failures; i++) {
        await settled();
        let frozenAt = Date.now();
        net.bfdd.pause();
        try {
          const down = await ours.waitFor('down', key, { since: frozenAt, timeoutMs: 10_000 });
          fromLast.push(down.event.silence ?? Number.NaN);
          oursFromFreeze.push(down.at - frozenAt);
        } finally {
          net.bfdd.resume();
        }
        await settled();
        frozenAt = Date.now();
        ours.process.child.kill('SIGSTOP');
        try {
          const change = await waitFor('bfdd reports down', () => net.bfdd.stateChanges().find((c) => c.peer === pair.ours && c.to === 'down' && c.at >= frozenAt - 5), { timeoutMs: 10_000, intervalMs: 20 });
          frrFromFreeze.push(change.at - frozenAt);
        } finally {
          ours.process.child.kill('SIGCONT');
        }
      }
      const label = `detection 3x${interval}ms`;
      const ratio = (samples: number[]) => summarize(samples.map((s) => s / configured));
      rows.push(...spreadRows(`${label} ours, from last packet: measured/configured`, ratio(fromLast), 'ratio', 1.2));
      rows.push(...spreadRows(`${label} ours, from freeze of bfdd: measured/configured`, ratio(oursFromFreeze), 'ratio', null));
      rows.push(...spreadRows(`${label} FRR bfdd, from freeze of ours: measured/configured`, ratio(frrFromFreeze), 'ratio', null));
      rows.push({ name: `${label} failures measured (each side)`, value: failures, unit: 'count', limit: null });
      rows.push({ name: `${label} ours/FRR from freeze (median ratio)`, value: round(summarize(oursFromFreeze).median / summarize(frrFromFreeze).median), unit: 'ratio', limit: null });
      await ours.request({ cmd: 'remove', session: key, immediately: true });
    }
  } finally {
    await ours.stop();
    await net.lab.cleanup();
  }
  return rows;
}

/** An idle link at 3 x 50 ms for `minutes`: no Down on either side. */
export async function idleRows(minutes: number): Promise<BenchResult[]> {
  const net = bfdLab('bfbi');
  const ours = OurBfd.start(net.lab, net.us);
  try {
    const pair = net.pair(1);
    net.bfdd.addPeer({ peer: pair.ours, local: pair.theirs, receiveInterval: 50, transmitInterval: 50, detectMultiplier: 3 });
    const key = await ours.add({ localAddress: pair.ours, peerAddress: pair.theirs, profile: { receiveInterval: 50, transmitInterval: 50, detectMultiplier: 3 } });
    await waitFor('up at 3 x 50 ms', async () => {
      const s = await ours.session(key);
      return s.state === 'Up' && !s.pollInProgress && s.timers.detectionTime === 150 && net.bfdd.peer(pair.ours, pair.theirs)?.['remote-transmit-interval'] === 50;
    }, { timeoutMs: 20_000, intervalMs: 200 });
    const start = Date.now();
    const frrDownsBefore = net.bfdd.counters()[0]?.['session-down'] ?? 0;
    await sleep(minutes * 60_000);
    const oursDown = ours.eventsOf('down', key, start).length;
    const frrDown = (net.bfdd.counters()[0]?.['session-down'] ?? 0) - frrDownsBefore;
    const s = await ours.session(key);
    return [
      { name: 'idle link 3x50ms: minutes observed', value: round((Date.now() - start) / 60_000), unit: 'min', limit: null },
      { name: 'idle link 3x50ms: false Down (ours)', value: oursDown, unit: 'count', limit: 0 },
      { name: 'idle link 3x50ms: false Down (FRR bfdd)', value: frrDown, unit: 'count', limit: 0 },
      { name: 'idle link 3x50ms: control packets received (ours)', value: s.stats.controlReceived, unit: 'count', limit: null },
    ];
  } finally {
    await ours.stop();
    await net.lab.cleanup();
  }
}
