import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { findExecutable } from '../environment.js';
import { type Lab, type SpawnedProcess } from '../lab.js';

/** One `peer` block of FRR's bfdd (milliseconds, as FRR takes them). */
export interface BfddPeerConfig {
  readonly peer: string;
  readonly local: string;
  readonly multihop?: boolean;
  readonly receiveInterval?: number;
  readonly transmitInterval?: number;
  readonly detectMultiplier?: number;
  readonly passive?: boolean;
  readonly echoMode?: boolean;
  /** `echo receive-interval`: how fast FRR lets us send echo packets through it. */
  readonly echoReceiveInterval?: number;
  /** Multihop only: lowest TTL FRR accepts. */
  readonly minimumTtl?: number;
  /** Start administratively down. */
  readonly shutdown?: boolean;
}

/** A peer as `show bfd peers json` reports it (the fields tests read). */
export interface BfddPeerStatus {
  readonly multihop: boolean;
  readonly peer: string;
  readonly local: string;
  readonly id: number;
  readonly 'remote-id': number;
  readonly status: 'up' | 'down' | 'init' | 'shutdown';
  readonly diagnostic: string;
  readonly 'remote-diagnostic': string;
  readonly 'receive-interval': number;
  readonly 'transmit-interval': number;
  readonly 'echo-receive-interval': number;
  readonly 'detect-multiplier': number;
  readonly 'remote-receive-interval': number;
  readonly 'remote-transmit-interval': number;
  readonly 'remote-echo-receive-interval': number;
  readonly 'remote-detect-multiplier': number;
}

export interface BfddCounters {
  readonly peer: string;
  readonly local: string;
  readonly 'control-packet-input': number;
  readonly 'control-packet-output': number;
  readonly 'echo-packet-input': number;
  readonly 'echo-packet-output': number;
  readonly 'session-up': number;
  readonly 'session-down': number;
}

/** A state change from bfdd's log, with its millisecond timestamp. */
export interface BfddStateChange {
  readonly at: number;
  readonly multihop: boolean;
  readonly peer: string;
  readonly local: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string | undefined;
}

export interface BfdDaemon {
  readonly ns: string;
  readonly process: SpawnedProcess;
  peers(): BfddPeerStatus[];
  peer(peer: string, local?: string): BfddPeerStatus | undefined;
  counters(): BfddCounters[];
  /** Runs config lines inside `bfd` / `peer ...` (e.g. `transmit-interval 300`, `shutdown`). */
  configurePeer(peer: Pick<BfddPeerConfig, 'peer' | 'local' | 'multihop'>, lines: readonly string[]): void;
  /** Adds a peer block at run time. */
  addPeer(peer: BfddPeerConfig): void;
  /** State changes logged so far (`log timestamp precision 3`). */
  stateChanges(): BfddStateChange[];
  output(): string;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

function peerHeader(p: Pick<BfddPeerConfig, 'peer' | 'local' | 'multihop'>): string {
  return `peer ${p.peer}${p.multihop ? ' multihop' : ''} local-address ${p.local}`;
}

function peerLines(p: BfddPeerConfig): string[] {
  const lines: string[] = [];
  if (p.receiveInterval !== undefined) lines.push(`receive-interval ${p.receiveInterval}`);
  if (p.transmitInterval !== undefined) lines.push(`transmit-interval ${p.transmitInterval}`);
  if (p.detectMultiplier !== undefined) lines.push(`detect-multiplier ${p.detectMultiplier}`);
  if (p.passive) lines.push('passive-mode');
  if (p.echoReceiveInterval !== undefined) lines.push(`echo receive-interval ${p.echoReceiveInterval}`);
  if (p.echoMode) lines.push('echo-mode');
  if (p.minimumTtl !== undefined) lines.push(`minimum-ttl ${p.minimumTtl}`);
  lines.push(p.shutdown ? 'shutdown' : 'no shutdown');
  return lines;
}

/** bfdd.conf: millisecond log timestamps and state-change logging, then one block per peer. */
export function bfddConfig(peers: readonly BfddPeerConfig[]): string {
  const lines = ['frr defaults traditional', 'hostname lab-bfdd', 'log stdout', 'log timestamp precision 3', 'debug bfd peer', 'bfd'];
  for (const p of peers) lines.push(` ${peerHeader(p)}`, ...peerLines(p).map((l) => `  ${l}`), ' !');
  lines.push('!');
  return lines.join('\n') + '\n';
}

const STATE_CHANGE = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d:\d\d:\d\d\.\d{3}) BFD: \[[^\]]*\] state-change: \[mhop:(yes|no) peer:(\S+) local:(\S+)[^\]]*\] (\S+) -> (\S+)(?: reason:(\S+))?/;

/**
 * Starts FRR's bfdd in `ns`, without zebra (single-hop and multihop sessions with explicit local
 * addresses need none). It runs as the `frr` user, which Debian's build requires for vtysh.
 */
export function startBfdd(lab: Lab, ns: string, peers: readonly BfddPeerConfig[]): BfdDaemon {
  const exe = findExecutable('bfdd');
  if (!exe) throw new Error("FRR's 'bfdd' is not installed (run tools/bootstrap.sh)");
  const dir = join(lab.workDir, `bfdd-${ns}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'bfdd.conf'), bfddConfig(peers));
  // bfdd drops to the frr user: it must reach its directory through the lab's private one.
  chmodSync(lab.workDir, 0o711);
  const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'frr'], { encoding: 'utf8' }).trim())) as [number, number];
  chownSync(dir, uid, gid);
  chownSync(join(dir, 'bfdd.conf'), uid, gid);
  const spawned = lab.spawn(ns, exe, ['-f', join(dir, 'bfdd.conf'), '--vty_socket', dir, '-i', join(dir, 'bfdd.pid'), '-P', '0', '--log', 'stdout', '-u', 'frr', '-g', 'frr', '--bfdctl', join(dir, 'bfdd.sock')]);
  const vtysh = (...commands: string[]): string =>
    lab.ns(ns, 'vtysh', ['--vty_socket', dir, '-d', 'bfdd', ...commands.flatMap((c) => ['-c', c])], { timeoutMs: 30_000 }).stdout;
  const json = <T>(command: string): T => JSON.parse(vtysh(command) || '[]') as T;
  return {
    ns,
    process: spawned,
    peers: () => json<BfddPeerStatus[]>('show bfd peers json'),
    peer(peer, local) {
      return this.peers().find((p) => p.peer === peer && (local === undefined || p.local === local));
    },
    counters: () => json<BfddCounters[]>('show bfd peers counters json'),
    configurePeer(peer, lines) {
      vtysh('configure terminal', 'bfd', peerHeader(peer), ...lines);
    },
    addPeer(peer) {
      vtysh('configure terminal', 'bfd', peerHeader(peer), ...peerLines(peer));
    },
    stateChanges() {
      return spawned
        .output()
        .split('\n')
        .flatMap((line) => {
          const m = STATE_CHANGE.exec(line);
          if (!m) return [];
          const [, y, mo, d, time, mhop, peer, local, from, to, reason] = m as unknown as string[];
          return [{ at: new Date(`${y}-${mo}-${d}T${time}`).getTime(), multihop: mhop === 'yes', peer: peer!, local: local!, from: from!, to: to!, reason }];
        });
    },
    output: spawned.output,
    pause: () => void spawned.child.kill('SIGSTOP'),
    resume: () => void spawned.child.kill('SIGCONT'),
    stop: async () => {
      spawned.child.kill('SIGCONT');
      await spawned.stop();
    },
  };
}
