// The user guide's examples: every ```console block whose first line is `$ lbctl ...` is run (the
// built bin, from the repository root) and what it prints is the rest of the block, followed by
// `[exit N]` when the exit code is not 0. `renderDocument` rewrites the blocks from real runs
// (scripts/write-docs.ts); the test compares.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..', '..');
const bin = join(import.meta.dirname, '..', 'bin', 'lbctl.mjs');
const BLOCK = /```console\n\$ (lbctl [^\n]*)\n([\s\S]*?)```/g;

export interface Example {
  readonly command: string;
  readonly expected: string;
}

export function examplesIn(markdown: string): Example[] {
  return [...markdown.matchAll(BLOCK)].map((m) => ({ command: m[1] as string, expected: m[2] as string }));
}

/** Runs `lbctl ARGS` (arguments split on spaces; the guide's examples need no quoting). */
export function runExample(command: string): Promise<string> {
  const args = command.split(/\s+/).slice(1);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [bin, ...args], { cwd: repoRoot, env: { ...process.env, KUBECONFIG: '/nonexistent' }, maxBuffer: 1 << 24 }, (error, stdout) => {
      const code = error ? (error as { code?: unknown }).code : 0;
      if (typeof code !== 'number') return reject(error);
      resolve(code === 0 ? stdout : `${stdout}[exit ${code}]\n`);
    });
  });
}

/** The document with every example's output replaced by what the command prints now. */
export async function renderDocument(markdown: string): Promise<string> {
  let out = '';
  let last = 0;
  for (const m of markdown.matchAll(BLOCK)) {
    const output = await runExample(m[1] as string);
    out += `${markdown.slice(last, m.index)}\`\`\`console\n$ ${m[1] as string}\n${output}\`\`\``;
    last = (m.index ?? 0) + m[0].length;
  }
  return out + markdown.slice(last);
}
