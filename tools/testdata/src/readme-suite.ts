// The README checks as a vitest suite, so that each library's readme.test.ts is one line. A subpath
// of its own (`@lb/testdata/readme-suite`): the main entry is also imported outside vitest.
import { describe, expect, it } from 'vitest';
import { exportsMissingFromReadme, runReadmeExample } from './readme.js';

/** Registers the two checks for the package at `packageDir`. */
export function readmeSuite(packageDir: string): void {
  describe('README', () => {
    it('starts with an example that runs as written', async () => {
      await runReadmeExample(packageDir);
    });

    it('names every export in its API section', () => {
      expect(exportsMissingFromReadme(packageDir)).toEqual([]);
    });
  });
}
