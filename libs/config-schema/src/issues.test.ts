import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIssue, formatPath, parsePath, type PathSegment } from './issues.js';

describe('formatPath', () => {
  const cases: Array<[PathSegment[], string]> = [
    [[], ''],
    [['spec', 'addresses', 0], 'spec.addresses[0]'],
    [['metadata', 'labels', 'app.kubernetes.io/name'], 'metadata.labels["app.kubernetes.io/name"]'],
    [['spec', 'nodeSelectors', 1, 'matchExpressions', 0, 'values'], 'spec.nodeSelectors[1].matchExpressions[0].values'],
  ];
  it.each(cases)('%j → %s', (segments, text) => {
    expect(formatPath(segments)).toBe(text);
    expect(parsePath(text)).toEqual(segments);
  });
  it('ran every case', () => expect(cases.length).toBeGreaterThan(0));

  it('parses back every path it formats', () => {
    const segment = fc.oneof(fc.nat(1000), fc.string({ minLength: 1 }));
    fc.assert(fc.property(fc.array(segment, { maxLength: 6 }).filter((s) => typeof s[0] !== 'number'), (segments) => {
      expect(parsePath(formatPath(segments))).toEqual(segments);
    }));
  });
});

describe('formatIssue', () => {
  it('says which resource, where, what, and where in the file', () => {
    expect(
      formatIssue({
        severity: 'error',
        resource: { kind: 'IPAddressPool', namespace: 'metallb-system', name: 'cheap' },
        path: 'spec.addresses[0]',
        message: 'bad',
        source: { file: 'a.yaml', line: 8, column: 5 },
      }),
    ).toBe('IPAddressPool metallb-system/cheap: spec.addresses[0]: bad (a.yaml:8:5)');
    expect(formatIssue({ severity: 'warning', resource: { kind: 'MetalLoadBalancerClass', name: 'x' }, path: '', message: 'w' })).toBe(
      'warning: MetalLoadBalancerClass x: w',
    );
  });
});
