// The membership core's behaviour, on small simulated clusters (virtual clock: a test runs in well
// under a second of real time). Figures at 100 and 1,000 members are the benchmark's.
import { describe, expect, it } from 'vitest';
import { SimulatedCluster, type ObservedChange } from '../simulation/cluster.js';
import { seal, Keyring } from './auth.js';
import { Membership } from './membership.js';
import { type MembershipChange } from './types.js';

const SETTLED_MS = 6_000;

function cluster(size: number, seed = 1, options: Partial<ConstructorParameters<typeof SimulatedCluster>[0]> = {}) {
  const sim = new SimulatedCluster({ size, seed, ...options });
  const changes: ObservedChange[] = [];
  sim.onChange((c) => changes.push(c));
  sim.runUntil(SETTLED_MS);
  return { sim, changes, names: sim.names() };
}

const deathsOf = (changes: readonly ObservedChange[], member?: string) =>
  changes.filter((c): c is ObservedChange & { change: Extract<MembershipChange, { kind: 'dead' }> } => c.change.kind === 'dead' && (member === undefined || c.change.member === member));

describe('a settled cluster', () => {
  it.each([2, 3, 10])('%i members: every member sees every other alive and eligible, nobody withdrawn, nobody declared dead', (size) => {
    const { sim, changes, names } = cluster(size);
    for (const name of names) {
      const view = sim.membership(name).membershipView();
      expect([...view.alive].sort()).toEqual(names);
      expect([...view.eligible].sort()).toEqual(names);
      expect(view.withdrawn).toBe(false);
    }
    expect(deathsOf(changes)).toEqual([]);
  });

  it('each member sends and receives min(3, n-1) heartbeats per 100 ms and nothing else', () => {
    const { sim, names } = cluster(10);
    sim.resetStats();
    sim.runFor(10_000);
    for (const name of names) {
      expect(sim.stats(name).sent / 10).toBe(30);
      expect(sim.stats(name).received / 10).toBe(30);
    }
  });
});

describe('death', () => {
  it.each([3, 10])('%i members: a killed member is declared within 200–320 ms and every survivor knows within 100 ms more', (size) => {
    const { sim, changes, names } = cluster(size);
    const victim = names[1] as string;
    const killedAt = sim.now;
    sim.kill(victim);
    sim.runFor(2_000);
    const deaths = deathsOf(changes, victim);
    const first = Math.min(...deaths.map((d) => d.at)) - killedAt;
    const last = Math.max(...deaths.map((d) => d.at)) - killedAt;
    expect(first).toBeGreaterThanOrEqual(200);
    expect(first).toBeLessThanOrEqual(320);
    expect(last - first).toBeLessThan(100);
    expect(new Set(deaths.map((d) => d.node))).toEqual(new Set(names.filter((n) => n !== victim)));
    expect(deathsOf(changes).every((d) => d.change.member === victim)).toBe(true);
    for (const name of names.filter((n) => n !== victim)) expect(sim.membership(name).membershipView().alive.has(victim)).toBe(false);
  });

  it('a member that leaves is gone from every view at once', () => {
    const { sim, changes, names } = cluster(10);
    const leaver = names[4] as string;
    const at = sim.now;
    sim.leave(leaver);
    sim.runFor(50);
    const lefts = changes.filter((c) => c.change.kind === 'left' && c.change.member === leaver && c.node !== leaver);
    expect(lefts).toHaveLength(9);
    expect(Math.max(...lefts.map((c) => c.at)) - at).toBeLessThan(10);
  });

  it('2 members: the survivor declares the other dead (no helper to ask)', () => {
    const { sim, changes, names } = cluster(2);
    sim.kill(names[0] as string);
    sim.runFor(1_000);
    expect(deathsOf(changes).map((d) => d.node)).toEqual([names[1]]);
    expect(sim.membership(names[1] as string).membershipView().withdrawn).toBe(false);
  });
});

describe('no false positives', () => {
  it.each([
    ['5% loss', 0.05],
    ['20% loss', 0.2],
  ])('10 members, %s for 60 s: nobody declared dead', (_name, loss) => {
    const { sim, changes } = cluster(10, 7);
    sim.network.options = { ...sim.network.options, loss };
    sim.runFor(60_000);
    expect(deathsOf(changes)).toEqual([]);
  });

  it('members frozen for up to 150 ms at random (GC, a busy 2-core machine) are never declared dead', () => {
    const { sim, changes, names } = cluster(10, 3);
    let pauses = 0;
    for (let t = 0; t < 60_000; t += 50) {
      sim.runFor(50);
      const name = names[(t / 50) % names.length] as string;
      if ((t / 50) % 3 === 0) {
        sim.pause(name, 20 + ((t * 7919) % 131));
        pauses += 1;
      }
    }
    sim.runFor(1_000);
    expect(pauses).toBeGreaterThan(100);
    expect(deathsOf(changes)).toEqual([]);
  });

  it('membership traffic cut between two members of 3 or 10: both stay alive (helpers vouch), for good', () => {
    for (const size of [3, 10]) {
      const { sim, changes, names } = cluster(size);
      sim.network.cutBetween(names[0] as string, names[1] as string);
      sim.runFor(30_000);
      expect(deathsOf(changes)).toEqual([]);
    }
  });

  it('a member whose own timers ran 400 ms late accuses nobody; declared dead meanwhile, it fences itself', () => {
    const { sim, changes, names } = cluster(10);
    const slow = names[2] as string;
    sim.pause(slow, 400);
    sim.runFor(3_000);
    expect(deathsOf(changes).filter((d) => d.node === slow)).toEqual([]);
    expect(deathsOf(changes, slow).length).toBeGreaterThan(0);
    expect(changes.some((c) => c.node === slow && c.change.kind === 'fenced')).toBe(true);
  });
});

describe('stalls: a member fences only when the others acted on its silence', () => {
  it.each([3, 10])('%i members, the whole machine stalls 500 ms (every member at once): nobody declared, nobody fenced, nobody withdraws', (size) => {
    const { sim, changes, names } = cluster(size, 4);
    const at = sim.now;
    for (const name of names) sim.pause(name, 500);
    sim.runFor(3_000);
    const after = changes.filter((c) => c.at >= at);
    expect(after.filter((c) => c.change.kind === 'dead' || c.change.kind === 'fenced' || c.change.kind === 'withdrawn')).toEqual([]);
    for (const name of names) {
      const m = sim.membership(name);
      expect(m.counters.selfChecks).toBeGreaterThan(0);
      expect(m.counters.selfChecksPassed).toBe(m.counters.selfChecks);
      expect(m.incarnation).toBe(0);
      expect([...m.membershipView().eligible].sort()).toEqual(names);
    }
  });

  it('a stall below the detection time, alone, changes nothing (no self-check, no fence)', () => {
    const { sim, changes, names } = cluster(10, 5);
    const slow = names[3] as string;
    const at = sim.now;
    sim.pause(slow, 180);
    sim.runFor(2_000);
    expect(changes.filter((c) => c.at >= at && c.change.kind !== 'alive')).toEqual([]);
    expect(sim.membership(slow).counters.fences).toBe(0);
  });

  it('a frozen member is failed over within the budget, and on thawing fences before it could answer beside the new owner', () => {
    const { sim, changes, names } = cluster(10, 6);
    const frozen = names[5] as string;
    const at = sim.now;
    sim.pause(frozen, 2_000);
    sim.runFor(1_000);
    const deaths = deathsOf(changes, frozen);
    expect(Math.min(...deaths.map((d) => d.at)) - at).toBeLessThanOrEqual(320);
    sim.runUntil(at + 2_000);
    // The instant it runs again (its timer first, then what queued meanwhile) it is fenced: held
    // down in its own view, so its election gives it nothing the others moved.
    const fenced = changes.find((c) => c.node === frozen && c.change.kind === 'fenced');
    expect(fenced?.at).toBe(at + 2_000);
    expect(sim.membership(frozen).membershipView().eligible.has(frozen)).toBe(false);
    sim.runFor(500);
    // Steady state: one belief everywhere (alive again, held down), so one owner per address.
    for (const name of names) {
      const view = sim.membership(name).membershipView();
      expect(view.alive.has(frozen)).toBe(true);
      expect(view.eligible.has(frozen)).toBe(false);
    }
  });

  it('a frozen member whose news of its death was lost learns it from its monitors at once', () => {
    const { sim, changes, names } = cluster(10, 8);
    const frozen = names[7] as string;
    const at = sim.now;
    sim.pause(frozen, 2_000);
    // Nothing reaches it while frozen: no "dead" news waits in its socket.
    sim.network.isolate(frozen);
    sim.runFor(1_990);
    sim.network.heal();
    sim.runFor(10);
    expect(deathsOf(changes, frozen).length).toBeGreaterThan(0);
    expect(sim.membership(frozen).counters.selfChecks).toBe(1);
    sim.runFor(20);
    const fenced = changes.find((c) => c.node === frozen && c.change.kind === 'fenced');
    expect(fenced).toBeDefined();
    expect((fenced?.at ?? Infinity) - (at + 2_000)).toBeLessThan(20);
    expect(sim.membership(frozen).counters.selfChecksPassed).toBe(0);
  });

  it('3 members stall together; one monitor is cut off from a member: the other vouches, nobody fences', () => {
    const { sim, changes, names } = cluster(3, 10);
    const [slow, cutFrom] = names as [string, string, string];
    const at = sim.now;
    sim.network.cutBetween(slow, cutFrom);
    for (const name of names) sim.pause(name, 500);
    sim.runFor(2_000);
    expect(changes.filter((c) => c.at >= at && (c.change.kind === 'fenced' || c.change.kind === 'dead'))).toEqual([]);
    expect(sim.membership(slow).counters.selfChecksPassed).toBe(sim.membership(slow).counters.selfChecks);
  });

  it('no monitor answers the self-check: fenced at the deadline', () => {
    const { sim, changes, names } = cluster(3, 9);
    const [slow, ...others] = names as [string, string, string];
    const at = sim.now;
    for (const name of names) sim.pause(name, 500);
    sim.runFor(400);
    // Its monitors thaw but can no longer hear it.
    for (const other of others) sim.network.cutBetween(slow, other);
    sim.runFor(1_000);
    const fenced = changes.find((c) => c.node === slow && c.change.kind === 'fenced');
    expect(fenced?.change).toMatchObject({ kind: 'fenced', reason: 'stalled' });
    expect((fenced?.at ?? Infinity) - (at + 500)).toBeLessThanOrEqual(250 * 2);
  });
});

describe('coming back', () => {
  it('a member frozen for 2 s is declared dead, fences itself on waking, and is eligible again only after the hold-down', () => {
    const { sim, changes, names } = cluster(10);
    const frozen = names[5] as string;
    const observer = names[0] as string;
    sim.pause(frozen, 2_000);
    sim.runFor(1_000);
    expect(sim.membership(observer).membershipView().alive.has(frozen)).toBe(false);
    sim.runFor(1_100);
    const woke = sim.now;
    const incarnation = sim.membership(frozen).incarnation;
    expect(incarnation).toBeGreaterThan(0);
    expect(sim.membership(frozen).membershipView().eligible.has(frozen)).toBe(false);
    sim.runFor(200);
    for (const name of names) {
      const view = sim.membership(name).membershipView();
      expect(view.alive.has(frozen)).toBe(true);
      expect(view.eligible.has(frozen)).toBe(false);
    }
    sim.runUntil(woke + 5_200);
    for (const name of names) expect(sim.membership(name).membershipView().eligible.has(frozen)).toBe(true);
    // One death, no flapping.
    expect(new Set(deathsOf(changes, frozen).map((d) => d.node)).size).toBe(9);
    expect(deathsOf(changes, frozen)).toHaveLength(9);
  });

  it('a restarted member (new process, new epoch) is taken back with a hold-down', () => {
    const { sim, changes, names } = cluster(10);
    const member = names[3] as string;
    sim.kill(member);
    sim.runFor(1_000);
    sim.restart(member);
    sim.runFor(500);
    const returns = changes.filter((c) => c.change.kind === 'alive' && c.change.member === member && c.change.returning);
    expect(returns).toHaveLength(9);
    for (const r of returns) expect(r.change.kind === 'alive' && r.change.holdDownMs).toBeGreaterThan(4_000);
    expect(sim.membership(member).membershipView().withdrawn).toBe(false);
    sim.runFor(5_000);
    for (const name of names) expect(sim.membership(name).membershipView().eligible.has(member)).toBe(true);
  });
});

describe('rejoining a large cluster', () => {
  it('200 members: the restarted member gets the table paced, neighbourhood first, and stays withdrawn until it knows every listed member', () => {
    const { sim, names } = cluster(200, 11);
    const member = names[42] as string;
    sim.kill(member);
    sim.runFor(1_000);
    const sent = new Map<string, number>();
    const received = new Map<string, number>();
    sim.tap((from, to) => {
      sent.set(from, (sent.get(from) ?? 0) + 1);
      received.set(to, (received.get(to) ?? 0) + 1);
    });
    sim.restart(member);
    sim.runFor(50);
    // Joining: its view is partial, so it announces nothing yet.
    expect(sim.membership(member).membershipView().withdrawn).toBe(true);
    sim.runFor(950);
    const busiestSent = Math.max(...[...sent].filter(([n]) => n !== member).map(([, c]) => c));
    expect(busiestSent).toBeLessThanOrEqual(50);
    expect(received.get(member)).toBeLessThanOrEqual(50);
    sim.runFor(1_000);
    const view = sim.membership(member).membershipView();
    expect(view.withdrawn).toBe(false);
    expect(view.alive.size).toBe(200);
    for (const name of names) expect(sim.membership(name).membershipView().alive.has(member)).toBe(true);
  });
});

describe('isolation and partitions', () => {
  it('3 members, one cut off from both others: it withdraws, they declare it dead; healed, it returns held down', () => {
    const { sim, changes, names } = cluster(3);
    const [lonely, a, b] = names as [string, string, string];
    sim.network.isolate(lonely);
    const cutAt = sim.now;
    sim.runFor(1_000);
    const withdrawn = changes.find((c) => c.node === lonely && c.change.kind === 'withdrawn');
    expect(withdrawn?.change).toEqual({ kind: 'withdrawn', reason: 'isolated' });
    expect((withdrawn?.at ?? Infinity) - cutAt).toBeLessThanOrEqual(420);
    expect(deathsOf(changes, lonely).map((d) => d.node).sort()).toEqual([a, b].sort());
    expect(deathsOf(changes).filter((d) => d.node === lonely)).toEqual([]);
    sim.network.heal();
    sim.runFor(500);
    expect(sim.membership(lonely).membershipView().withdrawn).toBe(false);
    for (const name of names) {
      expect(sim.membership(name).membershipView().alive.has(lonely)).toBe(true);
      expect(sim.membership(name).membershipView().eligible.has(lonely)).toBe(false);
    }
  });

  it('2 members with their traffic cut: each declares the other dead and keeps serving (documented)', () => {
    const { sim, changes, names } = cluster(2);
    sim.network.isolate(names[0] as string);
    sim.runFor(1_000);
    expect(deathsOf(changes).map((d) => d.node).sort()).toEqual([...names].sort());
    for (const name of names) expect(sim.membership(name).membershipView().withdrawn).toBe(false);
  });

  it('an API outage changes nothing: the member list is a hint, liveness is the members\u2019 own', () => {
    const { sim, changes, names } = cluster(5);
    const node = names[0] as string;
    sim.membership(node).handle({ mono: sim.now, wall: 1_767_225_600_000 + sim.now }, { kind: 'members', members: [] });
    sim.runFor(5_000);
    expect(sim.membership(node).membershipView().alive.size).toBe(5);
    expect(deathsOf(changes)).toEqual([]);
  });
});

describe('forged and replayed datagrams', () => {
  it('are dropped and counted, and change nothing', () => {
    const { sim, changes, names } = cluster(5);
    const [target, victim] = names as [string, string];
    const captured: Uint8Array[] = [];
    sim.tap((from, to, bytes) => {
      if (to === target) captured.push(bytes);
    });
    sim.runFor(500);
    const stranger = new Keyring([new TextEncoder().encode('not the key')]);
    const forgedDeath = seal(
      {
        header: { sender: victim, recipient: target, epoch: 1, sequence: 1, timestamp: 1_767_225_600_000 + sim.now, incarnation: 0, holdDownMs: 0 },
        body: { type: 'news' },
        updates: [{ member: names[2] as string, epoch: 1_767_225_600_000, incarnation: 99, status: 2, holdDownMs: 0 }],
      },
      stranger,
    );
    const counters = sim.membership(target).counters;
    sim.inject(target, 'client', forgedDeath);
    sim.inject(target, 'client', new Uint8Array([1, 2, 3]));
    for (const bytes of captured.slice(0, 5)) sim.inject(target, 'client', bytes);
    sim.runFor(50);
    expect(counters.dropped['bad-tag']).toBe(2);
    expect(counters.dropped.replayed).toBe(5);
    // The same capture sent to another member is not for it.
    sim.inject(names[3] as string, 'client', captured[0] as Uint8Array);
    sim.runFor(11_000);
    expect(sim.membership(names[3] as string).counters.dropped['wrong-recipient']).toBe(1);
    // A receiver that restarted forgot the sequences, but the capture is now too old.
    sim.kill(target);
    sim.restart(target);
    sim.inject(target, 'client', captured[1] as Uint8Array);
    sim.runFor(10);
    expect(sim.membership(target).counters.dropped['stale-timestamp']).toBe(1);
    expect(deathsOf(changes).filter((d) => d.change.member !== target)).toEqual([]);
  });
});

describe('Membership inputs', () => {
  const key = new TextEncoder().encode('k');
  const now = { mono: 0, wall: 1_767_225_600_000 };

  it('a lone member (nobody expected) joins at once and holds itself down until the hold-down ends', () => {
    const m = new Membership({ name: 'solo', keys: [key] }, now);
    expect(m.membershipView().withdrawn).toBe(true);
    const changes: Array<{ at: number; change: MembershipChange }> = [];
    // Ticks exactly when asked: a late tick would be a stall.
    while (m.nextDeadline() <= 6_000) {
      const at = m.nextDeadline();
      for (const change of m.handle({ mono: at, wall: now.wall + at }, { kind: 'tick' }).changes) changes.push({ at, change });
    }
    expect(changes).toEqual([
      { at: 0, change: { kind: 'restored' } },
      { at: 5_000, change: { kind: 'eligible', member: 'solo' } },
    ]);
    expect(m.membershipView()).toMatchObject({ withdrawn: false, alive: new Set(['solo']), eligible: new Set(['solo']) });
  });

  it('with two or more others expected and none answering, a starting member stays withdrawn and retries', () => {
    const m = new Membership({ name: 'a', keys: [key], members: [{ name: 'b', address: 'b:1' }, { name: 'c', address: 'c:1' }] }, now);
    const first = m.handle(now, { kind: 'tick' });
    expect(new Set(first.send.map((d) => d.to))).toEqual(new Set(['b:1', 'c:1']));
    let retries = 0;
    while (m.nextDeadline() <= 10_000) {
      const at = m.nextDeadline();
      retries += m.handle({ mono: at, wall: now.wall + at }, { kind: 'tick' }).send.length > 0 ? 1 : 0;
    }
    expect(m.membershipView().withdrawn).toBe(true);
    expect(retries).toBeGreaterThanOrEqual(9);
  });

  it('keeps its keys when given unusable ones, and switches to usable ones', () => {
    const m = new Membership({ name: 'a', keys: [key] }, now);
    expect(m.handle(now, { kind: 'keys', keys: [] }).changes).toContainEqual({ kind: 'keys-refused', reason: 'the membership needs at least one secret key' });
    expect(m.handle(now, { kind: 'keys', keys: [new TextEncoder().encode('next')] }).changes.filter((c) => c.kind === 'keys-refused')).toEqual([]);
  });

  it('refuses a timing that cannot work', () => {
    expect(() => new Membership({ name: 'a', keys: [key], timing: { suspectAfterMs: 50, heartbeatIntervalMs: 100 } }, now)).toThrow(/suspectAfterMs/);
  });
});
