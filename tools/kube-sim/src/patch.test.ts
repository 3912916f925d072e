import { describe, expect, it } from 'vitest';
import { jsonPatch } from './json-patch.js';
import { mergePatch, strategicMergePatch, type StrategyTable } from './patch.js';

describe('mergePatch (RFC 7386)', () => {
  const cases: Array<{ target: unknown; patch: unknown; result: unknown }> = [
    { target: { a: 'b' }, patch: { a: 'c' }, result: { a: 'c' } },
    { target: { a: 'b' }, patch: { b: 'c' }, result: { a: 'b', b: 'c' } },
    { target: { a: 'b' }, patch: { a: null }, result: {} },
    { target: { a: ['b'] }, patch: { a: ['c'] }, result: { a: ['c'] } },
    { target: { a: { b: 'c' } }, patch: { a: { b: 'd', c: null } }, result: { a: { b: 'd' } } },
    { target: ['a'], patch: { a: 'b' }, result: { a: 'b' } },
    { target: { a: 'foo' }, patch: 'bar', result: 'bar' },
  ];
  it.each(cases)('$patch', ({ target, patch, result }) => expect(mergePatch(target, patch)).toEqual(result));
  it('ran the table', () => expect(cases.length).toBeGreaterThan(0));
});

describe('jsonPatch (RFC 6902)', () => {
  it('applies add/replace/remove without touching the input', () => {
    const target = { metadata: { labels: { a: '1' } }, spec: { n: 1 } };
    const r = jsonPatch(target, [
      { op: 'add', path: '/metadata/labels/b', value: '2' },
      { op: 'replace', path: '/spec/n', value: 2 },
      { op: 'remove', path: '/metadata/labels/a' },
    ]);
    expect(r).toEqual({ ok: true, value: { metadata: { labels: { b: '2' } }, spec: { n: 2 } } });
    expect(target.metadata.labels).toEqual({ a: '1' });
  });
  it.each([
    [[{ op: 'test', path: '/spec/n', value: 9 }], 'testing value /spec/n failed: the test operation failed'],
    [{ op: 'add' }, 'json patch must be an array of operations'],
  ])('reports %j as an error', (ops, message) => {
    expect(jsonPatch({ spec: { n: 1 } }, ops)).toEqual({ ok: false, error: message });
  });
  it('reports a bad path as an error, not a throw', () => {
    const r = jsonPatch({}, [{ op: 'replace', path: '/nope/deeper', value: 1 }]);
    expect(r.ok).toBe(false);
  });
});

describe('strategicMergePatch', () => {
  const table: StrategyTable = {
    'spec.ports': { mergeKey: 'port' },
    'metadata.finalizers': {},
    'spec.containers': { mergeKey: 'name' },
    'spec.containers[].env': { mergeKey: 'name' },
  };
  const service = {
    metadata: { finalizers: ['a'], labels: { x: '1' } },
    spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }], selector: { app: 'web' } },
  };
  const cases: Array<{ name: string; patch: object; result: object }> = [
    { name: 'merges list elements by key', patch: { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, result: { ...service, spec: { ...service.spec, ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] } } },
    { name: 'appends new keys', patch: { spec: { ports: [{ port: 53 }] } }, result: { ...service, spec: { ...service.spec, ports: [...service.spec.ports, { port: 53 }] } } },
    { name: '$patch: delete removes by key', patch: { spec: { ports: [{ port: 443, $patch: 'delete' }] } }, result: { ...service, spec: { ...service.spec, ports: [{ port: 80, targetPort: 8080 }] } } },
    { name: 'unions merging primitive lists', patch: { metadata: { finalizers: ['b', 'a'] } }, result: { ...service, metadata: { ...service.metadata, finalizers: ['a', 'b'] } } },
    { name: '$deleteFromPrimitiveList', patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, result: { ...service, metadata: { ...service.metadata, finalizers: [] } } },
    { name: 'replaces maps with $patch: replace', patch: { spec: { selector: { app: 'db', $patch: 'replace' } } }, result: { ...service, spec: { ...service.spec, selector: { app: 'db' } } } },
    { name: 'null deletes a key', patch: { metadata: { labels: { x: null } } }, result: { ...service, metadata: { ...service.metadata, labels: {} } } },
    { name: '$setElementOrder reorders', patch: { spec: { '$setElementOrder/ports': [{ port: 443 }, { port: 80 }] } }, result: { ...service, spec: { ...service.spec, ports: [{ port: 443 }, { port: 80, targetPort: 8080 }] } } },
    { name: '$retainKeys drops the rest', patch: { spec: { $retainKeys: ['ports'], ports: [] } }, result: { ...service, spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } } },
  ];
  it.each(cases)('$name', ({ patch, result }) => expect(strategicMergePatch(service, patch, table)).toEqual({ ok: true, value: result }));
  it('ran the table', () => expect(cases.length).toBeGreaterThan(0));

  it('merges nested keyed lists', () => {
    const pod = { spec: { containers: [{ name: 'a', image: 'x', env: [{ name: 'E', value: '1' }] }] } };
    const r = strategicMergePatch(pod, { spec: { containers: [{ name: 'a', env: [{ name: 'F', value: '2' }] }] } }, table);
    expect(r).toEqual({ ok: true, value: { spec: { containers: [{ name: 'a', image: 'x', env: [{ name: 'E', value: '1' }, { name: 'F', value: '2' }] }] } } });
  });
  it('replaces lists it has no strategy for', () => {
    expect(strategicMergePatch({ a: [1, 2] }, { a: [3] }, table)).toEqual({ ok: true, value: { a: [3] } });
  });
  it('reports an element without its merge key', () => {
    const r = strategicMergePatch(service, { spec: { ports: [{ targetPort: 1 }] } }, table);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain('does not contain declared merge key: port');
  });
});
