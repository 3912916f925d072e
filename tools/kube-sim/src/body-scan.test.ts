import { describe, expect, it } from 'vitest';
import { MAX_NESTING_DEPTH_KUBE_SIM, scanJson } from './body-scan.js';

describe('scanJson', () => {
  const cases: Array<{ text: string; duplicates: string[] }> = [
    { text: '{"a":1,"b":2}', duplicates: [] },
    { text: '{"a":1,"a":2}', duplicates: ['a'] },
    { text: '{"metadata":{"name":"x","labels":{"k":"1","k":"2"},"name":"y"}}', duplicates: ['metadata.labels.k', 'metadata.name'] },
    { text: '{"spec":{"ports":[{"port":1,"port":2},{"port":3}]}}', duplicates: ['spec.ports[0].port'] },
    { text: '{"a":"x\\",\\"a\\":1","a":2}', duplicates: ['a'] },
    { text: '{"\\u0061":1,"a":2}', duplicates: ['a'] },
    { text: '{"a":{"x":1},"b":{"x":1}}', duplicates: [] },
    { text: '[{"a":1},{"a":1}]', duplicates: [] },
    { text: '{"a": [1, 2,', duplicates: [] },
  ];
  it.each(cases)('$text', ({ text, duplicates }) => expect(scanJson(text)).toEqual({ ok: true, duplicates }));
  it('ran the table', () => expect(cases.length).toBeGreaterThan(0));

  it('refuses nesting past the limit without recursing', () => {
    const deep = (n: number): string => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    expect(scanJson(deep(MAX_NESTING_DEPTH_KUBE_SIM)).ok).toBe(true);
    expect(scanJson(deep(MAX_NESTING_DEPTH_KUBE_SIM + 1))).toEqual({ ok: false, error: `exceeded max depth of ${MAX_NESTING_DEPTH_KUBE_SIM}` });
    expect(scanJson('['.repeat(1_000_000))).toEqual({ ok: false, error: `exceeded max depth of ${MAX_NESTING_DEPTH_KUBE_SIM}` });
  });
});
