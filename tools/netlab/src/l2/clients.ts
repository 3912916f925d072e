import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Lab, type SpawnedProcess } from '../lab.js';
import { exitedWith, waitFor } from '../wait.js';
import { readPcap, type PcapRecord } from './pcap-file.js';

/** What `arping` (2.23, Thomas Habets') reported. */
export interface ArpingResult {
  readonly sent: number;
  readonly received: number;
  /** Source MAC of each reply, in order, lower case. */
  readonly replyMacs: readonly string[];
  readonly output: string;
}

export interface ArpingOptions {
  readonly count?: number;
  /** Seconds between requests (`-W`). */
  readonly gapSeconds?: number;
  /** Overall deadline in seconds (`-w`). */
  readonly deadlineSeconds?: number;
  /** Extra flags, e.g. ['-V', '20'] for a VLAN tag or ['-s', mac] for a forged source. */
  readonly extra?: readonly string[];
}

/** Asks for `ip` on `iface` from inside `ns`; never throws on "no reply" (exit code 1). */
export function arping(lab: Lab, ns: string, iface: string, ip: string, options: ArpingOptions = {}): ArpingResult {
  const args = ['-I', iface, '-c', String(options.count ?? 1), '-W', String(options.gapSeconds ?? 0.05), '-w', String(options.deadlineSeconds ?? 2), ...(options.extra ?? []), ip];
  const { stdout, stderr } = lab.tryNs(ns, 'arping', args, { timeoutMs: ((options.deadlineSeconds ?? 2) + 5) * 1000 });
  const output = stdout + stderr;
  const summary = /(\d+) packets transmitted, (\d+) packets received/.exec(output);
  if (!summary) throw new Error(`arping ${args.join(' ')} printed no summary:\n${output}`);
  const replyMacs = [...output.matchAll(/bytes from ([0-9a-f:]{17}) /gi)].map((m) => (m[1] as string).toLowerCase());
  return { sent: Number(summary[1]), received: Number(summary[2]), replyMacs, output };
}

/** The MAC in the advertisement `ndisc6` received for `ip`, or undefined when none came. */
export function ndisc6(lab: Lab, ns: string, iface: string, ip: string, options: { tries?: number; waitMs?: number } = {}): string | undefined {
  const args = ['-r', String(options.tries ?? 3), '-w', String(options.waitMs ?? 500), ip, iface];
  const { stdout } = lab.tryNs(ns, 'ndisc6', args, { timeoutMs: 15_000 });
  return /Target link-layer address: ([0-9A-F:]{17})/i.exec(stdout)?.[1]?.toLowerCase();
}

export interface Neighbor {
  readonly dst: string;
  readonly dev: string;
  readonly lladdr?: string;
  readonly state: readonly string[];
}

/** The kernel neighbor table of `ns` (`ip -j neigh show`). */
export function neighbors(lab: Lab, ns: string, dev?: string): Neighbor[] {
  const out = lab.ns(ns, 'ip', ['-j', 'neigh', 'show', ...(dev ? ['dev', dev] : [])]).stdout.trim();
  const parsed = JSON.parse(out || '[]') as Array<{ dst: string; dev?: string; lladdr?: string; state?: string[] }>;
  return parsed.map((n) => ({ dst: n.dst, dev: n.dev ?? dev ?? '', ...(n.lladdr ? { lladdr: n.lladdr } : {}), state: n.state ?? [] }));
}

/** The MAC `ns` has for `ip`, if any. */
export function neighborMac(lab: Lab, ns: string, ip: string): string | undefined {
  return neighbors(lab, ns).find((n) => n.dst === ip)?.lladdr;
}

export interface TcpdumpCapture {
  readonly file: string;
  readonly process: SpawnedProcess;
  /** Stops tcpdump (flushing the file) and returns what it captured. */
  stop(): Promise<PcapRecord[]>;
}

let captureCounter = 0;

/**
 * Starts `tcpdump` on `iface` in `ns` writing nanosecond timestamps, packet-buffered, and waits
 * until it is listening, so no frame sent after this returns is missed.
 */
export async function startTcpdump(lab: Lab, ns: string, iface: string, filter: string): Promise<TcpdumpCapture> {
  captureCounter += 1;
  const file = join(lab.workDir, `capture-${captureCounter}.pcap`);
  const proc = lab.spawn(ns, 'tcpdump', ['-i', iface, '-U', '--immediate-mode', '-n', '--time-stamp-precision=nano', '-B', '8192', '-w', file, filter]);
  await waitFor(
    `tcpdump listening on ${iface} in ${ns}`,
    () => proc.output().includes('listening on'),
    { timeoutMs: 10_000, intervalMs: 20, abortIf: exitedWith(proc.child, proc.output) },
  );
  return {
    file,
    process: proc,
    async stop(): Promise<PcapRecord[]> {
      await proc.stop();
      return readPcap(readFileSync(file));
    },
  };
}
