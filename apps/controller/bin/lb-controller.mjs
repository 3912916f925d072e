#!/usr/bin/env node
// Runs the built controller (dist/) when present; otherwise, or when Node runs with
// `--conditions=development` (the repository's tests and tools, which read every workspace package
// from source), the TypeScript source through tsx. Mixing the two would run built code against
// the libraries' TypeScript sources, which Node cannot load.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'entry.js');
const fromSource = import.meta.resolve('@lb/controller').endsWith('.ts');
if (existsSync(built) && !fromSource) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'entry.ts')).href);
}
