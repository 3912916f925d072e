#!/usr/bin/env node
// The lbctl binary: the built JavaScript in dist/ (npm install builds it, through the
// repository's `prepare` script; `npx nx run lbctl:build` does it by hand). Nothing is compiled
// at run time.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'entry.js');
if (!existsSync(entry)) {
  process.stderr.write(`lbctl: ${entry} is missing: lbctl is not built.\nBuild it with \`npm install\` (its prepare step builds every binary) or \`npx nx run lbctl:build\`.\n`);
  process.exit(1);
}
await import(pathToFileURL(entry).href);
