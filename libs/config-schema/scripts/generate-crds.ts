// Writes the CRDs generated from the schemas into the chart (charts/lb/crds/), one file per kind,
// and removes generated files of kinds that no longer exist. `--check` only reports differences.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crdFiles } from '../src/index.js';

/** CRDs of other projects' kinds the chart carries as written (frr-k8s's BGPSessionState): not generated, kept. */
const HAND_WRITTEN = /^frrk8s\.metallb\.io_/;

const crdDir = join(import.meta.dirname, '..', '..', '..', 'charts', 'lb', 'crds');
const check = process.argv.includes('--check');
const wanted = crdFiles();
mkdirSync(crdDir, { recursive: true });

let differences = 0;
for (const [file, text] of wanted) {
  const path = join(crdDir, file);
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) continue;
  differences++;
  if (check) console.log(`differs: ${path}`);
  else {
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
  }
}
for (const file of readdirSync(crdDir)) {
  if (file.endsWith('.yaml') && !wanted.has(file) && !HAND_WRITTEN.test(file)) {
    differences++;
    if (check) console.log(`not generated: ${join(crdDir, file)}`);
    else {
      rmSync(join(crdDir, file));
      console.log(`removed ${join(crdDir, file)}`);
    }
  }
}
if (check && differences > 0) process.exit(1);
console.log(differences === 0 ? 'CRDs up to date' : `${differences} file(s) ${check ? 'differ' : 'updated'}`);
