import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Lab, type SpawnedProcess } from '../lab.js';
import { exitedWith, waitFor } from '../wait.js';
import { scriptPath } from './scripts.js';

/** One request of a stream: when it started (wall clock, ms), how long it took, who answered or why it failed. */
export interface StreamRecord {
  readonly t: number;
  readonly ms: number;
  /** The answering node's name (also set for a non-200 answer). */
  readonly node?: string;
  /** 'TIMEOUT', 'ECONNREFUSED', 'EHOSTUNREACH', 'HTTP 503', … */
  readonly error?: string;
}

export interface StreamSummary {
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  /** Successful answers per node. */
  readonly byNode: Readonly<Record<string, number>>;
  /**
   * The longest time without a successful answer: between two successive successes (by the time
   * each answer arrived), or from the last success to the end of a stream that ends in failures.
   */
  readonly maxGapMs: number;
  /** Wall-clock ms when that gap began and ended. */
  readonly gapFrom?: number;
  readonly gapTo?: number;
  /** Whether the request started last succeeded. */
  readonly recovered: boolean;
  /** Each change of answering node: which node answered from when (the first answer included). */
  readonly switches: ReadonlyArray<{ readonly node: string; readonly t: number }>;
}

/** The summary of a stream's records (in any order). */
export function summarizeStream(records: readonly StreamRecord[]): StreamSummary {
  const sorted = [...records].sort((a, b) => a.t + a.ms - (b.t + b.ms));
  const byNode: Record<string, number> = {};
  const switches: Array<{ node: string; t: number }> = [];
  let ok = 0;
  let lastOkEnd: number | undefined;
  let gap = { ms: 0, from: undefined as number | undefined, to: undefined as number | undefined };
  for (const r of sorted) {
    const end = r.t + r.ms;
    if (r.error !== undefined || r.node === undefined) continue;
    ok += 1;
    byNode[r.node] = (byNode[r.node] ?? 0) + 1;
    if (switches[switches.length - 1]?.node !== r.node) switches.push({ node: r.node, t: end });
    if (lastOkEnd !== undefined && end - lastOkEnd > gap.ms) gap = { ms: end - lastOkEnd, from: lastOkEnd, to: end };
    lastOkEnd = end;
  }
  // Recovered when the request started last succeeded (one that timed out may end after it).
  const latest = records.reduce<StreamRecord | undefined>((a, r) => (a === undefined || r.t > a.t ? r : a), undefined);
  const recovered = latest !== undefined && latest.error === undefined;
  if (latest && !recovered && lastOkEnd !== undefined) {
    const end = Math.max(...sorted.map((r) => r.t + r.ms));
    if (end - lastOkEnd > gap.ms) gap = { ms: end - lastOkEnd, from: lastOkEnd, to: end };
  }
  return {
    sent: records.length,
    ok,
    failed: records.length - ok,
    byNode,
    maxGapMs: Math.round(gap.ms * 1000) / 1000,
    ...(gap.from !== undefined ? { gapFrom: gap.from } : {}),
    ...(gap.to !== undefined ? { gapTo: gap.to } : {}),
    recovered,
    switches,
  };
}

/** Parses the stream's JSON lines; a line cut short by a write in progress is left out. */
export function parseStreamRecords(text: string): StreamRecord[] {
  const out: StreamRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as StreamRecord);
    } catch {
      // the last line, still being written
    }
  }
  return out;
}

export interface RequestStreamOptions {
  /** Milliseconds between request starts; default 10. */
  readonly intervalMs?: number;
  /** A request not answered in this time fails with 'TIMEOUT'; default 1000. */
  readonly timeoutMs?: number;
  readonly port?: number;
  readonly path?: string;
}

export interface RequestStream {
  readonly file: string;
  readonly process: SpawnedProcess;
  /** Records written so far (flushed every 200 ms). */
  records(): StreamRecord[];
  /** Stops sending, waits for requests in flight, and returns every record with the summary. */
  stop(): Promise<{ records: StreamRecord[]; summary: StreamSummary }>;
}

let streamCounter = 0;

/** Starts a request stream from `ns` to `address` (HTTP, a new connection per request). */
export async function startRequestStream(lab: Lab, ns: string, address: string, options: RequestStreamOptions = {}): Promise<RequestStream> {
  streamCounter += 1;
  const file = join(lab.workDir, `stream-${streamCounter}.jsonl`);
  const host = address.includes(':') ? `[${address}]` : address;
  const url = `http://${host}:${options.port ?? 80}${options.path ?? '/'}`;
  const timeoutMs = options.timeoutMs ?? 1000;
  const proc = lab.spawn(ns, process.execPath, [scriptPath('request-stream.mjs'), url, String(options.intervalMs ?? 10), String(timeoutMs), file], {
    logFile: join(lab.workDir, `stream-${streamCounter}.log`),
  });
  await waitFor(`the request stream to ${url} in ${ns}`, () => proc.output().includes('streaming'), { timeoutMs: 10_000, intervalMs: 20, abortIf: exitedWith(proc.child, proc.output) });
  const records = (): StreamRecord[] => parseStreamRecords(readFileSync(file, 'utf8'));
  return {
    file,
    process: proc,
    records,
    async stop() {
      await proc.stop(timeoutMs + 2000);
      const all = records();
      return { records: all, summary: summarizeStream(all) };
    },
  };
}
