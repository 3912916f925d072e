// A library README starts with a runnable example and ends its surface in an "API" section: this
// runs the first ```ts block as it is written (from inside the package, so `@lb/...` imports
// resolve as a consumer's would, to the workspace sources) and lists the exports the API section
// leaves out, read from the package's recorded API reports (api/*.api.md).
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The first ```ts block of the package's README.md. */
export function readmeExample(packageDir: string): string {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme);
  if (!block?.[1]) throw new Error(`${packageDir}/README.md has no \`\`\`ts example`);
  return block[1];
}

/** Runs the README's example as a module; resolves when it has run (its own assertions throw). */
export async function runReadmeExample(packageDir: string): Promise<void> {
  // Inside the package: `@lb/...` resolves from there. The folder is ignored by git and lint.
  const dir = join(packageDir, '.readme-example');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `example-${process.pid}.ts`);
  writeFileSync(file, readmeExample(packageDir));
  try {
    await import(pathToFileURL(file).href);
  } finally {
    rmSync(file, { force: true });
  }
}

/** Names every recorded API report of the package exports (`export function x`, `export type X`...). */
export function recordedExports(packageDir: string): string[] {
  const names = new Set<string>();
  const dir = join(packageDir, 'api');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.api.md'))) {
    const report = readFileSync(join(dir, file), 'utf8');
    for (const match of report.matchAll(/^export (?:declare )?(?:abstract )?(?:function|class|type|interface|const|enum|namespace|let) ([A-Za-z_$][\w$]*)/gm)) {
      names.add(match[1] as string);
    }
  }
  return [...names].sort();
}

/** Exports of the recorded API that the README's "## API" section does not name (in backticks). */
export function exportsMissingFromReadme(packageDir: string): string[] {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const section = /^## API\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(readme)?.[1];
  if (section === undefined) return ['(no "## API" section)'];
  const named = new Set([...section.matchAll(/`([A-Za-z_$][\w$]*)/g)].map((m) => m[1]));
  return recordedExports(packageDir).filter((name) => !named.has(name));
}
