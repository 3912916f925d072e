// 1,000 sessions at 3 x 300 ms in one process (A), their peers in a second process of ours (B),
// over loopback in a namespace of their own. CPU is each process's own (user + system) time over
// windows of steady state, as a share of one core.
import { setTimeout as sleep } from 'node:timers/promises';
import { spreadRows, summarize, round, type BenchResult } from '@lb/bench-kit';
import { Lab, requireNetworkLab, waitFor } from '@lb/netlab';
import { OurBfd } from '../test/helpers/our-process.js';

interface Cpu {
  user: number;
  system: number;
  wallMs: number;
  loopDelay: { maxMs: number; p99Ms: number };
}

export async function scaleRows(sessions: number, windows: number, windowMs: number): Promise<BenchResult[]> {
  requireNetworkLab();
  const lab = new Lab('bfbs');
  const ns = lab.namespace('lo');
  // Only up and down cross the IPC channel: thousands of state and timers events would load the
  // processes measured.
  const a = OurBfd.start(lab, ns, { forward: ['up', 'down'] });
  const b = OurBfd.start(lab, ns, { forward: ['up', 'down'] });
  const profile = { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 };
  const hub = '127.0.1.1';
  try {
    for (let i = 0; i < sessions; i++) {
      const peer = `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
      await a.add({ localAddress: hub, peerAddress: peer, profile });
      await b.add({ localAddress: peer, peerAddress: hub, profile });
    }
    await waitFor(`${sessions} sessions up at 300 ms`, async () => {
      const all = [...(await a.sessions()), ...(await b.sessions())];
      return all.every((s) => s.state === 'Up' && !s.pollInProgress && s.timers.transmitInterval === 300);
    }, { timeoutMs: 120_000, intervalMs: 2000 });
    const since = Date.now();
    const cpu = async (p: OurBfd): Promise<Cpu> => (await p.request({ cmd: 'cpu' })) as Cpu;
    const shares = { a: [] as number[], b: [] as number[] };
    const delays: number[] = [];
    const snmp = (): number => Number(/Udp: (?:\d+ ){4}(\d+)/.exec(lab.ns(ns, 'cat', ['/proc/net/snmp']).stdout.split('\n').filter((l) => l.startsWith('Udp:'))[1] ?? '')?.[1] ?? 0);
    const rcvbufErrorsBefore = snmp();
    const inBefore = (await a.counters()).controlIn;
    for (let w = 0; w < windows; w++) {
      const [a0, b0] = [await cpu(a), await cpu(b)];
      await sleep(windowMs);
      const [a1, b1] = [await cpu(a), await cpu(b)];
      const share = (x: Cpu, y: Cpu): number => (100 * (y.user - x.user + y.system - x.system)) / 1000 / (y.wallMs - x.wallMs);
      shares.a.push(share(a0, a1));
      shares.b.push(share(b0, b1));
      delays.push(a1.loopDelay.maxMs, b1.loopDelay.maxMs);
    }
    const seconds = (Date.now() - since) / 1000;
    const packetsPerSecond = ((await a.counters()).controlIn - inBefore) / seconds;
    const falseDowns = a.events.filter((e) => e.name === 'down' && e.at >= since).length + b.events.filter((e) => e.name === 'down' && e.at >= since).length;
    const label = `scale ${sessions} sessions 3x300ms`;
    return [
      ...spreadRows(`${label}: CPU of one core, process with all sessions on one address`, summarize(shares.a), '%', 25),
      ...spreadRows(`${label}: CPU of one core, peer process (one address per session)`, summarize(shares.b), '%', null),
      { name: `${label}: control packets received per second (one process)`, value: round(packetsPerSecond), unit: 'packets/s', limit: null },
      { name: `${label}: false Down over ${round(seconds)} s (both processes)`, value: falseDowns, unit: 'count', limit: 0 },
      { name: `${label}: worst event-loop delay in a window (both processes)`, value: round(Math.max(...delays)), unit: 'ms', limit: null },
      { name: `${label}: datagrams the kernel dropped for full receive buffers`, value: snmp() - rcvbufErrorsBefore, unit: 'count', limit: null },
    ];
  } finally {
    await a.stop();
    await b.stop();
    await lab.cleanup();
  }
}
