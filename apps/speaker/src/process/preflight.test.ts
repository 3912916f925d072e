import { describe, expect, it } from 'vitest';
import { CAP_NET_RAW, CAP_SYS_NICE, preflightLayer2, type PreflightProbe } from './preflight.js';

const probe = (missing: readonly string[], caps: readonly number[]): PreflightProbe => ({
  load: (name) => {
    if (missing.includes(name)) throw new Error(`Cannot find module '${name}'\nRequire stack: ...`);
  },
  effectiveCaps: () => caps.reduce((mask, bit) => mask | (1n << BigInt(bit)), 0n),
});

describe('preflightLayer2', () => {
  it('passes with libpcap, the fast path and both capabilities', () => {
    expect(preflightLayer2(probe([], [CAP_NET_RAW, CAP_SYS_NICE]))).toEqual({ warnings: [], fastPath: true });
  });

  it('refuses, in one line naming each, without libpcap or CAP_NET_RAW', () => {
    const result = preflightLayer2(probe(['cap'], [CAP_SYS_NICE]));
    expect(result.fatal).toMatch(/^cannot announce in layer 2: libpcap binding "cap" does not load \(install libpcap-dev.*Cannot find module 'cap'; capability CAP_NET_RAW is missing/);
    expect(result.fatal).not.toContain('\n');
  });

  it('falls back to libpcap without the fast path, and warns without CAP_SYS_NICE', () => {
    const noAddon = preflightLayer2(probe(['@lb/arp-fastpath'], [CAP_NET_RAW]));
    expect(noAddon.fatal).toBeUndefined();
    expect(noAddon.fastPath).toBe(false);
    expect(noAddon.warnings[0]).toMatch(/fast path .* does not load, ARP is answered through libpcap/);
    expect(preflightLayer2(probe([], [CAP_NET_RAW])).warnings).toEqual([expect.stringMatching(/CAP_SYS_NICE is missing/)]);
  });
});
