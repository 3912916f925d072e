import { describe, expect, it } from 'vitest';
import { parseWatchLine } from './list-watch.js';

describe('parseWatchLine', () => {
  const good: { line: string; expected: unknown }[] = [
    { line: '{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}}', expected: { type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '5' } } } },
    { line: '{"type":"BOOKMARK","object":{"kind":"Service","metadata":{"resourceVersion":"9"}}}', expected: { type: 'BOOKMARK', resourceVersion: '9' } },
    { line: '{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired"}}', expected: { type: 'ERROR', status: { kind: 'Status', code: 410, reason: 'Expired' } } },
  ];
  it.each(good)('accepts $line', ({ line, expected }) => expect(parseWatchLine(line)).toEqual(expected));

  const bad: { line: string; problem: RegExp }[] = [
    { line: '{"type":"ADDED","object":{"metadata":{"name":"a"', problem: /^not JSON/ },
    { line: '[1,2]', problem: /no "type"/ },
    { line: '"x"', problem: /not a JSON object/ },
    { line: '{"object":{}}', problem: /no "type"/ },
    { line: '{"type":"ADDED"}', problem: /ADDED event without an "object"/ },
    { line: '{"type":"ADDED","object":[]}', problem: /without an "object"/ },
    { line: '{"type":"MODIFIED","object":{"metadata":{"name":"a"}}}', problem: /no metadata.resourceVersion/ },
    { line: '{"type":"DELETED","object":{"metadata":{"resourceVersion":"3"}}}', problem: /no metadata.name/ },
    { line: '{"type":"EXPLODED","object":{"metadata":{"name":"a","resourceVersion":"3"}}}', problem: /unknown event type "EXPLODED"/ },
  ];
  it.each(bad)('rejects $line', ({ line, problem }) => {
    const r = parseWatchLine(line);
    expect(typeof r).toBe('string');
    expect(r).toMatch(problem);
  });
  it('has cases', () => {
    expect(good.length).toBeGreaterThan(0);
    expect(bad.length).toBeGreaterThan(0);
  });
});
