// The membership's small book-keepers: cooldowns, digest watch, piggyback, probe book.
import { describe, expect, it } from 'vitest';
import { Cooldowns } from './cooldowns.js';
import { DigestWatch } from './digest-watch.js';
import { type Update } from './messages.js';
import { Piggyback } from './piggyback.js';
import { ProbeBook } from './probes.js';
import { Ring } from './ring.js';

describe('Cooldowns', () => {
  it('allows once per period per key', () => {
    const c = new Cooldowns(100);
    const steps: Array<[string, number, boolean]> = [
      ['a', 0, true],
      ['a', 99.9, false],
      ['b', 50, true],
      ['a', 100, true],
      ['a', 150, false],
    ];
    for (const [key, at, allowed] of steps) expect(c.allow(key, at)).toBe(allowed);
    c.forget('a');
    expect(c.allow('a', 151)).toBe(true);
  });
});

describe('DigestWatch', () => {
  it('fires only when a difference outlasts the grace period, shifted over stalls', () => {
    const w = new DigestWatch(500);
    expect(w.differs('m', 1, 2, 0)).toBe(false);
    expect(w.differs('m', 1, 2, 499)).toBe(false);
    expect(w.differs('m', 1, 2, 500)).toBe(true);
    expect(w.differs('m', 1, 2, 600)).toBe(false);
    w.shift(1_000);
    expect(w.differs('m', 1, 2, 1_500)).toBe(false);
    expect(w.differs('m', 2, 2, 2_200)).toBe(false);
    expect(w.differs('m', 1, 2, 2_300)).toBe(false);
  });
});

describe('Piggyback', () => {
  const update = (member: string): Update => ({ member, epoch: 1, incarnation: 0, status: 1, holdDownMs: 0 });
  it('sends each update for its rounds, within the room, reading the latest belief', () => {
    const p = new Piggyback(2);
    p.add('a');
    p.add('bb');
    expect(p.take(1_000, update).map((u) => u.member)).toEqual(['a', 'bb']);
    expect(p.take(19, update).map((u) => u.member)).toEqual(['a']);
    expect(p.take(1_000, update).map((u) => u.member)).toEqual(['bb']);
    expect(p.size).toBe(0);
    p.add('gone');
    expect(p.take(1_000, () => undefined)).toEqual([]);
    expect(p.size).toBe(0);
  });
});

describe('ProbeBook', () => {
  it('keeps probes by id and target, helper pings by id, and their deadlines', () => {
    const book = new ProbeBook();
    const id = book.takeId();
    book.add({ id, target: 'x', epoch: 1, incarnation: 0, retryAt: 50, deadline: 100, retried: false, helpers: 2, noContact: 0 });
    const helpId = book.takeId();
    book.help(helpId, { requester: 'r', requesterProbe: 9, target: 'y', deadline: 60 });
    expect(book.nextDeadline()).toBe(50);
    book.shift(10);
    expect(book.nextDeadline()).toBe(60);
    expect(book.takeHelp(helpId, 'not-y')).toBeUndefined();
    expect(book.expiredHelp(69)).toEqual([]);
    expect(book.expiredHelp(70)).toEqual([{ requester: 'r', requesterProbe: 9, target: 'y', deadline: 70 }]);
    expect(book.of('x')?.id).toBe(id);
    expect(book.cancel('x')).toBe(true);
    expect(book.get(id)).toBeUndefined();
    expect(book.nextDeadline()).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('Ring', () => {
  it('gives every member k distinct successors and predecessors, consistently', () => {
    const names = Array.from({ length: 20 }, (_, i) => `node-${i}`);
    const ring = new Ring(names);
    for (const name of names) {
      const successors = ring.successors(name, 3);
      expect(new Set(successors).size).toBe(3);
      expect(successors).not.toContain(name);
      for (const s of successors) expect(ring.predecessors(s, 3)).toContain(name);
    }
    ring.remove('node-3');
    expect(ring.size).toBe(19);
    expect(names.filter((n) => n !== 'node-3').every((n) => !ring.successors(n, 3).includes('node-3'))).toBe(true);
    expect(new Ring(['a', 'b']).successors('a', 3)).toEqual(['b']);
    expect(new Ring(['a']).successors('a', 3)).toEqual([]);
  });
});
