// The YAML examples of the seeds (../shared/seeds) compile as written; seed 001's pool has a range
// typo that must be refused. The fixtures hold the examples with the indentation the web pages
// lost; this checks each is the seed's text, whitespace aside.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, formatIssue } from '../src/index.js';
import { sharedDir } from './helpers.js';

const seedDir = join(sharedDir, 'seeds');
const fixtureDir = join(import.meta.dirname, '..', '..', '..', 'examples', 'seeds');
const fixtures = readdirSync(fixtureDir).filter((f) => f.endsWith('.yaml'));
const seeds = readdirSync(seedDir);

const withoutWhitespace = (text: string): string => text.replace(/\s+/g, '');
const withoutHeader = (text: string): string => text.replace(/^#.*\n/, '');

function seedFor(fixture: string): string {
  const number = fixture.slice(0, 3);
  const seed = seeds.find((s) => s.startsWith(`${number}_`));
  if (!seed) throw new Error(`no seed ${number} in ${seedDir}`);
  return readFileSync(join(seedDir, seed), 'utf8');
}

describe('seed examples', () => {
  it('are there', () => {
    expect(fixtures.length).toBeGreaterThan(10);
    expect(new Set(fixtures.map((f) => f.slice(0, 3)))).toEqual(new Set(['000', '001', '002', '004']));
  });

  it.each(fixtures)('%s is the seed text', (fixture) => {
    const text = withoutWhitespace(withoutHeader(readFileSync(join(fixtureDir, fixture), 'utf8')));
    expect(withoutWhitespace(seedFor(fixture)).includes(text)).toBe(true);
  });

  it.each(fixtures.filter((f) => !f.startsWith('001')))('%s compiles', (fixture) => {
    const result = compile(readFileSync(join(fixtureDir, fixture), 'utf8'), { file: fixture });
    expect(result.ok ? [] : result.error.issues.map(formatIssue)).toEqual([]);
  });

  it("refuses seed 001's range typo, saying what is wrong and where", () => {
    const file = '001-cheap-pool-typo.yaml';
    const result = compile(readFileSync(join(fixtureDir, file), 'utf8'), { file });
    expect(result.ok ? [] : result.error.issues.map(formatIssue)).toEqual([
      "IPAddressPool metallb-system/cheap: spec.addresses[0]: range '172.16.16.150-172.16.16.20' starts after it ends (172.16.16.150 > 172.16.16.20) (001-cheap-pool-typo.yaml:9:5)",
    ]);
  });

  it('accepts the MetalLoadBalancerClass example (seed 003 describes it; fields from Deckhouse docs)', () => {
    const result = compile(readFileSync(join(import.meta.dirname, '..', '..', '..', 'examples', 'classes', 'ingress-class.yaml'), 'utf8'));
    expect(result.ok ? [] : result.error.issues.map(formatIssue)).toEqual([]);
    expect(result.ok && result.value.classes.map((c) => c.name)).toEqual(['ingress']);
  });
});
