// `npm run docs -w @lb/lbctl`: writes docs/configuration.md from the schemas, and every lbctl
// example of the guide from a real run of the built bin (build first: npx nx run lbctl:build).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configurationReference } from '../src/reference.js';
import { renderDocument, repoRoot } from '../test/doc-examples.js';

const docs = join(repoRoot, 'docs');
writeFileSync(join(docs, 'configuration.md'), configurationReference());
for (const name of readdirSync(docs).filter((f) => f.endsWith('.md'))) {
  const file = join(docs, name);
  const before = readFileSync(file, 'utf8');
  const after = await renderDocument(before);
  if (after !== before) writeFileSync(file, after);
}
console.log(`wrote ${docs}`);
