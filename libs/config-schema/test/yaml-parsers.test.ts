// parseYaml reads well-formed input with js-yaml and positions with `yaml`; both must read every
// text to the same values, or the fast path would change what a configuration means.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseYaml } from '../src/index.js';
import { sharedDir, workspaceRoot } from './helpers.js';

/** What `yaml` alone makes of the text: every non-empty document, lists opened. */
function carefully(text: string): unknown[] {
  const values: unknown[] = [];
  for (const document of parseAllDocuments(text)) {
    expect(document.errors).toEqual([]);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    const list = value as { kind?: unknown; items?: unknown };
    if (list.kind === 'List' && Array.isArray(list.items)) values.push(...(list.items as unknown[]));
    else values.push(value);
  }
  return values;
}

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFilesUnder(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

const corpus = [join(sharedDir, 'reference'), join(workspaceRoot, 'examples'), join(workspaceRoot, 'charts', 'lb', 'crds')].flatMap(yamlFilesUnder);

describe('the quick and the careful YAML readers agree', () => {
  it('has a corpus', () => expect(corpus.length).toBeGreaterThan(20));

  it.each(corpus.map((path) => [relative(workspaceRoot, path), path] as const))('%s', (_name, path) => {
    const text = readFileSync(path, 'utf8');
    const careful = (() => {
      try {
        return carefully(text);
      } catch {
        return undefined; // not well-formed for `yaml`: parseYaml reports it, tested elsewhere
      }
    })();
    if (careful === undefined) return;
    expect(parseYaml(text).objects.map((o) => o.object)).toEqual(careful);
  });

  // Plain scalars near the edges of the core schema, where YAML 1.1, js-yaml's defaults and the
  // 1.2 core schema part ways.
  const tricky = [
    '0x1F', '0o17', '0b11', '-0x1', '+0x1', '017', '0.5', '.5', '5.', '-5', '+5', '1e3', '1E-3', '1_000',
    '.inf', '-.Inf', '+.INF', '.nan', '.NaN', 'nan', 'inf', '~', 'null', 'Null', 'NULL', 'nUll',
    'true', 'True', 'TRUE', 'tRue', 'false', 'yes', 'no', 'on', 'off', 'y', 'n',
    '2024-01-01', '2024-01-01T10:00:00Z', '65535:65282', '1:1', '12:30:00', '10.0.0.0/24', '10.0.0.1-10.0.0.9',
    'fc00::/64', '9007199254740993', '1e400', '-0', '0', '00', '0x', '0o', 'a b', 'x',
  ];
  it('reads plain scalars the same', () => {
    let checked = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tricky), { minLength: 1, maxLength: 6 }), (scalars) => {
        const text = `k: ${scalars[0]}\nl: [${scalars.join(', ')}]\nm:\n${scalars.map((s) => `  - ${s}`).join('\n')}\n`;
        expect(parseYaml(text).objects.map((o) => o.object)).toEqual(carefully(text));
        checked++;
      }),
    );
    expect(checked).toBeGreaterThan(0);
  });

  it('reads quoting, block scalars, empty documents and keys the same', () => {
    const texts = [
      "a: '0x1F'\nb: \"true\"\nc: |\n  line\n  two\nd: >-\n  folded\n  text\n",
      '---\n---\n# only a comment\n---\na: 1\n...\n---\nb: 2\n',
      'true: 1\n1: 2\nnull: 3\n? [x]\n: 4\n',
      'a: !!str 5\nb: !!int "7"\n',
      '<<: {a: 1}\nb: 2\n',
      'kind: List\nitems:\n- {kind: A}\n- {kind: B, spec: {n: 0o10}}\n',
    ];
    for (const text of texts) expect(parseYaml(text).objects.map((o) => o.object)).toEqual(carefully(text));
  });

  it('gives positions from the careful reader when asked', () => {
    const { objects } = parseYaml('a: 1\n---\nb:\n  c: [1, 2]\n', { file: 'x.yaml' });
    expect(objects[1]?.locate(['b', 'c', 1])).toEqual({ file: 'x.yaml', line: 4, column: 10 });
  });
});
