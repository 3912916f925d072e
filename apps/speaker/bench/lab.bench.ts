// speaker:bench, the lab part (root, network namespaces; run under `flock /tmp/lb-lab.lock`): real
// lb-speaker processes in the SpeakerLab (kube-sim, controller, 3 nodes, client). Measures, over
// SPEAKER_LAB_RUNS runs each (default 10):
//   - node failure with a request every 10 ms from the client: the owner's LAN link down, and the
//     owner frozen (SIGSTOP of its namespace): traffic gap, detection (the new owner's "dead" log
//     line) and takeover (its first gratuitous ARP seen by the client), each from the fault;
//   - kill -9 of the owner's speaker: kill → the new owner's first gratuitous ARP at the client, and
//     failed requests;
//   - Service created (API create of Service + EndpointSlice) → first ARP reply at the client.
//   - 1,000 Services created at once → every address answered from the client; the speakers' RSS.
// SPEAKER_LAB_SECTIONS=failover,kill,create,bulk chooses. Rows measured replace those of the last
// run in bench-results/speaker.json; the other rows stay.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchResultsDir, round, spreadRows, summarize, writeResults, type BenchResult } from '@lb/bench-kit';
import { ownerChanges, requireNetworkLab, type NeighborFrame } from '@lb/netlab';
import { Services } from '@lb/k8s-watch';
import { SpeakerLab } from '../test/lab.js';

const runs = Number(process.env['SPEAKER_LAB_RUNS'] ?? 10);
const sections = new Set((process.env['SPEAKER_LAB_SECTIONS'] ?? 'failover,kill,create,bulk').split(','));
const rows: BenchResult[] = [];
const log = (text: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${text}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

requireNetworkLab(['arping', 'tcpdump', 'curl', 'nft', 'ss']);
const lab = await SpeakerLab.start({ tag: 'sl2b' });
try {
  await lab.settled();
  const ip = await lab.service('bench');
  let home = await lab.owner(ip);
  log(`${ip} announced from ${home}`);

  /** The first claim (gratuitous ARP or reply) of `ip` by a node other than `home`, ms since the epoch. */
  const takeoverAt = (frames: readonly NeighborFrame[], from: string): { node: string; at: number } | undefined => {
    const change = ownerChanges(frames, ip).find((c) => c.mac !== lab.cluster.node(from).mac);
    const node = change ? lab.cluster.nodeByMac(change.mac)?.name : undefined;
    return change && node ? { node, at: Number(change.timeNs / 1000n) / 1000 } : undefined;
  };
  /** When `node`'s speaker logged that `dead` died (ms since the epoch). */
  const declaredAt = (node: string, dead: string, after: number): number | undefined => {
    const file = lab.speakers[lab.nodeIndex(node)]?.logFile;
    if (!file) return undefined;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.includes('membership: dead') || !line.includes(`"member":"${dead}"`)) continue;
      const t = Date.parse((JSON.parse(line) as { time: string }).time);
      if (t >= after) return t;
    }
    return undefined;
  };
  const settleHome = async () => {
    home = await lab.owner(ip, (n) => n === home, 30_000);
    await lab.settled();
    await sleep(300);
  };

  for (const fault of sections.has('failover') ? (['link-down', 'freeze'] as const) : []) {
    const gaps: number[] = [];
    const detections: number[] = [];
    const takeovers: number[] = [];
    for (let run = 0; run < runs; run++) {
      const capture = await lab.cluster.captureNeighbors();
      const stream = await lab.cluster.requestStream(ip, { intervalMs: 10 });
      await sleep(500);
      const at = Date.now();
      if (fault === 'link-down') lab.cluster.linkDown(home);
      else lab.cluster.freeze(home);
      let next: string | undefined;
      try {
        next = await lab.owner(ip, (n) => n !== home, 5000);
        await sleep(1000);
      } finally {
        if (fault === 'link-down') lab.cluster.linkUp(home);
        else lab.cluster.thaw(home);
      }
      const { summary } = await stream.stop();
      const frames = await capture.stop();
      const takeover = takeoverAt(frames, home);
      const declared = declaredAt(next, home, at);
      gaps.push(summary.maxGapMs);
      if (takeover) takeovers.push(takeover.at - at);
      if (declared !== undefined) detections.push(declared - at);
      log(`${fault} ${run + 1}/${runs}: gap ${summary.maxGapMs} ms, detection ${declared !== undefined ? declared - at : '?'} ms, takeover ${takeover ? round(takeover.at - at) : '?'} ms by ${next}`);
      await settleHome();
    }
    rows.push(...spreadRows(`lab-${fault}-traffic-gap`, summarize(gaps), 'ms', 500));
    rows.push({ name: `lab-${fault}-traffic-gap-max-limit`, value: Math.max(...gaps), unit: 'ms', limit: 1000 });
    if (detections.length > 0) rows.push(...spreadRows(`lab-${fault}-detection`, summarize(detections), 'ms', null));
    if (takeovers.length > 0) rows.push(...spreadRows(`lab-${fault}-takeover-first-gratuitous`, summarize(takeovers), 'ms', null));
  }

  if (sections.has('kill')) {
    const takeovers: number[] = [];
    const failed: number[] = [];
    for (let run = 0; run < runs; run++) {
      const i = lab.nodeIndex(home);
      const capture = await lab.cluster.captureNeighbors();
      const stream = await lab.cluster.requestStream(ip, { intervalMs: 10 });
      await sleep(500);
      const at = Date.now();
      await lab.signalSpeaker(i, 'SIGKILL');
      await lab.owner(ip, (n) => n !== home, 5000);
      await sleep(500);
      const { summary } = await stream.stop();
      const takeover = takeoverAt(await capture.stop(), home);
      if (takeover) takeovers.push(takeover.at - at);
      failed.push(summary.failed);
      log(`kill -9 ${run + 1}/${runs}: takeover ${takeover ? round(takeover.at - at) : '?'} ms, ${summary.failed} failed of ${summary.sent}`);
      await lab.startSpeaker(i);
      await settleHome();
    }
    rows.push(...spreadRows('lab-kill-9-takeover-first-gratuitous', summarize(takeovers), 'ms', 500));
    rows.push({ name: 'lab-kill-9-failed-requests-max', value: Math.max(...failed), unit: 'requests', limit: 0 });
  }

  if (sections.has('create')) {
    const latencies: number[] = [];
    for (let run = 0; run < runs; run++) {
      const address = `172.16.16.${200 + run}`;
      const capture = await lab.cluster.captureNeighbors();
      // arping every 10 ms from the client while the Service is created.
      const arping = lab.cluster.lab.spawn(lab.cluster.clientNs, 'arping', ['-I', lab.cluster.clientInterface, '-c', '400', '-W', '0.01', address]);
      await sleep(300);
      const at = Date.now();
      await lab.createService(`created-${run}`, { annotations: { 'metallb.universe.tf/loadBalancerIPs': address } });
      await lab.owner(address, () => true, 5000);
      await arping.stop(100);
      const reply = (await capture.stop()).find((f) => f.address === address && f.kind === 'reply');
      if (reply) latencies.push(Number(reply.timeNs / 1000n) / 1000 - at);
      log(`created ${run + 1}/${runs}: first ARP reply after ${reply ? round(Number(reply.timeNs / 1000n) / 1000 - at) : '?'} ms`);
    }
    rows.push(...spreadRows('lab-service-created-to-first-arp-reply', summarize(latencies), 'ms', 300));
  }

  const bulk = Number(process.env['SPEAKER_LAB_BULK'] ?? 1000);
  if (bulk > 0 && sections.has('bulk')) {
    // `bulk` Services created at once (Service + EndpointSlice each, 32 writes in flight), then
    // every address answered from the client: arping sweeps (32 in parallel) over the addresses not
    // answered yet (each exits at its first reply), until none is left.
    const names = Array.from({ length: bulk }, (_, i) => `bulk-${i}`);
    const at = Date.now();
    for (let i = 0; i < names.length; i += 32) {
      await Promise.all(names.slice(i, i + 32).map((name) => lab.createService(name, { annotations: { 'metallb.universe.tf/address-pool': 'bulk' } })));
    }
    const created = Date.now() - at;
    const wanted = new Set(names);
    let pending: string[] = [];
    while (Date.now() - at < 180_000) {
      const list = (await lab.client.list(Services, { namespace: 'default' })).items as Array<{ metadata?: { name?: string }; status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } } }>;
      pending = list.filter((svc) => wanted.has(svc.metadata?.name ?? '')).flatMap((svc) => svc.status?.loadBalancer?.ingress?.map((i) => i.ip as string) ?? []);
      if (pending.length === bulk) break;
      await sleep(200);
    }
    const assigned = Date.now() - at;
    let sweeps = 0;
    while (pending.length > 0 && Date.now() - at < 240_000) {
      sweeps += 1;
      const script = `xargs -P 32 -n 1 sh -c 'arping -q -c 1 -C 1 -w 1 -I ${lab.cluster.clientInterface} "$0" && echo "$0"'`;
      const answered = new Set(lab.cluster.lab.tryNs(lab.cluster.clientNs, 'sh', ['-c', script], { input: pending.join('\n'), timeoutMs: 120_000 }).stdout.split('\n').filter(Boolean));
      pending = pending.filter((a) => !answered.has(a));
    }
    if (pending.length > 0) throw new Error(`${pending.length} of ${bulk} addresses never answered, e.g. ${pending.slice(0, 5).join(', ')}`);
    const all = Date.now() - at;
    log(`${bulk} Services: API writes done in ${created} ms, all assigned by the controller after ${assigned} ms, all answered after ${all} ms (${sweeps} arping sweeps)`);
    rows.push({ name: `lab-${bulk}-services-created-to-all-assigned`, value: assigned, unit: 'ms', limit: null });
    rows.push({ name: `lab-${bulk}-services-created-to-all-answered`, value: all, unit: 'ms', limit: 10_000 });
    rows.push({ name: `lab-${bulk}-services-api-writes-done`, value: created, unit: 'ms', limit: null });
    for (const [i, proc] of lab.speakers.entries()) {
      const rss = (pid: number | undefined) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
      rows.push({ name: `lab-${bulk}-services-speaker-rss-node-${i + 1}`, value: round(rss(proc?.child.pid)), unit: 'MiB', limit: 150 });
    }
  }
} finally {
  await lab.cleanup();
}

// Keep the rows of the last runs (the simulation's, sections not run now); replace those measured now.
const file = join(benchResultsDir(), 'speaker.json');
let kept: BenchResult[] = [];
const fresh = new Set(rows.map((r) => r.name));
try {
  kept = (JSON.parse(readFileSync(file, 'utf8')) as BenchResult[]).filter((r) => !fresh.has(r.name));
} catch {
  // first run
}
writeResults('speaker', [...kept, ...rows]);
