#!/usr/bin/env node
// Runs the built CLI (dist/cli.js). The repository's root `prepare` script builds it after
// `npm install`; `npx nx run kube-sim:build` builds it by hand.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error(`kube-sim: ${cli} is missing: build it first (npm install runs the build; or npx nx run kube-sim:build)`);
  process.exit(1);
}
await import(pathToFileURL(cli).href);
