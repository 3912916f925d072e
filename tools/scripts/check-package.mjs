// Checks that a package, as packed for the registry, resolves for consumers: publint for the
// package.json/exports layout, are-the-types-wrong for the types under node16/bundler resolution.
// Run from the package directory (the `check` target), after `build`.
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '.bin');
const run = (tool, args) => {
  try {
    execFileSync(join(bin, tool), args, { stdio: 'inherit' });
  } catch {
    console.error(`check: ${tool} ${args.join(' ')} failed (see above)`);
    process.exit(1);
  }
};

run('publint', ['--strict', '--pack', 'npm']);
// ESM-only packages: CommonJS consumers under node10 resolution are out of scope by design.
run('attw', ['--pack', '.', '--profile', 'esm-only']);
