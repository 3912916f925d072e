// The workspace's lint rules fire on deliberate violations (lint-fixtures/, which the workspace
// lint ignores) and stay quiet on what is allowed. Linted with the real eslint.config.mjs.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..', '..');
const fixtures = join(import.meta.dirname, '..', 'lint-fixtures');
const eslint = new ESLint({ cwd: root, ignore: false });

/** `rule: message` of every problem in `fixture` linted as if it were the file at `asIf` (relative to the root). */
async function lint(fixture: string, asIf?: string): Promise<string[]> {
  const path = join(fixtures, fixture);
  const [result] = asIf ? await eslint.lintText(readFileSync(path, 'utf8'), { filePath: join(root, asIf) }) : await eslint.lintFiles([path]);
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('module boundaries', () => {
  const cases: Array<[fixture: string, asIf: string, fires: RegExp | undefined]> = [
    ['boundaries/imports-a-tool.ts', 'libs/ipam/src/uses-kube-sim.ts', /^no-restricted-imports: '@lb\/kube-sim' .*Tools .* never for a package's src/],
    ['boundaries/imports-a-tool.ts', 'apps/controller/src/uses-kube-sim.ts', /^no-restricted-imports: '@lb\/kube-sim'/],
    ['boundaries/imports-a-tool.ts', 'libs/ipam/src/uses-kube-sim.test.ts', undefined],
    ['boundaries/imports-a-tool.ts', 'libs/ipam/test/uses-kube-sim.test.ts', undefined],
    ['boundaries/imports-a-tool.ts', 'libs/ipam/bench/uses-kube-sim.ts', undefined],
    ['boundaries/imports-an-app.ts', 'libs/ipam/src/uses-controller.ts', /^no-restricted-imports: '@lb\/controller' .*Nothing imports an app/],
    ['boundaries/imports-an-app.ts', 'libs/ipam/test/uses-controller.test.ts', /^no-restricted-imports: '@lb\/controller'/],
    ['boundaries/imports-an-app.ts', 'tools/kube-sim/src/uses-controller.ts', /^no-restricted-imports: '@lb\/controller'/],
    ['boundaries/imports-a-library.ts', 'libs/ipam/src/uses-ip.ts', undefined],
    ['boundaries/imports-a-library.ts', 'apps/controller/src/uses-ip.ts', undefined],
  ];
  it.each(cases)('%s as %s', async (fixture, asIf, fires) => {
    expect(cases.length).toBeGreaterThan(0);
    const problems = await lint(fixture, asIf);
    if (fires) expect(problems).toContainEqual(expect.stringMatching(fires));
    else expect(problems.filter((p) => p.startsWith('no-restricted-imports'))).toEqual([]);
  });

  it('forbids a relative path into another package', async () => {
    expect(await lint('relative/reaches-into-ip.ts')).toContainEqual(expect.stringMatching(/^lb\/no-relative-packages: '\.\.\/\.\.\/\.\.\/\.\.\/libs\/ip\/src\/index\.js' reaches into another package/));
  });
});

describe('import cycles', () => {
  it('reports a cycle of type-only imports from both ends', async () => {
    expect(await lint('cycle/types.ts')).toEqual(['lb/no-import-cycle: Import cycle: lint-fixtures/cycle/types.ts -> lint-fixtures/cycle/negotiation.ts -> lint-fixtures/cycle/types.ts. Move what both need into a module of its own.']);
    expect(await lint('cycle/negotiation.ts')).toContainEqual(expect.stringMatching(/^lb\/no-import-cycle: /));
  });

  it('finds none in bgp-wire/src/session, where the one above was', async () => {
    const results = await eslint.lintFiles([join(root, 'libs/bgp-wire/src/session')]);
    expect(results.length).toBeGreaterThan(5);
    expect(results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'lb/no-import-cycle'))).toEqual([]);
  });
});
