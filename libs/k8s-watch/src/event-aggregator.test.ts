import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { COMBINED_PREFIX, EventAggregator, type EventRecord } from './event-aggregator.js';

function setup(options: { burst?: number; similarThreshold?: number } = {}) {
  const clock = new ManualClock();
  let n = 0;
  const agg = new EventAggregator({ clock, newName: (name) => `${name}.${n++}`, burst: options.burst ?? 100, refillMs: 1000, similarThreshold: options.similarThreshold ?? 3, windowMs: 60_000 });
  return { clock, agg };
}

const rec = (name: string, message: string, reason = 'IPAllocated', type: 'Normal' | 'Warning' = 'Normal'): EventRecord => ({
  involved: { kind: 'Service', namespace: 'ns', name, uid: `uid-${name}` },
  type,
  reason,
  message,
});

describe('EventAggregator', () => {
  it('counts repeats onto one Event', () => {
    const { agg } = setup();
    const first = agg.decide(rec('web', 'assigned 10.0.0.1'));
    const second = agg.decide(rec('web', 'assigned 10.0.0.1'));
    expect(first).toMatchObject({ kind: 'send', isNew: true, count: 1, name: 'web.0' });
    expect(second).toMatchObject({ kind: 'send', isNew: false, count: 2, name: 'web.0' });
  });

  const distinct: { name: string; a: EventRecord; b: EventRecord }[] = [
    { name: 'other object', a: rec('web', 'm'), b: rec('db', 'm') },
    { name: 'other reason', a: rec('web', 'm'), b: rec('web', 'm', 'OtherReason') },
    { name: 'other type', a: rec('web', 'm'), b: rec('web', 'm', 'IPAllocated', 'Warning') },
    { name: 'other message', a: rec('web', 'm1'), b: rec('web', 'm2') },
  ];
  it.each(distinct)('keeps Events apart that differ by $name', ({ a, b }) => {
    const { agg } = setup();
    agg.decide(a);
    expect(agg.decide(b)).toMatchObject({ isNew: true, count: 1 });
  });
  it('has distinct cases', () => expect(distinct.length).toBeGreaterThan(0));

  it('starts a new Event after the window', async () => {
    const { agg, clock } = setup();
    agg.decide(rec('web', 'm'));
    await clock.advance(60_001);
    expect(agg.decide(rec('web', 'm'))).toMatchObject({ isNew: true, count: 1, name: 'web.1' });
  });

  it('combines many different messages for one object and reason', () => {
    const { agg } = setup({ similarThreshold: 3 });
    for (const m of ['a', 'b', 'c']) expect(agg.decide(rec('web', m))).toMatchObject({ isNew: true, message: m });
    expect(agg.decide(rec('web', 'd'))).toMatchObject({ isNew: true, count: 1, message: `${COMBINED_PREFIX}d` });
    expect(agg.decide(rec('web', 'e'))).toMatchObject({ isNew: false, count: 2, message: `${COMBINED_PREFIX}e` });
    // A message seen before still counts on its own Event.
    expect(agg.decide(rec('web', 'a'))).toMatchObject({ isNew: false, count: 2, message: 'a' });
  });

  it('drops an object flooding past its burst, and lets one through per refill', async () => {
    const { agg, clock } = setup({ burst: 2 });
    expect(agg.decide(rec('web', 'm')).kind).toBe('send');
    expect(agg.decide(rec('web', 'm')).kind).toBe('send');
    expect(agg.decide(rec('web', 'm')).kind).toBe('drop');
    expect(agg.decide(rec('db', 'm')).kind).toBe('send');
    await clock.advance(1000);
    expect(agg.decide(rec('web', 'm'))).toMatchObject({ kind: 'send', count: 3 });
  });

  it('forget makes the next repeat a new Event', () => {
    const { agg } = setup();
    const first = agg.decide(rec('web', 'm'));
    if (first.kind !== 'send') throw new Error('expected send');
    agg.forget(first.key);
    expect(agg.decide(rec('web', 'm'))).toMatchObject({ isNew: true, count: 1 });
  });
});
