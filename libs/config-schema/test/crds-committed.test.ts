// The CRDs in the chart are generated: this fails when they differ from what the schemas give.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crdFiles } from '../src/index.js';
import { workspaceRoot } from './helpers.js';

const crdDir = join(workspaceRoot, 'charts', 'lb', 'crds');
const regenerate = 'run `npm run generate-crds -w @lb/config-schema` and commit charts/lb/crds';

describe('charts/lb/crds', () => {
  const wanted = crdFiles();

  it('has CRDs to compare', () => expect(wanted.size).toBeGreaterThan(0));

  it('exists', () => expect(existsSync(crdDir), `${crdDir} is missing: ${regenerate}`).toBe(true));

  it.each([...wanted.keys()])('%s is what the schemas generate', (file) => {
    const path = join(crdDir, file);
    expect(existsSync(path), `${file} is missing: ${regenerate}`).toBe(true);
    expect(readFileSync(path, 'utf8'), `${file} differs from the schemas: ${regenerate}`).toBe(wanted.get(file));
  });

  it('holds no CRD the schemas do not generate (but frr-k8s\'s, written by hand)', () => {
    const extra = readdirSync(crdDir).filter((f) => !wanted.has(f) && !/^frrk8s\.metallb\.io_/.test(f));
    expect(extra, regenerate).toEqual([]);
  });
});
