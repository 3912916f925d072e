import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { metallbCrdsDir, metallbSamplesDir, seedsDir, vectorsDir, vendoredDir, workspaceRoot } from './paths.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('shared test data', () => {
  it('is all there', () => {
    expect(existsSync(join(vectorsDir(), 'bgp.json'))).toBe(true);
    expect(existsSync(join(vectorsDir(), 'arp-ndp.json'))).toBe(true);
    expect(readdirSync(metallbCrdsDir()).filter((f) => f.endsWith('.yaml')).length).toBe(9);
    expect(readdirSync(metallbSamplesDir()).filter((f) => f.endsWith('.yaml')).length).toBe(18);
    expect(readdirSync(seedsDir()).length).toBe(5);
  });

  it('snapshot matches ../shared byte for byte when ../shared is there', () => {
    const beside = join(workspaceRoot, '..', 'shared');
    const vendored = files(vendoredDir).map((f) => relative(vendoredDir, f)).sort();
    expect(vendored.length).toBeGreaterThan(30);
    if (!existsSync(beside)) return; // a clone without ../shared runs on the snapshot alone
    for (const file of vendored) {
      expect(readFileSync(join(vendoredDir, file)).equals(readFileSync(join(beside, file))), file).toBe(true);
    }
  });
});
