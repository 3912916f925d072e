// The user guide (docs/): the configuration reference is what the schemas generate, every lbctl
// example prints what the guide shows, and every link between the pages (and to the repository)
// resolves, anchors included.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configurationReference } from '../src/reference.js';
import { examplesIn, repoRoot, runExample } from './doc-examples.js';

const docs = join(repoRoot, 'docs');
const pages = readdirSync(docs).filter((f) => f.endsWith('.md'));
const extraPages = [join(repoRoot, 'README.md'), join(repoRoot, 'apps', 'lbctl', 'README.md')];
const read = (file: string): string => readFileSync(file, 'utf8');
const examples = pages.flatMap((page) => examplesIn(read(join(docs, page))).map((e) => ({ page, ...e })));

const FIX = 'run `npm run docs -w @lb/lbctl` (after `npx nx run lbctl:build`) and commit docs/';

describe('docs/', () => {
  it('configuration.md is what the schemas generate', () => {
    expect(read(join(docs, 'configuration.md')), FIX).toBe(configurationReference());
  });

  it('has examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
  });

  it.each(examples)('$page: $command', async ({ command, expected }) => {
    expect(await runExample(command), FIX).toBe(expected);
  });
});

/** GitHub's anchor for a heading. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const out = new Set<string>();
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '');
  for (const m of withoutCode.matchAll(/^#{1,6}\s+(.*)$/gm)) out.add(anchor(m[1] as string));
  return out;
}

const linked = [...pages.map((p) => join(docs, p)), ...extraPages].flatMap((file) => {
  const text = read(file).replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => ({ file, target: m[1] as string }));
});

describe('links', () => {
  it('the pages link somewhere', () => {
    expect(linked.length).toBeGreaterThan(10);
  });

  it.each(linked.filter((l) => !/^[a-z]+:/.test(l.target)))('$file -> $target', ({ file, target }) => {
    const [path, hash] = target.split('#') as [string, string | undefined];
    const resolved = path === '' ? file : resolve(dirname(file), path);
    expect(existsSync(resolved), `${target} from ${file} does not exist`).toBe(true);
    if (hash !== undefined) {
      expect(statSync(resolved).isFile() && resolved.endsWith('.md'), `${target}: anchors only into Markdown files`).toBe(true);
      expect([...anchorsOf(read(resolved))], `${target}: no heading with anchor #${hash}`).toContain(hash);
    }
  });
});
