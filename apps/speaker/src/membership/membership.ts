// The membership core: a failure detector and membership protocol among speakers, sans I/O. It
// takes (now, input) and returns datagrams to send and changes to the membership; the caller owns
// the socket and the timer (call handle({kind:'tick'}) at nextDeadline()). README.md explains the
// protocol; in short:
//   - members sit on a hash ring; each sends a heartbeat every interval to its next k members;
//   - a member silent for suspectAfter is probed: pinged directly, and its other monitors (plus a
//     random member) are asked whether they hear it (SWIM's indirect probes); it is declared dead
//     only when nothing vouches for it within probeTimeout and at least one helper confirms silence;
//   - deaths and returns spread by infect-and-die gossip (each member that learns passes them to a
//     few random members once) and ride on heartbeats for a few rounds;
//   - a member that stalled, was cut off, or was declared dead takes a new incarnation and holds
//     itself down; others give it no address until the hold-down ends (no flapping);
//   - a member that hears nobody while most of its view is silent announces nothing (isolation).
import { open, seal, Keyring, TAG_LENGTH } from './auth.js';
import { membershipMessage, updateEncodingLength } from './codec.js';
import { Cooldowns } from './cooldowns.js';
import { DigestWatch } from './digest-watch.js';
import { LocalHealth } from './local-health.js';
import { compareBeliefs, MemberTable, statusCode, type MemberRecord, type MemberStatus } from './member-table.js';
import { type Body, type Message, type Update } from './messages.js';
import { Piggyback } from './piggyback.js';
import { ProbeBook, type Probe } from './probes.js';
import { ReplayGuard } from './replay.js';
import { Ring } from './ring.js';
import { DEFAULT_TIMING, timingProblems, type Timing } from './timing.js';
import { sample, type Random } from '../random.js';
import { TimedQueue } from '../timed-queue.js';
import {
  type Datagram,
  type DropReason,
  type MemberAddress,
  type MembershipChange,
  type MembershipCounters,
  type MembershipInput,
  type MembershipOutput,
  type MembershipView,
  type Now,
} from './types.js';

export interface MembershipOptions {
  /** This member's name: the node name, as Services' endpoints and the election know it. */
  readonly name: string;
  /** Secret keys from the Secret (first signs, any verifies). */
  readonly keys: readonly Uint8Array[];
  /** The API's speakers at start (more may come with a `members` input). */
  readonly members?: readonly MemberAddress[];
  readonly timing?: Partial<Timing>;
  /** Picks gossip targets and extra helpers; seed it to replay a run. */
  readonly random?: Random;
}

/** A member this one watches (one of its ring predecessors). */
interface Watch {
  /** Since when it has been silent, as far as suspicion is concerned (moved forward over our own stalls). */
  quietSince: number;
}

/** After a long stall: the monitors asked whether they still hold this member alive, and who has not answered. */
interface SelfCheck {
  readonly id: number;
  readonly stalledMs: number;
  readonly pending: Set<string>;
  /** Monitors that vouched; a majority by the deadline passes (one may be cut off from this member). */
  vouched: number;
  readonly asked: number;
  readonly retryAt: number;
  readonly deadline: number;
  retried: boolean;
}

const TELL_DEAD_EVERY_MS = 100;
/** The digest a joining member puts in its sync request: it has nothing to offer in return. */
const JOINING_DIGEST = 0;

export class Membership {
  readonly name: string;
  readonly counters: MembershipCounters = {
    sent: 0,
    sentBytes: 0,
    received: 0,
    receivedBytes: 0,
    unaddressed: 0,
    dropped: {},
    declared: 0,
    inconclusive: 0,
    suspicionsLifted: 0,
    probes: 0,
    stalls: 0,
    selfChecks: 0,
    selfChecksPassed: 0,
    fences: 0,
    nameConflicts: 0,
  };

  private readonly timing: Timing;
  private readonly random: Random;
  private keyring: Keyring;
  private readonly replay: ReplayGuard;
  private readonly table = new MemberTable();
  private readonly self: MemberRecord;
  private readonly health: LocalHealth;
  private readonly startedAt: number;
  private epoch: number;
  private sequence = 0;
  private readonly ring: Ring;
  private hintedCount = 0;
  private readonly watches = new Map<string, Watch>();
  private readonly probes = new ProbeBook();
  private readonly piggyback: Piggyback;
  private readonly heldDown = new Set<string>();
  /** (eligibleAt, member), pushed whenever a hold-down is set; stale entries are skipped when due. */
  private readonly holdDownExpiries = new TimedQueue<string>();
  /** Ring changes since the watches were last fitted to it. */
  private ringVersion = 0;
  private watchedVersion = -1;
  private nextHeartbeatAt: number;
  private lastHeardAnyone: number;
  private isolated = false;
  private joined = false;
  private nextJoinAt: number;
  private joinAttempts = 0;
  private readonly syncAsked = new Set<string>();
  /** When the first part of a table asked for while joining arrived (the rest is paced). */
  private syncArrivingSince: number | undefined;
  /** Tables being sent, one datagram per heartbeat interval: requester → the datagrams still to go. */
  private readonly syncStreams = new Map<string, Update[][]>();
  private readonly digests: DigestWatch;
  private readonly syncsAsked: Cooldowns;
  private readonly syncsServed: Cooldowns;
  private readonly toldDead = new Cooldowns(TELL_DEAD_EVERY_MS);
  private expectedWake: number;
  private selfCheck: SelfCheck | undefined;
  private left = false;
  private view: MembershipView | undefined;
  private out: { send: Datagram[]; changes: MembershipChange[] } = { send: [], changes: [] };

  constructor(options: MembershipOptions, now: Now) {
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    const problems = timingProblems(this.timing);
    if (problems.length > 0) throw new RangeError(`membership timing: ${problems.join('; ')}`);
    this.name = options.name;
    this.random = options.random ?? Math.random;
    this.keyring = new Keyring(options.keys);
    this.replay = new ReplayGuard(this.timing.maxClockSkewMs);
    this.health = new LocalHealth(this.timing);
    this.piggyback = new Piggyback(this.timing.piggybackRounds);
    this.digests = new DigestWatch(this.timing.digestGraceMs);
    this.syncsAsked = new Cooldowns(this.timing.syncCooldownMs);
    this.syncsServed = new Cooldowns(this.timing.syncCooldownMs / 2);
    this.startedAt = now.mono;
    this.epoch = Math.floor(now.wall);
    this.self = this.table.merge({ member: this.name, epoch: this.epoch, incarnation: 0, status: statusCode('alive'), holdDownMs: this.timing.holdDownMs }, now.mono)
      .record as MemberRecord;
    this.trackHoldDown(now.mono, this.self);
    this.ring = new Ring([this.name]);
    this.nextHeartbeatAt = now.mono;
    this.lastHeardAnyone = now.mono;
    this.nextJoinAt = now.mono;
    this.expectedWake = now.mono;
    for (const member of options.members ?? []) if (member.name !== this.name) this.table.addHinted(member.name, member.address);
    this.hintedCount = this.hintedOthers().length;
  }

  /** Feeds one input; returns what to send and what changed. */
  handle(now: Now, input: MembershipInput): MembershipOutput {
    this.out = { send: [], changes: [] };
    if (!this.left) {
      this.advance(now);
      switch (input.kind) {
        case 'datagram':
          this.receive(now, input.from, input.bytes);
          break;
        case 'tick':
          break;
        case 'members':
          this.setMembers(now, input.members);
          break;
        case 'keys':
          this.replaceKeys(input.keys);
          break;
        case 'leave':
          this.leave(now);
          break;
      }
      if (!this.left) this.runTimers(now);
    } else if (input.kind === 'datagram') {
      this.drop('left');
    }
    this.expectedWake = this.nextDeadline();
    const out = this.out;
    if (out.changes.length > 0) this.view = undefined;
    return out;
  }

  /** Monotonic ms at which handle({kind:'tick'}) is next due. */
  nextDeadline(): number {
    if (this.left) return Number.POSITIVE_INFINITY;
    const factor = this.health.factor;
    let next = this.nextHeartbeatAt;
    for (const [name, watch] of this.watches) {
      if (!this.probes.of(name)) next = Math.min(next, watch.quietSince + this.timing.suspectAfterMs * factor);
    }
    next = Math.min(next, this.probes.nextDeadline());
    const eligible = this.holdDownExpiries.peekTime();
    if (eligible !== undefined) next = Math.min(next, eligible);
    if (this.joined && !this.isolated && this.aliveOthers() >= 2) next = Math.min(next, this.lastHeardAnyone + this.timing.isolationAfterMs);
    if (!this.joined) {
      const joinAt = this.syncArrivingSince !== undefined ? this.syncArrivingSince + this.timing.joinGraceMs : this.hintedCount <= 1 ? this.startedAt + this.timing.joinGraceMs : this.nextJoinAt;
      next = Math.min(next, joinAt);
    }
    const recovery = this.health.nextRecovery();
    if (recovery !== undefined) next = Math.min(next, recovery);
    if (this.selfCheck) next = Math.min(next, this.selfCheck.retried ? this.selfCheck.deadline : this.selfCheck.retryAt);
    return next;
  }

  /** The current view, for the election. */
  membershipView(): MembershipView {
    if (this.view) return this.view;
    const alive = new Set<string>();
    const known = new Set<string>();
    for (const record of this.table.all()) {
      if (record.status !== 'unknown') known.add(record.name);
      if (record.status === 'alive') alive.add(record.name);
    }
    const eligible = new Set([...alive].filter((name) => !this.heldDown.has(name)));
    this.view = { self: this.name, alive, eligible, known, withdrawn: this.withdrawn };
    return this.view;
  }

  /** One member's record, for diagnostics and tests. */
  member(name: string): Readonly<MemberRecord> | undefined {
    return this.table.get(name);
  }

  get incarnation(): number {
    return this.self.incarnation;
  }

  get healthScore(): number {
    return this.health.value;
  }

  get withdrawn(): boolean {
    return !this.joined || this.isolated || this.left;
  }

  // ---- time ---------------------------------------------------------------------------------

  /** Notices a stall of this process before anything else looks at the clock. */
  private advance(now: Now): void {
    const late = now.mono - this.expectedWake;
    if (late <= this.timing.latenessThresholdMs) return;
    this.counters.stalls += 1;
    this.health.worsen(now.mono);
    // Time this process did not run does not count against the others: datagrams they sent
    // meanwhile are still queued in the socket, and a timer fires before they are read.
    for (const watch of this.watches.values()) watch.quietSince += late;
    this.probes.shift(late);
    this.digests.shift(late);
    this.lastHeardAnyone += late;
    if (late >= this.timing.selfFenceAfterMs) this.startSelfCheck(now, late);
  }

  /**
   * After a stall long enough for the others to have declared this member dead: only its monitors
   * (its ring successors, which watch it) can have, so it asks each of them, as a probe request
   * about itself, whether they hold it alive at its current incarnation. It keeps announcing
   * meanwhile: a monitor that declared it dead says so at once (and its news is usually queued in
   * the socket already). All vouching ends the check at once; by the deadline, half of them
   * vouching is enough: a death declared during the stall reached the others by gossip before this
   * member woke (so a vouching monitor did not miss it), and any member that still believes it dead
   * tells it on its next heartbeat. A monitor cut off from this member thus does not fence it.
   */
  private startSelfCheck(now: Now, late: number): void {
    const monitors = this.successors();
    // Nobody watches a member alone: nobody can have declared it dead.
    if (monitors.length === 0) return;
    const id = this.probes.takeId();
    this.counters.selfChecks += 1;
    const stalledMs = Math.max(late, this.selfCheck?.stalledMs ?? 0);
    this.selfCheck = {
      id,
      stalledMs,
      pending: new Set(monitors),
      vouched: 0,
      asked: monitors.length,
      retryAt: now.mono + (this.timing.selfCheckTimeoutMs * this.health.factor) / 2,
      deadline: now.mono + this.timing.selfCheckTimeoutMs * this.health.factor,
      retried: false,
    };
    for (const name of monitors) this.send(now, name, { type: 'probe-request', probe: id, target: this.name });
  }

  private runSelfCheck(now: Now): void {
    const check = this.selfCheck;
    if (!check) return;
    if (now.mono >= check.deadline) {
      if (check.vouched >= Math.ceil(check.asked / 2)) return this.passSelfCheck();
      return this.fence(now, 'stalled', check.stalledMs);
    }
    if (!check.retried && now.mono >= check.retryAt) {
      check.retried = true;
      for (const name of check.pending) this.send(now, name, { type: 'probe-request', probe: check.id, target: this.name });
    }
  }

  /** A monitor's answer to the self-check: alive at exactly our epoch and incarnation, or we fence. */
  private selfCheckAnswer(now: Now, from: string, alive: boolean, epoch: number, incarnation: number): void {
    const check = this.selfCheck as SelfCheck;
    if (!alive || epoch !== this.self.epoch || incarnation !== this.self.incarnation) return this.fence(now, 'stalled', check.stalledMs);
    if (!check.pending.delete(from)) return;
    check.vouched += 1;
    if (check.pending.size === 0) this.passSelfCheck();
  }

  private passSelfCheck(): void {
    this.selfCheck = undefined;
    this.counters.selfChecksPassed += 1;
  }

  private runTimers(now: Now): void {
    const t = now.mono;
    this.health.recover(t);
    this.expireHoldDowns(t);
    if (!this.joined) this.tryJoin(now);
    this.runSelfCheck(now);
    if (t >= this.nextHeartbeatAt) {
      this.sendHeartbeats(now);
      this.continueSyncs(now);
      this.nextHeartbeatAt = t - this.nextHeartbeatAt >= this.timing.heartbeatIntervalMs ? t + this.timing.heartbeatIntervalMs : this.nextHeartbeatAt + this.timing.heartbeatIntervalMs;
    }
    this.refreshWatches(t);
    const factor = this.health.factor;
    for (const [name, watch] of this.watches) {
      if (!this.probes.of(name) && t >= watch.quietSince + this.timing.suspectAfterMs * factor && !this.startProbe(now, name)) watch.quietSince = t;
    }
    for (const probe of this.probes.running()) {
      if (!probe.retried && t >= probe.retryAt) {
        probe.retried = true;
        this.send(now, probe.target, { type: 'ping', probe: probe.id });
      }
      if (t >= probe.deadline) this.concludeProbe(now, probe);
    }
    for (const help of this.probes.expiredHelp(t)) this.replyToProbe(now, help.requester, help.requesterProbe, help.target, false);
    this.checkIsolation(t);
  }

  /** A Secret emptied at run time keeps the keys in use: running unauthenticated is never an option. */
  private replaceKeys(keys: readonly Uint8Array[]): void {
    try {
      this.keyring = new Keyring(keys);
    } catch (error) {
      this.change({ kind: 'keys-refused', reason: (error as Error).message });
    }
  }

  // ---- joining and leaving -----------------------------------------------------------------

  private hintedOthers(): MemberRecord[] {
    return [...this.table.all()].filter((r) => r.hinted && r.name !== this.name);
  }

  /**
   * A starting member tells every member it expects that it is alive (and held down), and asks two
   * of them for their tables; it announces nothing until one answers. With at most one other member
   * expected, silence after the grace period means it is first (or alone) and goes ahead.
   */
  private tryJoin(now: Now): void {
    if (this.hintedCount === 0 || (this.hintedCount === 1 && now.mono >= this.startedAt + this.timing.joinGraceMs)) {
      this.markJoined();
      return;
    }
    if (this.syncArrivingSince !== undefined) {
      // A table is on its way: no more asking, unless it never completes.
      if (now.mono >= this.syncArrivingSince + this.timing.joinGraceMs) this.markJoined();
      return;
    }
    if (now.mono < this.nextJoinAt) return;
    const others = this.hintedOthers();
    const targets = this.joinAttempts === 0 ? others : sample(others, 3, this.random);
    for (const record of targets) this.send(now, record.name, { type: 'join' });
    // One member's table first (it comes paced, see serveSync); two on each retry. Digest 0 says
    // "joining, nothing to offer": the server does not pull this member's table in return.
    for (const record of sample(targets, this.joinAttempts === 0 ? 1 : 2, this.random)) {
      this.syncAsked.add(record.name);
      this.send(now, record.name, { type: 'sync-request', digest: JOINING_DIGEST });
    }
    this.joinAttempts += 1;
    this.nextJoinAt = now.mono + this.timing.joinRetryMs;
  }

  /**
   * Part of a table asked for while joining arrived: joined once every member the API expects is
   * known (alive, dead or left), so that a partial view never has this member take what a member
   * it has not heard of yet owns; or joinGraceMs after the first part (a listed member nobody knows).
   */
  private syncArrived(t: number): void {
    this.syncArrivingSince ??= t;
    for (const record of this.table.all()) if (record.hinted && record.status === 'unknown' && record.name !== this.name) return;
    this.markJoined();
  }

  private markJoined(): void {
    if (this.joined) return;
    this.joined = true;
    this.syncArrivingSince = undefined;
    this.syncAsked.clear();
    this.change({ kind: 'restored' });
  }

  private setMembers(now: Now, members: readonly MemberAddress[]): void {
    const listed = new Set<string>();
    for (const member of members) {
      if (member.name === this.name) continue;
      listed.add(member.name);
      const before = this.table.get(member.name);
      const isNew = !before || !before.hinted;
      this.table.addHinted(member.name, member.address);
      // Members that appear while this one is still joining hear from it at once.
      if (isNew && !this.joined && this.joinAttempts > 0) this.send(now, member.name, { type: 'join' });
    }
    for (const record of [...this.table.all()]) {
      if (record.name === this.name || listed.has(record.name)) continue;
      record.hinted = false;
      // Liveness comes from the members themselves: a live member stays whatever the API says.
      if (record.status !== 'alive') {
        this.forget(record.name);
      }
    }
    this.hintedCount = this.hintedOthers().length;
  }

  private forget(name: string): void {
    this.table.delete(name);
    this.ring.remove(name);
    this.ringVersion += 1;
    this.replay.forget(name);
    this.piggyback.forget(name);
    this.digests.forget(name);
    this.syncsAsked.forget(name);
    this.syncsServed.forget(name);
    this.syncStreams.delete(name);
    this.toldDead.forget(name);
    this.view = undefined;
  }

  private leave(now: Now): void {
    this.table.set(this.self, 'left', this.self.epoch, this.self.incarnation);
    const targets = new Set([...this.successors(), ...this.gossipTargets(new Set())]);
    for (const name of targets) this.send(now, name, { type: 'news' }, [this.table.updateFor(this.self, now.mono)]);
    this.left = true;
    this.change({ kind: 'left', member: this.name });
  }

  // ---- heartbeats and watching -------------------------------------------------------------

  private currentRing(): Ring {
    return this.ring;
  }

  private monitorCount(): number {
    return Math.min(this.timing.monitors, this.currentRing().size - 1);
  }

  private successors(): string[] {
    return this.currentRing().successors(this.name, this.monitorCount());
  }

  private aliveOthers(): number {
    return this.currentRing().size - 1;
  }

  private sendHeartbeats(now: Now): void {
    // A joiner's table is still partial: comparing it would only start state transfers.
    const body: Body = { type: 'heartbeat', digest: this.joined ? this.table.digest : JOINING_DIGEST };
    for (const name of this.successors()) this.send(now, name, body, this.piggybackUpdates(now.mono, name, body));
  }

  /** Watches exactly this member's ring predecessors; a new watch starts with a full grace period. */
  private refreshWatches(t: number): void {
    if (this.watchedVersion === this.ringVersion) return;
    this.watchedVersion = this.ringVersion;
    const ring = this.currentRing();
    const watched = new Set(ring.predecessors(this.name, this.monitorCount()));
    for (const name of [...this.watches.keys()]) {
      if (watched.has(name)) continue;
      this.watches.delete(name);
      this.probes.cancel(name);
    }
    for (const name of watched) if (!this.watches.has(name)) this.watches.set(name, { quietSince: t });
  }

  private heard(now: Now, record: MemberRecord, from: string): void {
    record.lastHeard = now.mono;
    // The API's address wins: a source address is only learnt for members the API does not list.
    if (!record.hinted) record.address = from;
    this.lastHeardAnyone = now.mono;
    const watch = this.watches.get(record.name);
    if (watch) watch.quietSince = now.mono;
    if (this.isolated) {
      this.isolated = false;
      this.change({ kind: 'restored' });
      // Cut off long enough to be isolated means long enough to have been declared dead.
      this.fence(now, 'isolated');
      this.askSync(now, record.name);
    }
  }

  private checkIsolation(t: number): void {
    if (!this.joined || this.isolated || this.aliveOthers() < 2) return;
    if (t < this.lastHeardAnyone + this.timing.isolationAfterMs) return;
    this.isolated = true;
    this.change({ kind: 'withdrawn', reason: 'isolated' });
  }

  // ---- probing --------------------------------------------------------------------------------

  private startProbe(now: Now, target: string): boolean {
    const record = this.table.get(target);
    if (!record || record.status !== 'alive') return false;
    const factor = this.health.factor;
    const id = this.probes.takeId();
    const others = new Set([this.name, target]);
    const helpers = this.currentRing()
      .successors(target, this.monitorCount() + 1)
      .filter((name) => !others.has(name))
      .slice(0, this.timing.indirectProbes);
    if (helpers.length < this.timing.indirectProbes) {
      for (const name of helpers) others.add(name);
      helpers.push(...sample(this.currentRing().members(), this.timing.indirectProbes - helpers.length, this.random, others));
    }
    const probe: Probe = {
      id,
      target,
      epoch: record.epoch,
      incarnation: record.incarnation,
      retryAt: now.mono + (this.timing.probeTimeoutMs * factor) / 2,
      deadline: now.mono + this.timing.probeTimeoutMs * factor,
      retried: false,
      helpers: helpers.length,
      noContact: 0,
    };
    this.probes.add(probe);
    this.counters.probes += 1;
    this.send(now, target, { type: 'ping', probe: id });
    for (const helper of helpers) this.send(now, helper, { type: 'probe-request', probe: id, target });
    return true;
  }

  /**
   * Evidence that `target` lives: any datagram from it, or a helper's word. After a helper's word
   * only, our own path to it is likely broken: its other monitors watch it meanwhile, and we ask
   * again later rather than every suspicion period.
   */
  private liftSuspicion(t: number, target: string, indirect: boolean): void {
    if (!this.probes.cancel(target)) return;
    this.counters.suspicionsLifted += 1;
    const watch = this.watches.get(target);
    if (watch) watch.quietSince = indirect ? t + this.timing.reprobeAfterIndirectMs : t;
  }

  private concludeProbe(now: Now, probe: Probe): void {
    this.probes.cancel(probe.target);
    const record = this.table.get(probe.target);
    if (!record || record.status !== 'alive' || record.epoch !== probe.epoch || record.incarnation !== probe.incarnation) return;
    // Too few helpers confirmed the silence (at 2 of 3, a lost or stale answer cannot accuse
    // alone); nobody answering at all may mean that this member is the one cut off.
    if (probe.noContact < Math.ceil(probe.helpers / 2)) {
      this.counters.inconclusive += 1;
      const watch = this.watches.get(probe.target);
      if (watch) watch.quietSince = now.mono;
      return;
    }
    this.table.set(record, 'dead', record.epoch, record.incarnation);
    this.counters.declared += 1;
    this.statusChanged(now, record, 'alive', undefined);
    this.change({ kind: 'dead', member: record.name, declaredHere: true, silentForMs: now.mono - record.lastHeard });
    // The accused hears it too: if it is alive but cut off from us, it refutes.
    this.send(now, record.name, { type: 'news' }, [this.table.updateFor(record, now.mono)]);
  }

  private replyToProbe(now: Now, requester: string, probe: number, target: string, alive: boolean): void {
    const record = this.table.get(target);
    this.send(now, requester, {
      type: 'probe-reply',
      probe,
      target,
      alive,
      targetEpoch: alive && record ? record.epoch : 0,
      targetIncarnation: alive && record ? record.incarnation : 0,
    });
  }

  // ---- receiving --------------------------------------------------------------------------------

  private drop(reason: DropReason): void {
    this.counters.dropped[reason] = (this.counters.dropped[reason] ?? 0) + 1;
  }

  private receive(now: Now, from: string, bytes: Uint8Array): void {
    this.counters.received += 1;
    this.counters.receivedBytes += bytes.length;
    const opened = open(bytes, this.keyring);
    if (!opened.ok) return this.drop(opened.error.kind);
    const message = opened.value;
    const { header } = message;
    if (header.recipient !== this.name) return this.drop('wrong-recipient');
    if (header.sender === this.name) return this.drop('from-self');
    const verdict = this.replay.check(header.sender, header.epoch, header.sequence, header.timestamp, now.wall);
    if (verdict !== 'fresh') return this.drop(verdict);

    // The header is the sender's own word that it is alive, at its epoch and incarnation.
    const sender = this.apply(now, { member: header.sender, epoch: header.epoch, incarnation: header.incarnation, status: statusCode('alive'), holdDownMs: header.holdDownMs }, header.sender, message.body.type === 'join');
    if (!sender) return;
    this.heard(now, sender, from);
    if (sender.status === 'alive') this.liftSuspicion(now.mono, sender.name, false);
    else this.tellDead(now, sender);
    for (const update of message.updates) this.apply(now, update, header.sender, false);
    if (!this.joined && this.syncAsked.has(header.sender) && message.body.type === 'news') this.syncArrived(now.mono);
    this.handleBody(now, message, sender);
  }

  private handleBody(now: Now, message: Message, sender: MemberRecord): void {
    const body = message.body;
    switch (body.type) {
      case 'heartbeat':
        return this.compareDigest(now, sender.name, body.digest);
      case 'ping':
        return this.send(now, sender.name, { type: 'ack', probe: body.probe });
      case 'ack': {
        const help = this.probes.takeHelp(body.probe, sender.name);
        if (help) this.replyToProbe(now, help.requester, help.requesterProbe, help.target, true);
        return;
      }
      case 'probe-request':
        return this.helpProbe(now, sender.name, body.probe, body.target);
      case 'probe-reply': {
        if (body.target === this.name && body.probe === this.selfCheck?.id) return this.selfCheckAnswer(now, sender.name, body.alive, body.targetEpoch, body.targetIncarnation);
        const probe = this.probes.get(body.probe);
        if (!probe || probe.target !== body.target) return;
        if (!body.alive) {
          probe.noContact += 1;
          return;
        }
        const belief = compareBeliefs({ epoch: body.targetEpoch, incarnation: body.targetIncarnation, status: 'alive' }, { epoch: probe.epoch, incarnation: probe.incarnation, status: 'alive' });
        if (belief >= 0) this.liftSuspicion(now.mono, probe.target, true);
        return;
      }
      case 'sync-request':
        this.serveSync(now, sender.name);
        // Push-pull: if our views differ, the requester may know what we do not (unless it is joining).
        if (body.digest !== JOINING_DIGEST && body.digest !== this.table.digest) this.askSync(now, sender.name);
        return;
      case 'news':
      case 'join':
      case 'unknown':
        return;
    }
  }

  private helpProbe(now: Now, requester: string, probe: number, target: string): void {
    if (target === this.name) return this.replyToProbe(now, requester, probe, target, true);
    const record = this.table.get(target);
    if (!record || record.status !== 'alive') return this.replyToProbe(now, requester, probe, target, false);
    if (now.mono - record.lastHeard <= this.timing.freshWithinMs) return this.replyToProbe(now, requester, probe, target, true);
    const id = this.probes.takeId();
    this.probes.help(id, { requester, requesterProbe: probe, target, deadline: now.mono + this.timing.helperTimeoutMs });
    this.send(now, target, { type: 'ping', probe: id });
  }

  private compareDigest(now: Now, sender: string, digest: number): void {
    // A joiner's own table is still arriving: it compares nothing until joined.
    if (digest === JOINING_DIGEST || !this.joined) return;
    if (this.digests.differs(sender, digest, this.table.digest, now.mono)) this.askSync(now, sender);
  }

  private askSync(now: Now, member: string): void {
    if (!this.syncsAsked.allow(member, now.mono)) return;
    this.send(now, member, { type: 'sync-request', digest: this.joined ? this.table.digest : JOINING_DIGEST });
  }

  /**
   * Sends the whole table (every member ever alive) in as few datagrams as fit: the first at once,
   * the others one per heartbeat interval, so that a restart at 1,000 members (a table of ~20
   * datagrams) adds about 10 datagrams a second to the server and the joiner, not a burst of 20.
   */
  private serveSync(now: Now, requester: string): void {
    if (!this.syncsServed.allow(requester, now.mono)) return;
    const chunks: Update[][] = [];
    // The requester's ring neighbourhood first: a joiner watches and heartbeats the right members
    // from the first datagram on, while the rest comes paced.
    const order = new Map<string, number>();
    const around = Math.ceil(this.ring.size / 2);
    const after = this.ring.successors(requester, around);
    const before = this.ring.predecessors(requester, around);
    for (let i = 0; i < around; i++) {
      if (after[i] !== undefined && !order.has(after[i] as string)) order.set(after[i] as string, order.size);
      if (before[i] !== undefined && !order.has(before[i] as string)) order.set(before[i] as string, order.size);
    }
    const rank = (name: string) => order.get(name) ?? Number.MAX_SAFE_INTEGER;
    const records = [...this.table.all()].filter((r) => r.status !== 'unknown').sort((a, b) => rank(a.name) - rank(b.name));
    const updates = records.map((r) => this.table.updateFor(r, now.mono));
    const room = this.timing.maxDatagramBytes - TAG_LENGTH - this.emptyLength(requester, { type: 'news' });
    let chunk: Update[] = [];
    let used = 0;
    for (const update of updates) {
      const size = updateEncodingLength(update);
      if (chunk.length > 0 && (used + size > room || chunk.length === 255)) {
        chunks.push(chunk);
        chunk = [];
        used = 0;
      }
      chunk.push(update);
      used += size;
    }
    if (chunk.length > 0) chunks.push(chunk);
    const first = chunks.shift();
    if (first) this.send(now, requester, { type: 'news' }, first);
    if (chunks.length > 0) this.syncStreams.set(requester, chunks);
    else this.syncStreams.delete(requester);
  }

  /** The next datagram of each table being sent (at each heartbeat). */
  private continueSyncs(now: Now): void {
    for (const [requester, chunks] of this.syncStreams) {
      const next = chunks.shift();
      if (next) this.send(now, requester, { type: 'news' }, next);
      if (chunks.length === 0) this.syncStreams.delete(requester);
    }
  }

  /** A member believed dead is still talking: tell it, so that it refutes (rate-limited). */
  private tellDead(now: Now, record: MemberRecord): void {
    if (!this.toldDead.allow(record.name, now.mono)) return;
    this.send(now, record.name, { type: 'news' }, [this.table.updateFor(record, now.mono)]);
  }

  // ---- beliefs --------------------------------------------------------------------------------

  /** Merges one update; returns the member's record (undefined for updates about this member). */
  private apply(now: Now, update: Update, from: string, joining: boolean): MemberRecord | undefined {
    if (update.member === this.name) {
      this.aboutSelf(now, update);
      return undefined;
    }
    const before = this.table.get(update.member);
    const previous: MemberStatus = before?.status ?? 'unknown';
    const previousEpoch = before?.epoch;
    const heldUntil = before?.eligibleAt;
    const { result, record } = this.table.merge(update, now.mono);
    if (!record) return undefined;
    if (result === 'stale') return record;
    if (result === 'same') {
      if (record.status === 'alive' && record.eligibleAt !== heldUntil) this.trackHoldDown(now.mono, record);
      return record;
    }
    this.statusChanged(now, record, previous, from, joining);
    if (record.status === 'alive') {
      const returning = previous === 'dead' || previous === 'left' || (previous === 'alive' && previousEpoch !== record.epoch);
      this.change({ kind: 'alive', member: record.name, holdDownMs: Math.max(0, record.eligibleAt - now.mono), returning });
    } else if (record.status === 'dead') {
      this.change({ kind: 'dead', member: record.name, declaredHere: false });
    } else if (record.status === 'left') {
      this.change({ kind: 'left', member: record.name });
    }
    return record;
  }

  /**
   * Book-keeping after a member's belief changed, and passing the news on: deaths, departures and
   * returns go to a few random members at once (each member passes news on once); a member's first
   * appearance only rides on heartbeats, since it told everyone itself when it joined.
   */
  private statusChanged(now: Now, record: MemberRecord, previous: MemberStatus, from: string | undefined, joining = false): void {
    if ((previous === 'alive') !== (record.status === 'alive')) this.ringVersion += 1;
    if (record.status === 'alive') {
      this.ring.add(record.name);
      this.trackHoldDown(now.mono, record);
    } else {
      this.ring.remove(record.name);
      this.heldDown.delete(record.name);
      this.probes.cancel(record.name);
    }
    this.piggyback.add(record.name);
    if (joining || (previous === 'unknown' && record.status === 'alive')) return;
    const except = new Set([record.name]);
    if (from !== undefined) except.add(from);
    const update = this.table.updateFor(record, now.mono);
    for (const name of this.gossipTargets(except)) this.send(now, name, { type: 'news' }, [update]);
  }

  private gossipTargets(except: ReadonlySet<string>): string[] {
    const exclude = new Set(except);
    exclude.add(this.name);
    return sample(this.currentRing().members(), this.timing.fanout, this.random, exclude);
  }

  /**
   * Keeps heldDown in step with a record's eligibleAt. The cached earliest deadline may be early
   * (a member left the set, or its hold-down grew); an early wake-up just rescans.
   */
  private trackHoldDown(t: number, record: MemberRecord): void {
    if (record.eligibleAt > t) {
      this.heldDown.add(record.name);
      this.holdDownExpiries.push(record.eligibleAt, record.name);
    } else if (this.heldDown.delete(record.name)) {
      this.change({ kind: 'eligible', member: record.name });
    }
  }

  private expireHoldDowns(t: number): void {
    for (;;) {
      const at = this.holdDownExpiries.peekTime();
      if (at === undefined || at > t) return;
      const name = (this.holdDownExpiries.pop() as { event: string }).event;
      const record = this.table.get(name);
      // Skipped: a later hold-down was pushed for it, or it is no longer held down.
      if (!this.heldDown.has(name) || (record && record.eligibleAt > t)) continue;
      this.heldDown.delete(name);
      this.change({ kind: 'eligible', member: name });
    }
  }

  /** News about this member from another: refute a death at our current incarnation. */
  private aboutSelf(now: Now, update: Update): void {
    if (update.epoch > this.self.epoch) {
      this.counters.nameConflicts += 1;
      return;
    }
    if (update.epoch < this.self.epoch) return;
    const down = update.status === statusCode('dead') || update.status === statusCode('left');
    if (down && update.incarnation >= this.self.incarnation) {
      this.fence(now, 'refuted', undefined, update.incarnation);
    } else if (!down && update.incarnation > this.self.incarnation) {
      // Someone believes in a later incarnation of us than we run: move past it.
      this.fence(now, 'refuted', undefined, update.incarnation);
    }
  }

  /**
   * Takes a new incarnation and holds this member down: the others have likely moved (or are about
   * to move) its addresses, and taking them straight back would flap.
   */
  private fence(now: Now, reason: 'stalled' | 'isolated' | 'refuted', stalledMs?: number, atLeast = 0): void {
    this.selfCheck = undefined;
    const incarnation = Math.max(this.self.incarnation, atLeast) + 1;
    if (incarnation > 0xffffffff) {
      this.epoch = Math.max(Math.floor(now.wall), this.epoch + 1);
      this.table.set(this.self, 'alive', this.epoch, 0);
    } else {
      this.table.set(this.self, 'alive', this.self.epoch, incarnation);
    }
    this.self.eligibleAt = now.mono + this.timing.holdDownMs;
    this.trackHoldDown(now.mono, this.self);
    this.health.worsen(now.mono);
    this.counters.fences += 1;
    this.change(stalledMs === undefined ? { kind: 'fenced', reason } : { kind: 'fenced', reason, stalledMs });
    this.piggyback.add(this.name);
    const update = this.table.updateFor(this.self, now.mono);
    for (const name of this.gossipTargets(new Set())) this.send(now, name, { type: 'news' }, [update]);
  }

  // ---- sending --------------------------------------------------------------------------------

  /** Updates still riding on heartbeats, as many as fit one datagram to `recipient`. */
  private piggybackUpdates(t: number, recipient: string, body: Body): Update[] {
    if (this.piggyback.size === 0) return [];
    const room = this.timing.maxDatagramBytes - TAG_LENGTH - this.emptyLength(recipient, body);
    return this.piggyback.take(room, (name) => {
      const record = this.table.get(name);
      return record && this.table.updateFor(record, t);
    });
  }

  private emptyLength(recipient: string, body: Body): number {
    return membershipMessage.encodingLength({ header: this.header(recipient, 0, 0), body, updates: [] });
  }

  private header(recipient: string, wall: number, mono: number) {
    return {
      sender: this.name,
      recipient,
      epoch: this.epoch,
      sequence: this.sequence,
      timestamp: Math.max(0, Math.floor(wall)),
      incarnation: this.self.incarnation,
      holdDownMs: Math.max(0, Math.ceil(this.self.eligibleAt - mono)),
    };
  }

  private send(now: Now, member: string, body: Body, updates: readonly Update[] = []): void {
    const record = this.table.get(member);
    if (!record?.address) {
      this.counters.unaddressed += 1;
      return;
    }
    if (this.sequence >= 0xffffffff) {
      // A fresh epoch rather than a wrapped sequence, which receivers would take for a replay.
      this.epoch = Math.max(Math.floor(now.wall), this.epoch + 1);
      this.table.set(this.self, 'alive', this.epoch, this.self.incarnation);
      this.sequence = 0;
    }
    this.sequence += 1;
    const bytes = seal({ header: this.header(member, now.wall, now.mono), body, updates }, this.keyring);
    this.counters.sent += 1;
    this.counters.sentBytes += bytes.length;
    this.out.send.push({ to: record.address, member, bytes });
  }

  private change(change: MembershipChange): void {
    this.out.changes.push(change);
    this.view = undefined;
  }
}
