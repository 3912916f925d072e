import { describe, expect, it } from 'vitest';
import { jsonPatch, MAX_JSON_PATCH_OPERATIONS, parsePointer } from './json-patch.js';

describe('jsonPatch (RFC 6902, as kube-apiserver applies it)', () => {
  const doc = { metadata: { labels: { a: '1' } }, spec: { list: [1, 2, 3] } };
  const cases: Array<{ name: string; ops: unknown; value?: unknown; error?: RegExp }> = [
    { name: 'add to an object', ops: [{ op: 'add', path: '/metadata/labels/b', value: '2' }], value: { metadata: { labels: { a: '1', b: '2' } }, spec: { list: [1, 2, 3] } } },
    { name: 'add inside a list', ops: [{ op: 'add', path: '/spec/list/1', value: 9 }], value: { metadata: { labels: { a: '1' } }, spec: { list: [1, 9, 2, 3] } } },
    { name: 'add at the end with -', ops: [{ op: 'add', path: '/spec/list/-', value: 4 }], value: { metadata: { labels: { a: '1' } }, spec: { list: [1, 2, 3, 4] } } },
    { name: 'remove', ops: [{ op: 'remove', path: '/metadata/labels/a' }], value: { metadata: { labels: {} }, spec: { list: [1, 2, 3] } } },
    { name: 'replace', ops: [{ op: 'replace', path: '/spec/list/0', value: 0 }], value: { metadata: { labels: { a: '1' } }, spec: { list: [0, 2, 3] } } },
    { name: 'move', ops: [{ op: 'move', from: '/metadata/labels/a', path: '/metadata/labels/c' }], value: { metadata: { labels: { c: '1' } }, spec: { list: [1, 2, 3] } } },
    { name: 'copy', ops: [{ op: 'copy', from: '/metadata/labels', path: '/spec/labels' }], value: { metadata: { labels: { a: '1' } }, spec: { list: [1, 2, 3], labels: { a: '1' } } } },
    { name: 'test that holds', ops: [{ op: 'test', path: '/spec/list', value: [1, 2, 3] }], value: doc },
    { name: 'escaped pointer', ops: [{ op: 'add', path: '/metadata/labels/x~1y~0z', value: 'v' }], value: { metadata: { labels: { a: '1', 'x/y~z': 'v' } }, spec: { list: [1, 2, 3] } } },
    { name: 'test that fails', ops: [{ op: 'test', path: '/spec/list/0', value: 7 }], error: /^testing value \/spec\/list\/0 failed: the test operation failed$/ },
    { name: 'replace of a missing key', ops: [{ op: 'replace', path: '/spec/nope', value: 1 }], error: /replace operation does not apply: doc is missing key/ },
    { name: 'remove of a missing key', ops: [{ op: 'remove', path: '/spec/nope' }], error: /remove operation does not apply/ },
    { name: 'add below a missing parent', ops: [{ op: 'add', path: '/nope/deeper', value: 1 }], error: /add operation does not apply: doc is missing path: "\/nope\/deeper"/ },
    { name: 'an index past the end', ops: [{ op: 'add', path: '/spec/list/9', value: 1 }], error: /invalid index 9/ },
    { name: 'an unknown op', ops: [{ op: 'frobnicate', path: '/spec' }], error: /Unexpected kind: "frobnicate"/ },
    { name: 'a pointer without a leading slash', ops: [{ op: 'add', path: 'spec', value: 1 }], error: /must be empty or start with a "\/"/ },
    { name: 'not a list of operations', ops: { op: 'add' }, error: /must be an array of operations/ },
    // Prototype names are field names like any other: present or missing, never Object.prototype.
    { name: '/__proto__/x names a missing field', ops: [{ op: 'add', path: '/__proto__/polluted', value: 'yes' }], error: /add operation does not apply: doc is missing path: "\/__proto__\/polluted"/ },
    { name: '/constructor/prototype names a missing field', ops: [{ op: 'add', path: '/constructor/prototype/polluted', value: 'yes' }], error: /doc is missing path/ },
    { name: 'a field named __proto__ is added as data', ops: [{ op: 'add', path: '/metadata/__proto__', value: { polluted: 'yes' } }], value: JSON.parse('{"metadata":{"labels":{"a":"1"},"__proto__":{"polluted":"yes"}},"spec":{"list":[1,2,3]}}') },
  ];
  it.each(cases)('$name', ({ ops, value, error }) => {
    const before = JSON.stringify(doc);
    const r = jsonPatch(doc, ops);
    if (error) expect(r.ok ? 'no error' : r.error).toMatch(error);
    else {
      expect(r.ok).toBe(true);
      if (r.ok) expect(JSON.stringify(r.value)).toBe(JSON.stringify(value));
    }
    expect(JSON.stringify(doc)).toBe(before);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
  it('ran the table', () => expect(cases.length).toBeGreaterThan(0));

  it('refuses more operations than the API server allows, as too large', () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '', value: {} }));
    expect(jsonPatch({}, ops)).toMatchObject({ ok: false, tooLarge: true, error: 'The allowed maximum operations in a JSON patch is 10000, got 10001' });
  });

  it('parses pointers', () => {
    expect(parsePointer('')).toEqual([]);
    expect(parsePointer('/a~1b/~0c/')).toEqual(['a/b', '~c', '']);
    expect(parsePointer('a')).toBeUndefined();
  });
});
