import { describe, expect, it } from 'vitest';
import { ElectionState, microTime, timingErrors } from './election.js';
import { type Lease } from './objects.js';

const timing = { leaseDurationMs: 10_000, renewDeadlineMs: 6_000, retryPeriodMs: 2_000 };
const lease = (rv: string, holder: string, durationSeconds = 10, transitions = 0): Lease => ({
  metadata: { name: 'l', namespace: 'ns', resourceVersion: rv },
  spec: { holderIdentity: holder, leaseDurationSeconds: durationSeconds, leaseTransitions: transitions },
});

type Step =
  | readonly ['observe', Lease | undefined, number]
  | readonly ['wrote', Lease, number, number]
  | readonly ['lose']
  | readonly ['decide', number, ReturnType<ElectionState['decide']>]
  | readonly ['leader', number, boolean];

const cases: { name: string; steps: Step[] }[] = [
  { name: 'nothing read yet: wait and read', steps: [['decide', 0, { kind: 'wait', ms: 0, holder: '' }]] },
  { name: 'no lease: create', steps: [['observe', undefined, 0], ['decide', 0, { kind: 'create' }]] },
  { name: 'free lease: acquire', steps: [['observe', lease('1', ''), 0], ['decide', 0, { kind: 'acquire' }]] },
  { name: 'our own lease (restart): acquire', steps: [['observe', lease('1', 'me'), 0], ['decide', 0, { kind: 'acquire' }]] },
  {
    name: 'held by another: wait for expiry counted from when we first saw this version',
    steps: [
      ['observe', lease('1', 'other'), 1000],
      ['decide', 1000, { kind: 'wait', ms: 10_000, holder: 'other' }],
      ['observe', lease('1', 'other'), 5000],
      ['decide', 5000, { kind: 'wait', ms: 6000, holder: 'other' }],
      ['decide', 11_000, { kind: 'acquire' }],
    ],
  },
  {
    name: 'a renewal (new version) restarts the wait',
    steps: [
      ['observe', lease('1', 'other'), 0],
      ['observe', lease('2', 'other'), 9000],
      ['decide', 10_000, { kind: 'wait', ms: 9000, holder: 'other' }],
      ['decide', 19_000, { kind: 'acquire' }],
    ],
  },
  {
    name: "the holder's lease duration counts, not ours",
    steps: [['observe', lease('1', 'other', 3), 0], ['decide', 2999, { kind: 'wait', ms: 1, holder: 'other' }], ['decide', 3000, { kind: 'acquire' }]],
  },
  {
    name: 'leading lasts renewDeadline from when the write was sent',
    steps: [
      ['wrote', lease('5', 'me'), 100, 900],
      ['leader', 900, true],
      ['decide', 900, { kind: 'renew' }],
      ['leader', 6099, true],
      ['leader', 6100, false],
      ['decide', 6100, { kind: 'acquire' }],
    ],
  },
  {
    name: 'a write that took longer than the deadline does not make us leader',
    steps: [['wrote', lease('5', 'me'), 0, 7000], ['leader', 7000, false]],
  },
  {
    name: 'a renewal extends the term; a late answer to an older write does not shorten it',
    steps: [['wrote', lease('5', 'me'), 0, 10], ['wrote', lease('6', 'me'), 2000, 2010], ['wrote', lease('7', 'me'), 1000, 2020], ['leader', 7999, true], ['leader', 8000, false]],
  },
  { name: 'lose ends leadership at once', steps: [['wrote', lease('5', 'me'), 0, 10], ['lose'], ['leader', 11, false]] },
];

describe('ElectionState', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));
  it.each(cases)('$name', ({ steps }) => {
    const s = new ElectionState('me', timing);
    steps.forEach((step, i) => {
      const at = `step ${i}`;
      switch (step[0]) {
        case 'observe': s.observe(step[1], step[2]); break;
        case 'wrote': s.wrote(step[1], step[2], step[3]); break;
        case 'lose': s.lose(); break;
        case 'decide': expect(s.decide(step[1]), at).toEqual(step[2]); break;
        case 'leader': expect(s.isLeader(step[1]), at).toBe(step[2]); break;
      }
    });
  });

  it('writes specs: acquire from another counts a transition, renew keeps acquireTime', () => {
    const s = new ElectionState('me', timing);
    s.observe(lease('1', 'other', 10, 4), 0);
    const t1 = new Date('2026-01-02T03:04:05.678Z');
    const acquired = s.specFor('acquire', t1);
    expect(acquired).toMatchObject({ holderIdentity: 'me', leaseDurationSeconds: 10, leaseTransitions: 5, acquireTime: '2026-01-02T03:04:05.678000Z', renewTime: '2026-01-02T03:04:05.678000Z' });
    s.wrote({ ...lease('2', 'me', 10, 5), spec: acquired }, 0, 1);
    const renewed = s.specFor('renew', new Date('2026-01-02T03:04:07.000Z'));
    expect(renewed).toMatchObject({ holderIdentity: 'me', leaseTransitions: 5, acquireTime: '2026-01-02T03:04:05.678000Z', renewTime: '2026-01-02T03:04:07.000000Z' });
    expect(s.specFor('create', t1).leaseTransitions).toBe(0);
    expect(s.releasedSpec(t1)).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 5 });
  });

  it('rejects unsafe timing, listing every problem', () => {
    expect(timingErrors({ leaseDurationMs: 500, renewDeadlineMs: 600, retryPeriodMs: 700 })).toEqual([
      'leaseDurationMs must be at least 1000 (a Lease counts whole seconds), got 500',
      'renewDeadlineMs (600) must be less than leaseDurationMs (500)',
      'retryPeriodMs (700) must be less than renewDeadlineMs (600)',
    ]);
    expect(() => new ElectionState('me', { leaseDurationMs: 1000, renewDeadlineMs: 1000, retryPeriodMs: 100 })).toThrow(/renewDeadlineMs \(1000\) must be less/);
    expect(() => new ElectionState('', timing)).toThrow(/identity/);
  });

  it('formats MicroTime with microseconds', () => {
    expect(microTime(new Date(0))).toBe('1970-01-01T00:00:00.000000Z');
  });
});
