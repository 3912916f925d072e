// Every one of MetalLB's published configuration samples is accepted.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, formatIssue, parseYaml, validateResource } from '../src/index.js';
import { sharedDir } from './helpers.js';

const dir = join(sharedDir, 'reference', 'metallb-configsamples');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

describe("MetalLB's configsamples", () => {
  it('are there', () => expect(files.length).toBeGreaterThan(10));

  it.each(files)('%s compiles', (file) => {
    const result = compile(readFileSync(join(dir, file), 'utf8'), { file });
    expect(result.ok ? [] : result.error.issues.map(formatIssue)).toEqual([]);
  });

  it.each(files)('%s passes our CRD schemas object by object', (file) => {
    const { objects, issues } = parseYaml(readFileSync(join(dir, file), 'utf8'));
    expect(issues).toEqual([]);
    for (const { object } of objects) {
      const result = validateResource(object);
      expect(result.status === 'invalid' ? result.issues.map(formatIssue) : []).toEqual([]);
    }
  });
});
