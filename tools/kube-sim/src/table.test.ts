import { describe, expect, it } from 'vitest';
import { evaluateJsonPath, humanDuration, parseJsonPath, printerColumn, toTable } from './table.js';

describe('humanDuration', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [45_000, '45s'],
    [119_000, '119s'],
    [205_000, '3m25s'],
    [12 * 60_000, '12m'],
    [(5 * 60 + 3) * 60_000, '5h3m'],
    [20 * 3600_000, '20h'],
    [(3 * 24 + 4) * 3600_000, '3d4h'],
    [30 * 86400_000, '30d'],
    [3 * 365 * 86400_000, '3y'],
  ];
  it.each(cases)('%d ms → %s', (ms, text) => expect(humanDuration(ms)).toBe(text));
  it('ran the table', () => expect(cases.length).toBeGreaterThan(0));
});

describe('JSONPath for printer columns', () => {
  const obj = { spec: { a: [{ b: 1 }, { b: 2 }] }, status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Other', status: 'False' }] } };
  it.each([
    ['.spec.a[1].b', [2]],
    ['.spec.a[*].b', [1, 2]],
    ['.status.conditions[?(@.type=="Ready")].status', ['True']],
    ['.missing.field', []],
  ] as Array<[string, unknown[]]>)('%s', (path, values) => {
    const steps = parseJsonPath(path);
    expect(steps).not.toBeNull();
    expect(evaluateJsonPath(steps ?? [], obj)).toEqual(values);
  });
  it('prints arrays as JSON and dates as ages', () => {
    const addresses = printerColumn({ name: 'Addresses', type: 'string', jsonPath: '.spec.addresses' });
    expect(addresses.cell({ spec: { addresses: ['10.0.0.1-10.0.0.9'] } }, 0)).toBe('["10.0.0.1-10.0.0.9"]');
    const created = printerColumn({ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' });
    expect(created.cell({ metadata: { creationTimestamp: '2026-01-01T00:00:00Z' } }, Date.parse('2026-01-01T00:00:45Z'))).toBe('45s');
  });
});

describe('toTable', () => {
  it('builds a meta.k8s.io/v1 Table with partial metadata rows', () => {
    const col = printerColumn({ name: 'X', type: 'integer', jsonPath: '.spec.x' });
    const table = toTable([{ metadata: { name: 'a' }, spec: { x: 1 } }], [col], '7', 'Metadata');
    expect(table).toMatchObject({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '7' },
      columnDefinitions: [{ name: 'X', type: 'integer' }],
      rows: [{ cells: [1], object: { kind: 'PartialObjectMetadata', metadata: { name: 'a' } } }],
    });
  });
});
