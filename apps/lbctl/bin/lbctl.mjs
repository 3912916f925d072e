#!/usr/bin/env node
// The lbctl binary: the built JavaScript in dist/bundle/ (`npx nx run lbctl:build` compiles with
// tsc, then bundles; npm install builds it, through the repository's `prepare` script). Nothing is
// compiled at run time.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bundle', 'entry.mjs');
if (!existsSync(entry)) {
  process.stderr.write(`lbctl: ${entry} is missing: lbctl is not built.\nBuild it with \`npm install\` (its prepare step builds every binary) or \`npx nx run lbctl:build\`.\n`);
  process.exit(1);
}
await import(pathToFileURL(entry).href);
