import { describe, expect, it } from 'vitest';
import { formatIssue } from './issues.js';
import { parseYaml } from './yaml.js';

describe('parseYaml', () => {
  it('reads every document and remembers where each starts', () => {
    const { objects, issues } = parseYaml('a: 1\n---\n# nothing here\n---\nb: 2\n', { file: 'f.yaml' });
    expect(issues).toEqual([]);
    expect(objects.map((o) => o.object)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(objects.map((o) => o.source)).toEqual([
      { file: 'f.yaml', line: 1, column: 1 },
      { file: 'f.yaml', line: 5, column: 1 },
    ]);
  });

  it('keeps community-looking values as strings (YAML 1.2, not 1.1 base 60)', () => {
    expect(parseYaml('c: [65535:65282, 1:1]').objects[0]?.object).toEqual({ c: ['65535:65282', '1:1'] });
  });

  it('finds fields, or their nearest parent', () => {
    const { objects } = parseYaml('spec:\n  addresses:\n  - 10.0.0.1\n  - bad\n');
    const locate = objects[0]?.locate;
    expect(locate?.(['spec', 'addresses', 1])).toEqual({ line: 4, column: 5 });
    expect(locate?.(['spec', 'missing', 'deeper'])).toEqual({ line: 2, column: 3 });
  });

  it('opens kind: List', () => {
    const { objects } = parseYaml('kind: List\nitems:\n- {kind: A}\n- {kind: B}\n');
    expect(objects.map((o) => o.object)).toEqual([{ kind: 'A' }, { kind: 'B' }]);
    expect(objects[1]?.source.line).toBe(4);
  });

  const malformed: Array<[string, string, RegExp]> = [
    ['unclosed flow', 'a: 1\n---\nb: [1, 2\n', /malformed YAML in document 2: .* \(\d+:\d+\)$/],
    ['bad indentation', 'a:\n  b: 1\n c: 2\n', /malformed YAML in document 1: .*\(3:\d+\)$/],
    ['duplicate key', 'a: 1\na: 2\n', /malformed YAML in document 1: .*(duplicate|unique).*\(2:1\)$/i],
    ['tab indentation', 'a:\n\tb: 1\n', /malformed YAML in document 1/],
  ];
  it.each(malformed)('reports %s with line and column', (_what, text, expected) => {
    const { issues } = parseYaml(text);
    expect(issues.length).toBeGreaterThan(0);
    expect(formatIssue(issues[0] as (typeof issues)[number])).toMatch(expected);
  });
  it('ran every case', () => expect(malformed.length).toBeGreaterThan(0));

  it('refuses alias bombs', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
    const { objects, issues } = parseYaml(bomb);
    expect(objects).toEqual([]);
    expect(issues[0]?.message).toMatch(/document 1: .*alias/i);
  });
});
