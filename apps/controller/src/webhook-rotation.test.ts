import { describe, expect, it } from 'vitest';
import { createServingPair } from '@lb/certs';
import { caBundleAfterRenewal, renewalDue, validity } from './webhook-rotation.js';

const DAY = 24 * 3600 * 1000;

describe('renewalDue', () => {
  const v = { notBefore: 0, notAfter: 300 * DAY };
  const cases: Array<[string, number, boolean]> = [
    ['fresh', 1 * DAY, false],
    ['just before two thirds', 199 * DAY, false],
    ['at two thirds', 200 * DAY, true],
    ['expired', 400 * DAY, true],
  ];
  it.each(cases)('%s', (_name, now, due) => expect(renewalDue(v, now)).toBe(due));
  it('renews what it cannot read', () => expect(renewalDue(undefined, 0)).toBe(true));
  it('ran the table', () => expect(cases.length).toBeGreaterThan(0));
});

describe('caBundleAfterRenewal and validity', () => {
  it('keeps the previous CA while it is valid, and only that one', async () => {
    const [a, b, c] = await Promise.all([createServingPair(['x'], 'x', 'a'), createServingPair(['x'], 'x', 'b'), createServingPair(['x'], 'x', 'c')]);
    const now = Date.now();
    expect(validity(a.ca.cert)?.notAfter).toBeGreaterThan(now);
    expect(validity('not a certificate')).toBeUndefined();
    const ab = caBundleAfterRenewal(b.ca.cert, a.ca.cert, now);
    expect(ab.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(ab.startsWith(b.ca.cert.trim())).toBe(true);
    const bc = caBundleAfterRenewal(c.ca.cert, ab, now);
    expect(bc).toContain(b.ca.cert.trim());
    expect(bc).not.toContain(a.ca.cert.trim());
    const past = (validity(a.ca.cert)?.notAfter ?? 0) + 1;
    expect(caBundleAfterRenewal(b.ca.cert, a.ca.cert, past).match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
  });
});
