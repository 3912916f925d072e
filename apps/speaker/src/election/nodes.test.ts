import { describe, expect, it } from 'vitest';
import { node } from '../../test/fixtures.js';
import { EXCLUDE_FROM_LB_LABEL, nodeExclusion, tolerates, untoleratedTaints } from './nodes.js';

describe('tolerates (Kubernetes rules)', () => {
  const taint = { key: 'dedicated', value: 'frontend', effect: 'NoExecute' };
  const cases: Array<[string, Parameters<typeof tolerates>[0], boolean]> = [
    ['Equal, same key and value', { key: 'dedicated', operator: 'Equal', value: 'frontend' }, true],
    ['operator defaults to Equal', { key: 'dedicated', value: 'frontend' }, true],
    ['Equal, another value', { key: 'dedicated', value: 'backend' }, false],
    ['Exists with the key', { key: 'dedicated', operator: 'Exists' }, true],
    ['Exists without a key tolerates everything', { operator: 'Exists' }, true],
    ['matching effect', { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, true],
    ['another effect', { key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }, false],
    ['another key', { key: 'other', operator: 'Exists' }, false],
  ];
  it.each(cases)('%s → %s', (_name, toleration, expected) => expect(tolerates(toleration, taint)).toBe(expected));
  it('covers the cases', () => expect(cases.length).toBeGreaterThan(0));

  it('only blocking effects count', () => {
    const n = node('n', {}, [
      { key: 'a', effect: 'NoSchedule' },
      { key: 'b', effect: 'PreferNoSchedule' },
      { key: 'c', effect: 'NoExecute' },
    ]);
    expect(untoleratedTaints(n, [{ key: 'c', operator: 'Exists' }]).map((t) => t.key)).toEqual(['a']);
  });
});

describe('nodeExclusion', () => {
  const cases: Array<[string, Parameters<typeof nodeExclusion>[0], boolean, ReturnType<typeof nodeExclusion>]> = [
    ['a plain node', node('n'), false, undefined],
    ['NetworkUnavailable True', node('n', {}, [], [{ type: 'NetworkUnavailable', status: 'True' }]), false, 'network-unavailable'],
    ['NetworkUnavailable False', node('n', {}, [], [{ type: 'NetworkUnavailable', status: 'False' }]), false, undefined],
    ['the exclusion label, any value', node('n', { [EXCLUDE_FROM_LB_LABEL]: 'false' }), false, 'excluded-from-load-balancers'],
    ['the exclusion label with --ignore-exclude-lb', node('n', { [EXCLUDE_FROM_LB_LABEL]: '' }), true, undefined],
  ];
  it.each(cases)('%s', (_name, n, ignore, expected) => expect(nodeExclusion(n, { ignoreExcludeLB: ignore })).toBe(expected));
});
