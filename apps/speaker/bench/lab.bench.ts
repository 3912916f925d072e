// speaker:bench, the lab part (root, network namespaces; run under `flock /tmp/lb-lab.lock`): real
// lb-speaker processes in the SpeakerLab (kube-sim, controller, 3 nodes, client). Measures, over
// SPEAKER_LAB_RUNS runs each (default 10):
//   - node failure with a request every 10 ms from the client: the owner's LAN link down, and the
//     owner frozen (SIGSTOP of its namespace): traffic gap, detection (the new owner's "dead" log
//     line) and takeover (its first gratuitous ARP seen by the client), each from the fault;
//   - kill -9 of the owner's speaker: kill → the new owner's first gratuitous ARP at the client, and
//     failed requests;
//   - the handback after the hold-down (link down and freeze runs): the request stream's gap;
//   - Service created (API create of Service + EndpointSlice, and `kubectl create -f -`) → first
//     ARP reply at the client.
//   - 1,000 Services created at once → every address answered from the client (the first ARP reply
//     to the client kernel's own requests, in a capture); the speakers' RSS and fences.
// SPEAKER_LAB_SECTIONS=failover,kill,create,bulk chooses; SPEAKER_LAB_TAG names the lab's namespaces;
// SPEAKER_LAB_SPEAKER_NODE_ARGS / SPEAKER_LAB_CONTROLLER_NODE_ARGS add node flags (e.g. --cpu-prof). Rows measured replace those of the last
// run in bench-results/speaker.json; the other rows stay.
import { type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchResultsDir, round, spreadRows, summarize, writeResults, type BenchResult } from '@lb/bench-kit';
import { answerKinds, ownerChanges, requireNetworkLab, waitFor, type NeighborFrame } from '@lb/netlab';
import { EndpointSlices, Services } from '@lb/k8s-watch';
import { SpeakerLab } from '../test/lab.js';

const runs = Number(process.env['SPEAKER_LAB_RUNS'] ?? 10);
const sections = new Set((process.env['SPEAKER_LAB_SECTIONS'] ?? 'failover,kill,create,bulk').split(','));
const rows: BenchResult[] = [];
const log = (text: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${text}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

requireNetworkLab(['arping', 'tcpdump', 'curl', 'nft', 'ss']);
const lab = await SpeakerLab.start({ tag: process.env['SPEAKER_LAB_TAG'] ?? 'sl2b' });
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
    const handbacks: number[] = [];
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
      // The handback once the hold-down ends: the client's requests keep flowing through it.
      const back = await lab.cluster.requestStream(ip, { intervalMs: 10 });
      await settleHome();
      await waitFor('the stream to reach home again', () => back.records().some((r) => r.node === home), { timeoutMs: 5000 });
      const handback = (await back.stop()).summary;
      handbacks.push(handback.maxGapMs);
      log(`${fault} ${run + 1}/${runs}: gap ${summary.maxGapMs} ms, detection ${declared !== undefined ? declared - at : '?'} ms, takeover ${takeover ? round(takeover.at - at) : '?'} ms by ${next}; handback gap ${handback.maxGapMs} ms`);
    }
    rows.push(...spreadRows(`lab-${fault}-handback-traffic-gap`, summarize(handbacks), 'ms', 1000));
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
    // The same from `kubectl create -f -` (Service + EndpointSlice): what a user sees, kubectl's own start included.
    const viaKubectl: number[] = [];
    for (let run = 0; run < runs; run++) {
      const address = `172.16.16.${230 + run}`;
      const capture = await lab.cluster.captureNeighbors();
      const arping = lab.cluster.lab.spawn(lab.cluster.clientNs, 'arping', ['-I', lab.cluster.clientInterface, '-c', '400', '-W', '0.01', address]);
      await sleep(300);
      const at = Date.now();
      lab.kubectlCreateService(`kubectl-${run}`, { annotations: { 'metallb.universe.tf/loadBalancerIPs': address } });
      await lab.owner(address, () => true, 5000);
      await arping.stop(100);
      const reply = (await capture.stop()).find((f) => f.address === address && f.kind === 'reply');
      if (reply) viaKubectl.push(Number(reply.timeNs / 1000n) / 1000 - at);
      log(`kubectl create ${run + 1}/${runs}: first ARP reply after ${reply ? round(Number(reply.timeNs / 1000n) / 1000 - at) : '?'} ms`);
    }
    rows.push(...spreadRows('lab-kubectl-create-to-first-arp-reply', summarize(viaKubectl), 'ms', 300));
  }

  const bulk = Number(process.env['SPEAKER_LAB_BULK'] ?? 1000);
  if (bulk > 0 && sections.has('bulk')) {
    // `bulk` Services created at once (Service + EndpointSlice each, 32 writes in flight); once the
    // controller assigned them all, the client's own kernel asks for every address: one process
    // sends a datagram to each address it has no neighbour entry for yet, every 200 ms (the kernel
    // ARPs every 200 ms for each), until /proc/net/arp has them all. The capture in the client
    // namespace gives each address's first ARP answer (reply or gratuitous); the last is "all answered".
    // SPEAKER_LAB_BULK_RUNS rounds (default 3) in the same lab, each deleting the previous round's
    // Services first (the pool holds one round) and waiting for the addresses to be withdrawn.
    const { clientNs, clientInterface } = lab.cluster;
    const neigh = `net.ipv4.neigh.${clientInterface}`;
    lab.cluster.lab.tryNs(clientNs, 'sysctl', ['-q', '-w', `${neigh}.retrans_time_ms=200`, `${neigh}.mcast_solicit=50`, 'net.ipv4.neigh.default.gc_thresh2=4096', 'net.ipv4.neigh.default.gc_thresh3=8192']);
    const logged = (pattern: string) => lab.speakers.reduce((n, proc) => n + (proc?.logFile ? readFileSync(proc.logFile, 'utf8').split(pattern).length - 1 : 0), 0);
    const result = { assigned: [] as number[], answered: [] as number[], created: [] as number[], fences: 0 };
    let previous: string[] = [];
    let previousAddresses: string[] = [];
    for (let round = 0; round < Number(process.env['SPEAKER_LAB_BULK_RUNS'] ?? 3); round++) {
    for (let i = 0; i < previous.length; i += 32) {
      await Promise.all(previous.slice(i, i + 32).flatMap((name) => [lab.client.delete(Services, 'default', name), lab.client.delete(EndpointSlices, 'default', `${name}-x`)]));
    }
    if (previous.length > 0) {
      // Withdrawn everywhere: the last address of the previous round no longer answers.
      const last = previousAddresses.at(-1) as string;
      await waitFor(`${last} to be withdrawn`, () => lab.cluster.arping(last, { count: 1, deadlineSeconds: 1 }).received === 0, { timeoutMs: 60_000, intervalMs: 500 });
      await sleep(2000);
    }
    lab.cluster.flushNeighbors();
    const names = Array.from({ length: bulk }, (_, i) => `bulk-${round}-${i}`);
    const fencesBefore = logged('membership: fenced');
    const capture = await lab.cluster.captureNeighbors();
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
    const asker = `const dgram = require('node:dgram'), fs = require('node:fs');
      const want = fs.readFileSync(0, 'utf8').split('\\n').filter(Boolean);
      const socket = dgram.createSocket('udp4');
      const round = () => {
        const known = new Set(fs.readFileSync('/proc/net/arp', 'utf8').split('\\n').slice(1).map((l) => l.split(/\\s+/)).filter((f) => f[2] === '0x2').map((f) => f[0]));
        const left = want.filter((a) => !known.has(a));
        if (left.length === 0) process.exit(0);
        for (const a of left) socket.send(Buffer.alloc(1), 9, a, () => undefined);
        setTimeout(round, 200);
      };
      round();`;
    const asked = lab.cluster.lab.tryNs(clientNs, process.execPath, ['-e', asker], { input: pending.join('\n'), timeoutMs: 120_000 });
    const frames = await capture.stop();
    const firstReply = new Map<string, number>();
    // A reply, or the new owner's gratuitous ARP: the controller may assign an address before the
    // speakers announce it, and then the announcement is what completes the client's entry.
    for (const f of frames) if (answerKinds.has(f.kind) && !firstReply.has(f.address)) firstReply.set(f.address, Number(f.timeNs / 1000n) / 1000);
    const unanswered = pending.filter((a) => !firstReply.has(a));
    if (!asked.ok || unanswered.length > 0) throw new Error(`${unanswered.length} of ${bulk} addresses never answered, e.g. ${unanswered.slice(0, 5).join(', ')} (${asked.stderr.slice(-500)})`);
    const answeredAt = pending.map((a) => (firstReply.get(a) as number) - at).sort((x, y) => x - y);
    const all = Math.round(answeredAt.at(-1) as number);
    // What the burst did to the membership: every fence here moved addresses for nothing.
    const fences = logged('membership: fenced') - fencesBefore;
    log(`${bulk} Services, round ${round + 1}: API writes done in ${created} ms, all assigned by the controller after ${assigned} ms, half answered after ${Math.round(answeredAt[answeredAt.length >> 1] as number)} ms, all after ${all} ms; ${fences} fences`);
    result.assigned.push(assigned);
    result.answered.push(all);
    result.created.push(created);
    result.fences += fences;
    previous = names;
    previousAddresses = pending;
    }
    rows.push(...spreadRows(`lab-${bulk}-services-created-to-all-assigned`, summarize(result.assigned), 'ms', null));
    rows.push(...spreadRows(`lab-${bulk}-services-created-to-all-answered`, summarize(result.answered), 'ms', 10_000));
    rows.push(...spreadRows(`lab-${bulk}-services-api-writes-done`, summarize(result.created), 'ms', null));
    rows.push({ name: `lab-${bulk}-services-membership-fences`, value: result.fences, unit: 'fences', limit: 0 });
    for (const [i, proc] of lab.speakers.entries()) {
      const rss = (pid: number | undefined) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
      rows.push({ name: `lab-${bulk}-services-speaker-rss-node-${i + 1}`, value: round(rss(proc?.child.pid)), unit: 'MiB', limit: 150 });
    }
  }
} finally {
  // A profiled process writes its profile when it exits by itself: stop it before the lab goes.
  if (process.env['SPEAKER_LAB_CONTROLLER_NODE_ARGS'] && lab.controller) await stopGently(lab.controller.child);
  if (process.env['SPEAKER_LAB_SPEAKER_NODE_ARGS']) await Promise.all(lab.speakers.map((p) => p && stopGently(p.child)));
  await lab.cleanup();
}

async function stopGently(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000)]);
}

// Keep the rows of the last runs (the simulation's, sections not run now); replace those measured now.
const file = join(benchResultsDir(), 'speaker.json');
let kept: BenchResult[] = [];
const fresh = new Set(rows.map((r) => r.name));
try {
  // A single figure now reported as (min)/(median)/(max) replaces its old single row too.
  for (const name of fresh) {
    const spread = / \((?:min|median|max)\)$/.exec(name);
    if (spread) fresh.add(name.slice(0, spread.index));
  }
  kept = (JSON.parse(readFileSync(file, 'utf8')) as BenchResult[]).filter((r) => !fresh.has(r.name));
} catch {
  // first run
}
writeResults('speaker', [...kept, ...rows]);
